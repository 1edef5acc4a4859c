package rietest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/preau/preau/infra/apigw"
	"github.com/preau/preau/infra/dynamotest"
	"github.com/preau/preau/infra/localaws"
	"github.com/preau/preau/infra/samtemplate"
	"github.com/preau/preau/infra/ssmtest"
)

// findRIE looks on PATH, then where `go install` puts binaries.
func findRIE(t *testing.T) string {
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return p
	}
	for _, v := range []string{"GOBIN", "GOPATH"} {
		out, err := exec.Command("go", "env", v).Output()
		dir := strings.TrimSpace(string(out))
		if err != nil || dir == "" {
			continue
		}
		if v == "GOPATH" {
			dir = filepath.Join(strings.Split(dir, string(os.PathListSeparator))[0], "bin")
		}
		if p := filepath.Join(dir, "aws-lambda-rie"); fileExists(p) {
			return p
		}
	}
	const msg = "aws-lambda-rie is not installed: make test (or make tools) installs it"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func TestPortalBootstrapUnderRIE(t *testing.T) {
	rie := findRIE(t)
	root, err := samtemplate.ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	bootstrap := filepath.Join(t.TempDir(), "bootstrap")
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w", "-o", bootstrap, "./functions/portal")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build portal: %v\n%s", err, out)
	}

	env := dynamotest.New(t)
	tpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"),
		nil,
		map[string]string{"DataTable": env.DataTable, "SessionTable": env.SessionTable})
	if err != nil {
		t.Fatal(err)
	}
	portal, ok := tpl.Function("Portal")
	if !ok {
		t.Fatal("no Portal in template.yaml")
	}

	rieAddr, apiAddr := freeAddr(t), freeAddr(t)
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", rieAddr, "--runtime-api-address", apiAddr, bootstrap)
	// Only what Lambda would set from the template, plus the emulator endpoints: no local-only
	// setting, since the emulator sets LAMBDA_TASK_ROOT like Lambda and such settings are refused.
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")},
		localaws.Env(os.Getenv(localaws.EnvDynamoDB), os.Getenv(localaws.EnvSES))...)
	for k, v := range portal.Env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	// The secret key (anti-robot challenges of Nous contacter) comes from SSM, as in Lambda:
	// from the stand-in, under the parameter the template names.
	if name := portal.Env["SECRET_KEY_PARAMETER"]; name != "" {
		p := ssmtest.Start(t, name, "SecureString", strings.Repeat("k", 32))
		cmd.Env = append(cmd.Env, "AWS_ENDPOINT_URL_SSM="+p.URL)
	}
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("aws-lambda-rie output:\n%s", logs.String())
		}
	})

	// The emulator serves one invocation at a time: the cases run one after the other.
	for _, tc := range []struct {
		path, contentType, contains string
		status                      int
	}{
		{"/", "text/html", "<html", 200},
		{"/api/v1/deadlines?from=2026-12-07&to=2026-12-07", "application/json", `"deadline":"2026-12-03T10:00:00+01:00"`, 200},
		{"/api/v1/deadlines?from=2026-12-08&to=2026-12-07", "application/problem+json", `"status":400`, 400},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp := invoke(t, rieAddr, tc.path, portal)
			if resp.StatusCode != tc.status || !strings.HasPrefix(resp.Headers["Content-Type"], tc.contentType) ||
				!strings.Contains(resp.Body, tc.contains) {
				t.Errorf("%d %v\n%.400s", resp.StatusCode, resp.Headers, resp.Body)
			}
		})
	}
}

// invoke sends the API Gateway v2 event of GET path to the emulator's Invoke endpoint.
func invoke(t *testing.T, rieAddr, path string, f samtemplate.Function) events.APIGatewayV2HTTPResponse {
	t.Helper()
	router, err := routerOf(f)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "https://portail-famille.laigneville.fr"+path, nil)
	route, params, ok := router.Match("GET", req.URL.Path)
	if !ok {
		t.Fatalf("no Portal route for %s", path)
	}
	ev, err := apigw.Request(req, route, params, "rie-test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(ev)
	url := fmt.Sprintf("http://%s/2015-03-31/functions/function/invocations", rieAddr)

	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		hreq, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
		hresp, err := http.DefaultClient.Do(hreq)
		if err != nil {
			cancel()
			if time.Now().After(deadline) {
				t.Fatalf("aws-lambda-rie did not answer: %v", err)
			}
			time.Sleep(100 * time.Millisecond) // still starting
			continue
		}
		body, _ := io.ReadAll(hresp.Body)
		hresp.Body.Close()
		cancel()
		if hresp.StatusCode != http.StatusOK {
			t.Fatalf("invoke: %s %s", hresp.Status, body)
		}
		var resp events.APIGatewayV2HTTPResponse
		if err := json.Unmarshal(body, &resp); err != nil || resp.StatusCode == 0 {
			t.Fatalf("not an API Gateway v2 response: %.400s", body)
		}
		return resp
	}
}

func routerOf(f samtemplate.Function) (*apigw.Router, error) {
	var routes []apigw.Route
	for _, r := range f.Routes {
		routes = append(routes, apigw.Route{Method: r.Method, Path: r.Path, Target: f.LogicalID})
	}
	return apigw.NewRouter(routes)
}
