package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/preau/preau/infra/demo"
	"github.com/preau/preau/infra/dynamotest"
	"github.com/preau/preau/infra/payfip"
	"github.com/preau/preau/infra/samtemplate"
	"github.com/preau/preau/shared/store"
)

// testStack serves a template (the real one when tplPath is "") on a test server, against the
// test emulators, with fresh tables holding the demo commune.
func testStack(t *testing.T, tplPath string, binaries map[string]string, clock time.Time) (*Stack, *httptest.Server) {
	t.Helper()
	root, err := samtemplate.ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	env := dynamotest.New(t)
	st := store.New(env.Client, store.Tables{Data: env.DataTable, Session: env.SessionTable})
	if err := demo.Load(context.Background(), st, time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	pf, err := payfip.Start(0, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pf.Close)
	srv := httptest.NewUnstartedServer(nil)
	stack, err := NewStack(context.Background(), Options{
		Root: root, Template: tplPath, Binaries: binaries, BinDir: t.TempDir(),
		BaseURL: "http://" + srv.Listener.Addr().String(), Instances: 2,
		DynamoDB: os.Getenv("AWS_ENDPOINT_URL_DYNAMODB"), SES: os.Getenv("AWS_ENDPOINT_URL_SES"),
		TableNames: map[string]string{"DataTable": env.DataTable, "SessionTable": env.SessionTable},
		SecretKey:  "test-secret-key-test-secret-key-0123456789",
		LocalClock: clock, ClockBase: time.Now(), Log: &testLog{t: t}, PayFiP: pf.URL,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = stack
	srv.Start()
	t.Cleanup(func() { srv.Close(); stack.Close() })
	return stack, srv
}

// testLog shows the stack's and the functions' output in the test's log, and keeps it for tests
// that read it (lines).
type testLog struct {
	t     *testing.T
	mu    sync.Mutex
	lines []string
}

func (l *testLog) Write(p []byte) (int, error) {
	line := strings.TrimRight(string(p), "\n")
	l.mu.Lock()
	l.lines = append(l.lines, line)
	l.mu.Unlock()
	l.t.Log(line)
	return len(p), nil
}

// since returns the lines written from the n-th on.
func (l *testLog) since(n int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines[min(n, len(l.lines)):]...)
}

func (l *testLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.lines)
}

const echoTemplate = `
Globals:
  Function:
    Timeout: 5
    Environment:
      Variables:
        COMMUNE_NAME: Testville
        DATA_TABLE: !Ref DataTable
Resources:
  DataTable:
    Type: AWS::DynamoDB::Table
    Properties: {BillingMode: PAY_PER_REQUEST}
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Home: {Type: HttpApi, Properties: {Method: GET, Path: /}}
        Item: {Type: HttpApi, Properties: {Method: POST, Path: "/items/{id}"}}
        ItemMe: {Type: HttpApi, Properties: {Method: POST, Path: /items/me}}
        Files: {Type: HttpApi, Properties: {Method: GET, Path: "/files/{path+}"}}
        Nightly:
          Type: ScheduleV2
          Properties: {ScheduleExpression: "cron(0 18 * * ? *)", ScheduleExpressionTimezone: Europe/Paris, Input: '{"job":"nightly"}'}
`

type echoed struct {
	Event events.APIGatewayV2HTTPRequest
	Env   map[string]string
}

func TestStackPassesRequestsLikeAPIGateway(t *testing.T) {
	dir := t.TempDir()
	tpl := filepath.Join(dir, "template.yaml")
	if err := os.WriteFile(tpl, []byte(echoTemplate), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "echo")
	if out, err := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bin, "./testdata/echo").CombinedOutput(); err != nil {
		t.Fatalf("build echo: %v\n%s", err, out)
	}
	clock := time.Date(2026, 12, 3, 9, 59, 0, 0, time.UTC)
	_, srv := testStack(t, tpl, map[string]string{"Echo": bin}, clock)

	call := func(t *testing.T, method, path, contentType, body string) (*http.Response, echoed) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		req.Header.Add("Cookie", "session=s1; csrf=c1")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var e echoed
		if resp.StatusCode == 200 && resp.Header.Get("X-Echo") == "1" {
			if err := json.Unmarshal(raw, &e); err != nil {
				t.Fatalf("%s: %v", raw, err)
			}
		} else {
			e.Env = map[string]string{"raw": string(raw)}
		}
		return resp, e
	}

	t.Run("path parameters, query, cookies, form body", func(t *testing.T) {
		resp, e := call(t, "POST", "/items/42?x=1&x=2", "application/x-www-form-urlencoded", "nom=%C3%A9t%C3%A9")
		ev := e.Event
		if resp.StatusCode != 200 || ev.RouteKey != "POST /items/{id}" || ev.PathParameters["id"] != "42" ||
			ev.RawQueryString != "x=1&x=2" || strings.Join(ev.Cookies, ";") != "session=s1;csrf=c1" ||
			!ev.IsBase64Encoded || ev.RequestContext.HTTP.SourceIP != "127.0.0.1" {
			t.Errorf("event = %+v", ev)
		}
		if got := resp.Header.Values("Set-Cookie"); strings.Join(got, "|") != "a=1; Path=/; HttpOnly|b=2; Path=/" {
			t.Errorf("Set-Cookie = %v", got)
		}
	})
	t.Run("literal route wins over parameter", func(t *testing.T) {
		_, e := call(t, "POST", "/items/me", "application/json", `{"a":1}`)
		if e.Event.RouteKey != "POST /items/me" || e.Event.Body != `{"a":1}` || e.Event.IsBase64Encoded {
			t.Errorf("event = %+v", e.Event)
		}
	})
	t.Run("greedy parameter", func(t *testing.T) {
		_, e := call(t, "GET", "/files/css/site.css", "", "")
		if e.Event.PathParameters["path"] != "css/site.css" {
			t.Errorf("pathParameters = %v", e.Event.PathParameters)
		}
	})
	t.Run("local environment", func(t *testing.T) {
		_, e := call(t, "GET", "/", "", "")
		base, _ := url.Parse(e.Env["BASE_URL"])
		if e.Env["COMMUNE_NAME"] != "Testville" || e.Env["LAMBDA_TASK_ROOT"] != "" || base.Host != strings.TrimPrefix(srv.URL, "http://") ||
			!strings.HasPrefix(e.Env["DATA_TABLE"], "t") {
			t.Errorf("env = %v", e.Env)
		}
		lc, err1 := time.Parse(time.RFC3339Nano, e.Env["LOCAL_CLOCK"])
		_, err2 := time.Parse(time.RFC3339Nano, e.Env["LOCAL_CLOCK_BASE"])
		if err1 != nil || err2 != nil || !lc.Equal(clock) {
			t.Errorf("clock env = %v", e.Env)
		}
	})
	for _, tc := range []struct{ method, path string }{{"GET", "/nope"}, {"DELETE", "/items/42"}, {"GET", "/files"}} {
		t.Run("no route: "+tc.method+" "+tc.path, func(t *testing.T) {
			resp, e := call(t, tc.method, tc.path, "", "")
			if resp.StatusCode != 404 || e.Env["raw"] != `{"message":"Not Found"}` {
				t.Errorf("%d %v", resp.StatusCode, e.Env)
			}
		})
	}
	t.Run("scheduled job on demand", func(t *testing.T) {
		resp, err := srv.Client().Post(srv.URL+"/_local/schedules/Echo/Nightly", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || string(body) != `{"job":"nightly"}` {
			t.Errorf("%d %s", resp.StatusCode, body)
		}
		index, err := srv.Client().Get(srv.URL + "/_local/")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(index.Body)
		index.Body.Close()
		if !strings.Contains(string(page), "/_local/schedules/Echo/Nightly") {
			t.Errorf("index does not list the schedule:\n%s", page)
		}
	})
}

