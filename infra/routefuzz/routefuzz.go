// Package routefuzz fuzzes one function's routes, as template.yaml declares them, through its
// handler in process: every path parameter, the query string and the body (JSON on /api/, a form
// elsewhere) come from the fuzzer, signed in or not, and no answer may be a 5xx. A 5xx means an
// input reached storage or a rule unvalidated; the fix is a refusal before any storage call.
//
// Each function's fuzz_test.go calls Fuzz from its FuzzRoutes. `go test` (and so `make test`)
// replays the seed corpus built here — every route with hostile values in each path parameter,
// each query parameter and each field of the sample bodies the function gives — and any
// failing input saved under testdata/fuzz; a longer run explores further:
//
//	go run ./infra/testenv -- go test -run '^$' -fuzz FuzzRoutes -fuzztime 60s ./functions/planning
package routefuzz

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/preau/preau/infra/samtemplate"
	"github.com/preau/preau/shared/web"
)

// Target is the function under test.
type Target struct {
	// Function is the function's LogicalID in template.yaml; Fuzz covers every route it declares.
	Function string
	Handler  http.Handler
	// Routed is the handler web.Handler made, when Handler wraps it (nil: Handler is it): its
	// patterns are checked against Go's ServeMux (web.CheckRouting) before the fuzzing.
	Routed http.Handler
	// Sessions are session cookie values the handler accepts (signed-in parents); requests are
	// sent with each of them and without any.
	Sessions []string
	// Queries gives, by route key ("GET /api/v1/deadlines"), the query strings the route reads
	// ("from=2026-12-01&to=2026-12-31"); each parameter is tried with every hostile value.
	Queries map[string][]string
	// Bodies gives, by route key, sample bodies: a JSON object on /api/ routes, an encoded form
	// elsewhere; each field is tried with every hostile value.
	Bodies map[string][]string
	// Params gives, by path parameter name, a valid value ("childId": "c_lea"), so that the
	// other parameters' hostile values get past it.
	Params map[string]string
}

// hostile are the strings every parameter and field is tried with.
var hostile = []string{
	"",
	" ",
	strings.Repeat("a", 3000),
	strings.Repeat("a", 3000) + "@example.fr",
	strings.Repeat("é", 1000),
	"../../etc/passwd",
	"%00",
	"\x00",
	"\xff\xfe",
	"<script>alert(1)</script>",
	"2026-02-30",
	"0000-01-01",
	"9999-12-31",
	"-1",
	"1e309",
	"null",
	"cantine#jules-ferry",
	"FAMILY#f_a",
}

// hostileJSON are the JSON values every field of a JSON body is tried with, besides hostile.
var hostileJSON = []string{"null", "0", "-1", "1e308", "true", "[]", "{}", `[""]`, `[null]`,
	`[` + strings.Repeat(`"2026-12-07",`, 999) + `"2026-12-07"]`}

// malformed are the bodies every route is sent, whatever it reads.
var malformed = []string{"{", "[]", "null", `{"a":`, strings.Repeat("[", 10000), "a=%zz&b", strings.Repeat("x=1&", 20000)}

// Fuzz adds the seed corpus and runs the fuzz target over t's routes.
func Fuzz(f *testing.F, t Target) {
	// The function's own patterns first: they must not conflict, and its Router must route
	// requests made from them as Go's ServeMux would.
	routed := t.Routed
	if routed == nil {
		routed = t.Handler
	}
	if err := web.CheckRouting(routed); err != nil {
		f.Fatalf("%s: %v", t.Function, err)
	}
	routes := Routes(f, t.Function)
	sessions := append([]string{""}, t.Sessions...)
	n := 0
	add := func(route int, params, query string, body []byte) {
		f.Add(uint8(route), uint8(n%len(sessions)), uint8(n/len(sessions)), params, query, body)
		n++
	}
	for i, r := range routes {
		key := r.RouteKey()
		names := paramNames(r.Path)
		valid := make([]string, len(names))
		for j, name := range names {
			valid[j] = cmpOr(t.Params[name], "x")
		}
		if r.Path == samtemplate.DefaultRoute {
			for _, m := range methods {
				add(i, m+"\nnope", "", nil)
			}
		}
		queries := cmpOrSlice(t.Queries[key], "")
		bodies := cmpOrSlice(t.Bodies[key], "")
		add(i, strings.Join(valid, "\n"), queries[0], []byte(bodies[0]))
		for j := range names {
			for _, h := range hostile {
				p := append([]string(nil), valid...)
				p[j] = h
				add(i, strings.Join(p, "\n"), queries[0], []byte(bodies[0]))
			}
		}
		for _, q := range queries {
			for _, v := range queryVariants(q) {
				add(i, strings.Join(valid, "\n"), v, []byte(bodies[0]))
			}
		}
		for _, v := range malformed {
			add(i, strings.Join(valid, "\n"), queries[0], []byte(v))
		}
		for _, b := range t.Bodies[key] {
			for _, v := range bodyVariants(strings.HasPrefix(r.Path, "/api/"), b) {
				add(i, strings.Join(valid, "\n"), queries[0], []byte(v))
			}
		}
	}

	f.Fuzz(func(tt *testing.T, route, who, accept uint8, params, query string, body []byte) {
		r := routes[int(route)%len(routes)]
		req := Request(r, strings.Split(params, "\n"), query, body)
		if s := sessions[int(who)%len(sessions)]; s != "" {
			req.AddCookie(&http.Cookie{Name: "preau_session", Value: s})
		}
		req.Header.Set("Accept", []string{"", "application/json", "text/html", "application/problem+json"}[int(accept)%4])
		w := httptest.NewRecorder()
		t.Handler.ServeHTTP(w, req)
		if w.Code >= 500 {
			tt.Errorf("%s %s (params %q, body %.200q): status %d %.300s", req.Method, req.URL.RequestURI(), params, body, w.Code, w.Body)
		}
	})
}

