package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// prefPatterns are patterns of the shapes Préau's functions register (their own, and more): a
// method's and no method's, a root and subtrees, {$}, wildcards beside literals, a final
// {name...}.
var prefPatterns = []string{
	"/",
	"GET /{$}",
	"GET /static/",
	"/gestion/",
	"GET /gestion",
	"GET /gestion/{$}",
	"GET /gestion/connexion",
	"POST /gestion/connexion",
	"GET /gestion/familles/{id}",
	"GET /gestion/familles/{id}/jours",
	"POST /gestion/familles/{id}/jours",
	"POST /gestion/familles/{id}/{action}",
	"GET /gestion/familles/{id}/enfants/{child}",
	"GET /gestion/activites/{activity}/{site}",
	"POST /gestion/activites/{activity}/{site}",
	"GET /gestion/facturation/familles/{id}/factures/{number}",
	"POST /gestion/facturation/familles/{id}/factures/{number}/guichet",
	"GET /api/v1/children/{childId}/planning",
	"PUT /api/v1/children/{childId}/reservations/{date}/{activity}",
	"DELETE /api/v1/children/{childId}/reservations/{date}/{activity}",
	"GET /api/v1/me",
	"PATCH /api/v1/me",
	"DELETE /api/v1/me",
	"PUT /api/v1/me/family",
	"GET /mon-espace",
	"POST /mon-espace/{action}",
	"GET /mon-espace/messages",
	"GET /mon-espace/messages/{thread}",
	"POST /mon-espace/messages/{thread}",
	"GET /calendrier/{token}",
	"GET /espace-facturation/factures/{number}/pdf",
	"GET /documents/{path...}",
	"OPTIONS /api/v1/preflight",
}

// TestRouterAnswersAsServeMux: for requests made from each pattern above (see Probes), the
// Router and Go's ServeMux pick the same pattern with the same wildcard values, or answer the
// same redirect, 405 with Allow, or 404.
func TestRouterAnswersAsServeMux(t *testing.T) {
	var probes []*http.Request
	for _, p := range prefPatterns {
		probes = append(probes, Probes(p)...)
	}
	if len(probes) < 1000 {
		t.Fatalf("only %d probes", len(probes))
	}
	if err := CompareRouting(prefPatterns, probes); err != nil {
		t.Fatal(err)
	}
}

// TestCheckRoutingFindsConflictsAndDifferences: what CheckRouting refuses, so that a function
// whose patterns conflict, or a Router that strays from ServeMux, fails its tests.
func TestCheckRoutingFindsConflictsAndDifferences(t *testing.T) {
	conflict := NewRouter()
	conflict.HandleFunc("GET /a/{x}", func(http.ResponseWriter, *http.Request) {})
	conflict.HandleFunc("GET /{y}/b", func(http.ResponseWriter, *http.Request) {})
	if err := CheckRouting(Handler(conflict, Options{})); err == nil || !strings.Contains(err.Error(), "conflicts") {
		t.Errorf("two patterns matching /a/b with neither more specific: %v", err)
	}
	if err := CheckRouting(http.NotFoundHandler()); err == nil {
		t.Error("a handler not made by Handler passed")
	}
	ok := NewRouter()
	ok.HandleFunc("GET /a/{x}", func(http.ResponseWriter, *http.Request) {})
	ok.HandleFunc("POST /a/b", func(http.ResponseWriter, *http.Request) {})
	if err := CheckRouting(Handler(ok, Options{})); err != nil {
		t.Error(err)
	}
	// A difference is reported: the Router given a pattern the ServeMux is not.
	u, _ := url.ParseRequestURI("/a/b")
	req := &http.Request{Method: http.MethodGet, URL: u, Host: "example.org", Header: http.Header{}}
	if err := CompareRouting([]string{"GET /a/{x}"}, []*http.Request{req}); err != nil {
		t.Fatal(err)
	}
	mux, rt := http.NewServeMux(), NewRouter()
	mux.Handle("GET /a/{x}", recordRoute("GET /a/{x}"))
	rt.Handle("GET /a/{y}", recordRoute("GET /a/{x}"))
	if serveRecorded(mux, req) == serveRecorded(rt, req) {
		t.Error("different wildcard names read alike")
	}
}