// With a $default route (an HttpApi event without Path and Method), what no route takes goes to
// it — unknown paths and known paths with another method — as on API Gateway.
func TestStackDefaultRoute(t *testing.T) {
	dir := t.TempDir()
	tpl := filepath.Join(dir, "template.yaml")
	withDefault := echoTemplate + "        Fallback: {Type: HttpApi, Properties: {}}\n"
	if err := os.WriteFile(tpl, []byte(withDefault), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "echo")
	if out, err := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bin, "./testdata/echo").CombinedOutput(); err != nil {
		t.Fatalf("build echo: %v\n%s", err, out)
	}
	_, srv := testStack(t, tpl, map[string]string{"Echo": bin}, time.Date(2026, 12, 3, 9, 59, 0, 0, time.UTC))
	for _, mp := range [][2]string{{"GET", "/nope"}, {"PATCH", "/items/me"}, {"DELETE", "/files/a.css"}, {"GET", "/items/me"}} {
		req, _ := http.NewRequest(mp[0], srv.URL+mp[1], nil)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var e echoed
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatalf("%s %s: %d %s", mp[0], mp[1], resp.StatusCode, raw)
		}
		if resp.StatusCode != 200 || e.Event.RouteKey != "$default" || e.Event.RequestContext.RouteKey != "$default" ||
			e.Event.RawPath != mp[1] || e.Event.RequestContext.HTTP.Method != mp[0] || e.Event.PathParameters != nil {
			t.Errorf("%s %s: %d %+v, want the $default route", mp[0], mp[1], resp.StatusCode, e.Event)
		}
	}
}
