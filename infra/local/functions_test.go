package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/preau/preau/infra/lambdarun"
	"github.com/preau/preau/infra/samtemplate"
)

// samplesClock is the local clock of the sample-event test, so that samples about deadlines
// are stable: Tuesday 1 December 2026, 09:00 in Paris.
var samplesClock = time.Date(2026, 12, 1, 9, 0, 0, 0, time.FixedZone("CET", 3600))

// TestRealFunctions builds every function of template.yaml for this machine and runs it behind
// the local API Gateway, against the emulators and the demo commune:
//   - GET / answers the Portal's home page;
//   - every operation of docs/openapi.yaml, called as a client would, answers as the document
//     says (testAPIAsDocumented);
//   - every functions/<f>/events/<name>.json sample goes through the real binary via the Runtime
//     API and must answer the status in <name>.expect.json ({"status": 200}), or below 500 when
//     there is none. Non-HTTP samples (schedules) must not fail.
//
// A sample that carries a cookie stands for a signed-in parent of its function's own test
// fixtures (fake sessions); here, against real tables, nobody is signed in, so only "< 500 and no
// function error" is checked for it. Its exact status is checked by the function's own test.
func TestRealFunctions(t *testing.T) {
	stack, srv := testStack(t, "", nil, samplesClock)
	if len(stack.runners) == 0 {
		t.Fatalf("no function of template.yaml could be built: %v", stack.broken)
	}

	t.Run("GET / is the home page", func(t *testing.T) {
		if err := stack.broken["Portal"]; err != nil {
			t.Fatalf("Portal: %v", err)
		}
		resp, err := srv.Client().Get(srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(string(body), "<html") {
			t.Errorf("GET / = %d %s\n%.300s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	})

	// API Gateway's $default route: what no function serves gets the Portal's French 404, with
	// the security headers, instead of a bare {"message":"Not Found"}.
	for _, tc := range []struct{ method, path, accept, contentType, want string }{
		{"GET", "/nope", "text/html", "text/html; charset=utf-8", "Page introuvable"},
		{"PATCH", "/connexion", "application/json", "application/problem+json", `"type":"/problems/not-found"`},
	} {
		t.Run("$default: "+tc.method+" "+tc.path, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
			req.Header.Set("Accept", tc.accept)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != tc.contentType || !strings.Contains(string(body), tc.want) ||
				resp.Header.Get("Content-Security-Policy") == "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%d %v\n%.300s", resp.StatusCode, resp.Header, body)
			}
		})
	}

	t.Run("JSON API as documented", func(t *testing.T) {
		testAPIAsDocumented(t, srv.URL, stack.opts.Log.(*testLog))
	})

	root, _ := samtemplate.ModuleRoot(".")
	samples, _ := filepath.Glob(filepath.Join(root, "functions", "*", "events", "*.json"))
	n := 0
	for _, path := range samples {
		if strings.HasSuffix(path, ".expect.json") {
			continue
		}
		n++
		dir := filepath.Base(filepath.Dir(filepath.Dir(path)))
		name := dir + "/" + strings.TrimSuffix(filepath.Base(path), ".json")
		t.Run(name, func(t *testing.T) {
			id := ""
			for _, f := range stack.tpl.Functions {
				if f.Dir == "functions/"+dir {
					id = f.LogicalID
				}
			}
			if id == "" {
				t.Fatalf("functions/%s is not a function of template.yaml", dir)
			}
			payload, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want := expectation(t, strings.TrimSuffix(path, ".json")+".expect.json")
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			out, err := stack.Invoke(ctx, id, payload)
			var fe *lambdarun.FunctionError
			if errors.As(err, &fe) {
				t.Fatalf("function error: %v", fe)
			}
			if err != nil {
				t.Fatal(err)
			}
			var probe struct {
				RouteKey string            `json:"routeKey"`
				Cookies  []string          `json:"cookies"`
				Headers  map[string]string `json:"headers"`
			}
			_ = json.Unmarshal(payload, &probe)
			if len(probe.Cookies) > 0 || probe.Headers["cookie"] != "" {
				want = 0
			}
			if probe.RouteKey == "" {
				return // not an HTTP event: success is answering without a function error
			}
			var resp events.APIGatewayV2HTTPResponse
			if err := json.Unmarshal(out, &resp); err != nil || resp.StatusCode == 0 {
				t.Fatalf("not an API Gateway v2 response: %.300s", out)
			}
			switch {
			case want != 0 && resp.StatusCode != want:
				t.Errorf("status %d, want %d\n%.500s", resp.StatusCode, want, resp.Body)
			case want == 0 && resp.StatusCode >= 500:
				t.Errorf("status %d\n%.500s", resp.StatusCode, resp.Body)
			}
		})
	}
	if n == 0 {
		t.Error("no functions/*/events/*.json sample found")
	}

	t.Run("sessions stay on their side", func(t *testing.T) {
		client := srv.Client()
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		testSessionsStayOnTheirSide(t, stack, srv.URL, client)
	})
}

func expectation(t *testing.T, path string) int {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		Status int `json:"status"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return e.Status
}