// Routes returns the routes template.yaml gives the function.
func Routes(tb testing.TB, function string) []samtemplate.Route {
	tb.Helper()
	root, err := samtemplate.ModuleRoot(".")
	if err != nil {
		tb.Fatal(err)
	}
	tpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"), nil, nil)
	if err != nil {
		tb.Fatal(err)
	}
	fn, ok := tpl.Function(function)
	if !ok || len(fn.Routes) == 0 {
		tb.Fatalf("template.yaml gives %s no route", function)
	}
	return fn.Routes
}

// Request builds the request API Gateway would pass for route with those path parameter values
// (in the order of the path; missing ones are "x"), raw query string and body.
//
// The $default route's two parameters are the method and the path (without its leading slash),
// since it takes every request no other route does.
func Request(r samtemplate.Route, params []string, query string, body []byte) *http.Request {
	if r.Path == samtemplate.DefaultRoute {
		method, path := http.MethodGet, "x"
		if len(params) > 0 && slices.Contains(methods, params[0]) {
			method = params[0]
		}
		if len(params) > 1 {
			path = params[1]
		}
		r = samtemplate.Route{Method: method, Path: "/{path+}"}
		params = []string{path}
	}
	var decoded, escaped strings.Builder
	next := 0
	for _, seg := range strings.Split(strings.Trim(r.Path, "/"), "/") {
		if seg == "" {
			continue
		}
		v := seg
		if strings.HasPrefix(seg, "{") {
			v = "x"
			if next < len(params) {
				v = params[next]
			}
			next++
		}
		decoded.WriteString("/" + v)
		if strings.HasSuffix(seg, "+}") {
			parts := strings.Split(v, "/")
			for i, p := range parts {
				parts[i] = url.PathEscape(p)
			}
			escaped.WriteString("/" + strings.Join(parts, "/"))
		} else {
			escaped.WriteString("/" + url.PathEscape(v))
		}
	}
	if decoded.Len() == 0 {
		decoded.WriteString("/")
		escaped.WriteString("/")
	}
	method := r.Method
	if method == "ANY" {
		method = http.MethodGet
	}
	req := httptest.NewRequest(method, "/", bytes.NewReader(body))
	req.URL = &url.URL{Path: decoded.String(), RawPath: escaped.String(), RawQuery: query}
	req.RequestURI = req.URL.RequestURI()
	if len(body) > 0 {
		if strings.HasPrefix(r.Path, "/api/") {
			req.Header.Set("Content-Type", "application/json")
		} else {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	return req
}

// methods are those the $default route is tried with.
var methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// paramNames lists a path's {param} names in order.
func paramNames(path string) []string {
	if path == samtemplate.DefaultRoute {
		return []string{"method", "path"}
	}
	var out []string
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out = append(out, strings.TrimSuffix(strings.Trim(seg, "{}"), "+"))
		}
	}
	return out
}

// queryVariants is q with each parameter in turn set to each hostile value, then repeated.
func queryVariants(q string) []string {
	vals, err := url.ParseQuery(q)
	if err != nil {
		panic(fmt.Sprintf("routefuzz: query %q: %v", q, err))
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(vals)) {
		for _, h := range hostile {
			v := cloneValues(vals)
			v.Set(k, h)
			out = append(out, v.Encode())
		}
		v := cloneValues(vals)
		v.Add(k, vals.Get(k))
		out = append(out, v.Encode())
	}
	return out
}

// bodyVariants is b with each field in turn set to each hostile value, then dropped.
func bodyVariants(isJSON bool, b string) []string {
	var out []string
	if !isJSON {
		vals, err := url.ParseQuery(b)
		if err != nil {
			panic(fmt.Sprintf("routefuzz: form %q: %v", b, err))
		}
		for _, k := range slices.Sorted(maps.Keys(vals)) {
			for _, h := range hostile {
				v := cloneValues(vals)
				v.Set(k, h)
				out = append(out, v.Encode())
			}
			v := cloneValues(vals)
			v.Del(k)
			out = append(out, v.Encode())
		}
		return out
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(b), &obj); err != nil {
		panic(fmt.Sprintf("routefuzz: JSON body %q: %v", b, err))
	}
	values := append([]string(nil), hostileJSON...)
	for _, h := range hostile {
		s, _ := json.Marshal(h)
		values = append(values, string(s))
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		for _, h := range values {
			o := cloneObj(obj)
			o[k] = json.RawMessage(h)
			enc, _ := json.Marshal(o)
			out = append(out, string(enc))
		}
		o := cloneObj(obj)
		delete(o, k)
		enc, _ := json.Marshal(o)
		out = append(out, string(enc))
	}
	return out
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

func cloneObj(o map[string]json.RawMessage) map[string]json.RawMessage { return maps.Clone(o) }

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func cmpOrSlice(s []string, def string) []string {
	if len(s) == 0 {
		return []string{def}
	}
	return s
}
