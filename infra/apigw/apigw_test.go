package apigw

import (
	"context"
	"encoding/base64"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/preau/preau/shared/web"
)

func TestMatch(t *testing.T) {
	rt, err := NewRouter([]Route{
		{Method: "GET", Path: "/", Target: "home"},
		{Method: "GET", Path: "/static/{file+}", Target: "static"},
		{Method: "GET", Path: "/api/v1/me", Target: "me"},
		{Method: "GET", Path: "/api/v1/{thing}", Target: "thing"},
		{Method: "ANY", Path: "/api/v1/me", Target: "any-me"},
		{Method: "PUT", Path: "/api/v1/children/{childId}/reservations/{date}/{activity}", Target: "book"},
		{Method: "GET", Path: "/{proxy+}", Target: "catchall"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, path, target string
		params               map[string]string
	}{
		{"GET", "/", "home", map[string]string{}},
		{"GET", "/static/css/site.css", "static", map[string]string{"file": "css/site.css"}},
		{"GET", "/api/v1/me", "me", map[string]string{}},
		{"DELETE", "/api/v1/me", "any-me", map[string]string{}},
		{"GET", "/api/v1/deadlines", "thing", map[string]string{"thing": "deadlines"}},
		{"PUT", "/api/v1/children/c1/reservations/2026-12-07/cantine", "book",
			map[string]string{"childId": "c1", "date": "2026-12-07", "activity": "cantine"}},
		{"GET", "/nope/deeper", "catchall", map[string]string{"proxy": "nope/deeper"}},
		{"POST", "/", "", nil},
		{"POST", "/api/v1/children/c1/reservations/2026-12-07/cantine", "", nil},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r, params, ok := rt.Match(tc.method, tc.path)
			if tc.target == "" {
				if ok {
					t.Fatalf("matched %s", r.Key())
				}
				return
			}
			if !ok || r.Target != tc.target || !maps.Equal(params, tc.params) {
				t.Errorf("got %v %v %v, want %s %v", r.Target, params, ok, tc.target, tc.params)
			}
		})
	}
	t.Run("$default takes what no route matches, whatever the method", func(t *testing.T) {
		rt, err := NewRouter([]Route{
			{Method: "GET", Path: "/connexion", Target: "account"},
			{Method: "GET", Path: "/static/{file+}", Target: "static"},
			{Method: "ANY", Path: DefaultRoute, Target: "portal"},
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct{ method, path, key string }{
			{"GET", "/connexion", "GET /connexion"},
			{"PATCH", "/connexion", DefaultRoute},
			{"GET", "/nope", DefaultRoute},
			{"POST", "/static/a.css", DefaultRoute},
			{"GET", "/", DefaultRoute},
		} {
			r, params, ok := rt.Match(tc.method, tc.path)
			if !ok || r.Key() != tc.key || (r.Key() == DefaultRoute && (r.Target != "portal" || params != nil)) {
				t.Errorf("%s %s: %s %v %v, want %s", tc.method, tc.path, r.Key(), params, ok, tc.key)
			}
		}
		if _, err := NewRouter([]Route{{Method: "ANY", Path: DefaultRoute}, {Method: "ANY", Path: DefaultRoute}}); err == nil {
			t.Error("two $default routes accepted")
		}
	})
	t.Run("duplicate route refused", func(t *testing.T) {
		if _, err := NewRouter([]Route{{Method: "GET", Path: "/a"}, {Method: "GET", Path: "/a"}}); err == nil {
			t.Error("no error")
		}
	})
}

func TestRequest(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 59, 0, 0, time.UTC)
	route := Route{Method: "POST", Path: "/mon-espace/{action}"}
	for _, tc := range []struct {
		name, contentType, body string
		base64                  bool
	}{
		{"form arrives base64", "application/x-www-form-urlencoded", "a=1&b=%C3%A9", true},
		{"json as text", "application/json; charset=utf-8", `{"a":"é"}`, false},
		{"binary", "application/octet-stream", "\xff\xfe", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "http://127.0.0.1:8080/mon-espace/profil?x=1&x=2", strings.NewReader(tc.body))
			r.Header.Set("Content-Type", tc.contentType)
			r.Header.Set("Cookie", "session=abc; csrf=def")
			r.Header.Set("X-Custom", "v")
			ev, err := Request(r, route, map[string]string{"action": "profil"}, "req-1", now)
			if err != nil {
				t.Fatal(err)
			}
			body := ev.Body
			if ev.IsBase64Encoded {
				b, _ := base64.StdEncoding.DecodeString(ev.Body)
				body = string(b)
			}
			if ev.IsBase64Encoded != tc.base64 || body != tc.body {
				t.Errorf("body %q base64=%v", ev.Body, ev.IsBase64Encoded)
			}
			if ev.Version != "2.0" || ev.RouteKey != "POST /mon-espace/{action}" || ev.RawPath != "/mon-espace/profil" ||
				ev.RawQueryString != "x=1&x=2" || ev.QueryStringParameters["x"] != "1,2" ||
				ev.PathParameters["action"] != "profil" || ev.RequestContext.Stage != "$default" ||
				ev.RequestContext.RequestID != "req-1" || ev.RequestContext.HTTP.Method != "POST" ||
				ev.RequestContext.HTTP.Path != "/mon-espace/profil" || ev.RequestContext.TimeEpoch != now.UnixMilli() {
				t.Errorf("event = %+v", ev)
			}
			if strings.Join(ev.Cookies, "|") != "session=abc|csrf=def" || ev.Headers["cookie"] != "" ||
				ev.Headers["x-custom"] != "v" || ev.Headers["content-type"] != tc.contentType {
				t.Errorf("cookies %v headers %v", ev.Cookies, ev.Headers)
			}
		})
	}
}

