package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// CheckRouting is the test each function runs over its handler (what Handler returned): its
// patterns register in a ServeMux, which refuses two patterns that conflict, and for requests
// made from every pattern (its method and others, wildcards filled with plain, escaped and empty
// values, with and without a trailing slash, with extra segments, uncleaned) the Router and the
// ServeMux pick the same pattern with the same wildcard values, or give the same redirect, 405 or
// 404.
func CheckRouting(h http.Handler) error {
	c, ok := h.(chain)
	if !ok {
		return errors.New("not a handler made by web.Handler")
	}
	patterns := c.router.Patterns()
	var probes []*http.Request
	for _, p := range patterns {
		probes = append(probes, Probes(p)...)
	}
	return CompareRouting(patterns, probes)
}

// CompareRouting registers patterns in a Router and in a ServeMux (an error if the ServeMux
// refuses one) and returns the first request of probes they answer differently.
func CompareRouting(patterns []string, probes []*http.Request) (err error) {
	mux, rt := http.NewServeMux(), NewRouter()
	for _, p := range patterns {
		if err := register(mux, p); err != nil {
			return err
		}
		rt.Handle(p, recordRoute(p))
	}
	for _, r := range probes {
		want, got := serveRecorded(mux, r), serveRecorded(rt, r)
		if want != got {
			return fmt.Errorf("%s %s: ServeMux answers %s, Router %s", r.Method, r.URL, want, got)
		}
	}
	return nil
}

// register adds p to mux, turning its panic on a conflict into an error.
func register(mux *http.ServeMux, p string) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("pattern %q: %v", p, v)
		}
	}()
	mux.Handle(p, recordRoute(p))
	return nil
}

// recordRoute answers with the pattern it serves and the wildcard values it reads.
func recordRoute(pattern string) http.Handler {
	_, p, found := strings.Cut(pattern, " ")
	if !found {
		p = pattern
	}
	var names []string
	for _, seg := range strings.Split(p, "/") {
		if strings.HasPrefix(seg, "{") && seg != "{$}" {
			names = append(names, strings.TrimSuffix(strings.Trim(seg, "{}"), "..."))
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		values := make([]string, len(names))
		for i, n := range names {
			values[i] = n + "=" + r.PathValue(n)
		}
		fmt.Fprintf(w, "%s %q %v", pattern, r.Pattern, values)
	})
}

// serveRecorded is h's answer to a copy of r: status, Location, Allow and body.
func serveRecorded(h http.Handler, r *http.Request) string {
	w := &recordedAnswer{header: http.Header{}}
	h.ServeHTTP(w, r.Clone(r.Context()))
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return fmt.Sprintf("%d location=%q allow=%q %q", w.status, w.header.Get("Location"), w.header.Get("Allow"), w.body.String())
}

type recordedAnswer struct {
	header http.Header
	status int
	body   strings.Builder
}

func (w *recordedAnswer) Header() http.Header { return w.header }
func (w *recordedAnswer) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *recordedAnswer) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(b)
}

// Probes returns requests made from pattern: its method and others, each wildcard filled with
// a plain value, an escaped slash, escaped accents and nothing, the path with and without a
// trailing slash, with a segment more, with a doubled slash and a dot segment, and a query.
func Probes(pattern string) []*http.Request {
	method, p, found := strings.Cut(pattern, " ")
	if !found {
		method, p = "", pattern
	}
	var paths []string
	for _, v := range []string{"v1", "2026-12-01", "a%2Fb", "%C3%A9t%C3%A9", ""} {
		var segs []string
		for _, seg := range strings.Split(p, "/") {
			switch {
			case seg == "{$}":
				segs = append(segs, "")
			case strings.HasSuffix(seg, "...}"):
				segs = append(segs, v, "x")
			case strings.HasPrefix(seg, "{"):
				segs = append(segs, v)
			default:
				segs = append(segs, seg)
			}
		}
		paths = append(paths, strings.Join(segs, "/"))
	}
	base := paths[0]
	paths = append(paths, strings.TrimSuffix(base, "/"), base+"/", base+"/plus", strings.Replace(base, "/", "//", 2),
		strings.Replace(base, "/", "/./", 2), strings.ToUpper(base), "/")
	methods := []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch}
	if method != "" && !slices.Contains(methods, method) {
		methods = append(methods, method)
	}
	var out []*http.Request
	for _, m := range methods {
		for i, path := range paths {
			if path == "" {
				path = "/"
			}
			raw := path
			if i == 0 {
				raw += "?q=1"
			}
			u, err := url.ParseRequestURI(raw)
			if err != nil {
				continue
			}
			out = append(out, &http.Request{Method: m, URL: u, Host: "example.org", RequestURI: raw, Header: http.Header{}})
		}
	}
	return out
}