// TestRouterRefusesBadPatterns: what ServeMux refuses, the Router refuses too, at registration;
// it also refuses a few patterns ServeMux takes and Préau never writes (a lower-case method, an
// empty segment).
func TestRouterRefusesBadPatterns(t *testing.T) {
	for _, p := range []string{"", "a", "GET a", "GET /a/{", "GET /a/{x", "GET /a/{x}/{x}", "GET /a/{x}/{x...}",
		"GET /a/{x...}/b", "GET /a/{$}/b", "GET /a/{1x}", "GET /a/b{x}", "GET /a/./b", "GET /a/..", "GET /.", "G(T /a",
		"GET,POST /a", "get /a", "GET /a//b"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("pattern %q accepted", p)
				}
			}()
			NewRouter().Handle(p, http.NotFoundHandler())
		}()
	}
	rt := NewRouter()
	rt.Handle("GET /a/{x}", http.NotFoundHandler())
	defer func() {
		if recover() == nil {
			t.Error("the same pattern, with another wildcard name, registered twice")
		}
	}()
	rt.Handle("GET /a/{y}", http.NotFoundHandler())
}

// FuzzRouterAnswersAsServeMux: any method and path, against the patterns above.
func FuzzRouterAnswersAsServeMux(f *testing.F) {
	for _, s := range []string{"/", "/gestion", "/gestion/familles/f1/jours", "/gestion//familles/./f1", "/api/v1/me/",
		"/documents/a%2Fb/c", "/mon-espace/messages/%C3%A9", "/static", "/STATIC/app.css", "/gestion/familles/f1/enfants",
		"/documents", "/%67estion/connexion?q=%20", "//static?x=1", "/gestion/familles/%2E%2E/f1", "/%2F"} {
		f.Add("GET", s)
		f.Add("POST", s)
		f.Add("HEAD", s)
	}
	mux, rt := http.NewServeMux(), NewRouter()
	for _, p := range prefPatterns {
		mux.Handle(p, recordRoute(p))
		rt.Handle(p, recordRoute(p))
	}
	f.Fuzz(func(t *testing.T, method, raw string) {
		if method == "" || method == http.MethodConnect || strings.ContainsAny(method, " \t\r\n") {
			t.Skip() // a server reads no such method; CONNECT is never routed by path
		}
		u, err := url.ParseRequestURI(raw)
		if err != nil || !strings.HasPrefix(raw, "/") {
			t.Skip()
		}
		r := &http.Request{Method: method, URL: u, Host: "example.org", RequestURI: raw, Header: http.Header{}}
		if want, got := serveRecorded(mux, r), serveRecorded(rt, r); want != got {
			t.Fatalf("%s %s: ServeMux answers %s, Router %s", method, raw, want, got)
		}
	})
}

// TestRouterNamesThePatternOfARedirect: a subtree's root without its slash is redirected, and
// Handler names the pattern the redirect leads to, as ServeMux does (the request log's route).
func TestRouterNamesThePatternOfARedirect(t *testing.T) {
	rt := NewRouter()
	rt.Handle("GET /static/", http.NotFoundHandler())
	rt.Handle("GET /documents/{path...}", http.NotFoundHandler())
	for path, want := range map[string]string{"/static": "GET /static/", "/documents": "GET /documents/{path...}"} {
		u, _ := url.ParseRequestURI(path)
		if _, got := rt.Handler(&http.Request{Method: http.MethodGet, URL: u}); got != want {
			t.Errorf("%s: pattern %q, want %q", path, got, want)
		}
	}
}

// TestRouterRefusesAsteriskRequests: "*" (OPTIONS * HTTP/1.1) is no path: 400, as ServeMux.
func TestRouterRefusesAsteriskRequests(t *testing.T) {
	rt := NewRouter()
	rt.Handle("/", http.NotFoundHandler())
	r := &http.Request{Method: http.MethodOptions, URL: &url.URL{Path: "*"}, RequestURI: "*", ProtoMajor: 1, ProtoMinor: 1}
	w := &recordedAnswer{header: http.Header{}}
	rt.ServeHTTP(w, r)
	if w.status != http.StatusBadRequest || w.header.Get("Connection") != "close" {
		t.Errorf("status %d, Connection %q", w.status, w.header.Get("Connection"))
	}
}