// TestSameOriginWithPort sends a form post through the event this package builds, the adapter
// every function's main.go uses and the shared middleware: a request whose Origin is the host
// the client reached, port included, is same-origin even without Sec-Fetch-Site (older Safari,
// scripts), and another origin is still refused.
func TestSameOriginWithPort(t *testing.T) {
	mux := web.NewRouter()
	mux.HandleFunc("POST /mon-espace/{action}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	adapter := httpadapter.NewV2(web.Handler(mux, web.Options{Function: "test"}))
	route := Route{Method: "POST", Path: "/mon-espace/{action}"}
	for _, tc := range []struct {
		origin, fetchSite string
		status            int
	}{
		{"http://127.0.0.1:8080", "", http.StatusNoContent},
		{"http://127.0.0.1:8080", "same-origin", http.StatusNoContent},
		{"http://127.0.0.1:9999", "", http.StatusForbidden},
		{"http://127.0.0.1", "", http.StatusForbidden},
		{"https://ailleurs.example", "", http.StatusForbidden},
		{"http://127.0.0.1:8080", "cross-site", http.StatusForbidden},
	} {
		t.Run(tc.origin+" "+tc.fetchSite, func(t *testing.T) {
			r := httptest.NewRequest("POST", "http://127.0.0.1:8080/mon-espace/profil", strings.NewReader("a=1"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Origin", tc.origin)
			if tc.fetchSite != "" {
				r.Header.Set("Sec-Fetch-Site", tc.fetchSite)
			}
			ev, err := Request(r, route, map[string]string{"action": "profil"}, "req-1", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if ev.RequestContext.DomainName != "127.0.0.1:8080" {
				t.Errorf("domainName = %q, want the host as reached, 127.0.0.1:8080", ev.RequestContext.DomainName)
			}
			resp, err := adapter.ProxyWithContext(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
		})
	}
}

func TestWriteResponse(t *testing.T) {
	for _, tc := range []struct {
		name, payload, body string
		status              int
		header              http.Header
	}{
		{"proxy response", `{"statusCode":201,"headers":{"Content-Type":"text/html"},"multiValueHeaders":{"Vary":["A","B"]},"cookies":["a=1; HttpOnly","b=2"],"body":"<p>ok</p>"}`,
			"<p>ok</p>", 201, http.Header{"Content-Type": {"text/html"}, "Vary": {"A", "B"}, "Set-Cookie": {"a=1; HttpOnly", "b=2"}}},
		{"base64 body", `{"statusCode":200,"headers":{"Content-Type":"image/png"},"body":"iVBO","isBase64Encoded":true}`,
			"\x89PN", 200, http.Header{"Content-Type": {"image/png"}}},
		{"bare JSON", `{"hello":"world"}`, `{"hello":"world"}`, 200, http.Header{"Content-Type": {"application/json"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			if err := WriteResponse(w, []byte(tc.payload)); err != nil {
				t.Fatal(err)
			}
			if w.Code != tc.status || w.Body.String() != tc.body {
				t.Errorf("status %d body %q", w.Code, w.Body)
			}
			for k, want := range tc.header {
				if got := w.Header().Values(k); strings.Join(got, "|") != strings.Join(want, "|") {
					t.Errorf("header %s = %v, want %v", k, got, want)
				}
			}
		})
	}
}
