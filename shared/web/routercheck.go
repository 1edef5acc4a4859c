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

// routing is what ServeMux and Router both are.
type routing interface {
	http.Handler
	Handler(r *http.Request) (h http.Handler, pattern string)
}

// serveRecorded is h's answer to a copy of r: the pattern Handler names, then the status,
// Location, Allow and body of serving it.
func serveRecorded(h routing, r *http.Request) string {
	_, pattern := h.Handler(r.Clone(r.Context()))
	w := &recordedAnswer{header: http.Header{}}
	h.ServeHTTP(w, r.Clone(r.Context()))
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return fmt.Sprintf("pattern=%q %d location=%q allow=%q %q", pattern, w.status, w.header.Get("Location"), w.header.Get("Allow"), w.body.String())
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

// Probes returns requests made from pattern: its method and others (OPTIONS and TRACE among
// them, which API Gateway forwards), each wildcard filled with a plain value, an escaped slash,
// escaped accents, dots and nothing; the path with and without a trailing slash, with a segment
// more, a subtree's root with and without its slash, with a doubled slash, a dot segment, an
// escaped dot segment and an escaped first letter, upper-cased; each with and without a query,
// made as a server reads them and as the Lambda adapter builds them (an absolute URL).
func Probes(pattern string) []*http.Request {
	method, p, found := strings.Cut(pattern, " ")
	if !found {
		method, p = "", pattern
	}
	var paths []string
	fill := func(v string, subtreeRoot bool) string {
		var segs []string
		for i, seg := range strings.Split(p, "/") {
			last := i == strings.Count(p, "/")
			switch {
			case seg == "{$}":
				segs = append(segs, "")
			case strings.HasSuffix(seg, "...}"):
				if !subtreeRoot {
					segs = append(segs, v, "x")
				}
			case seg == "" && last && i > 0:
				if !subtreeRoot {
					segs = append(segs, v)
				}
			case strings.HasPrefix(seg, "{"):
				segs = append(segs, v)
			default:
				segs = append(segs, seg)
			}
		}
		return strings.Join(segs, "/")
	}
	for _, v := range []string{"v1", "2026-12-01", "a%2Fb", "%C3%A9t%C3%A9", "%2E", "..", ""} {
		paths = append(paths, fill(v, false))
	}
	base := paths[0]
	root := fill("v1", true)
	paths = append(paths, strings.TrimSuffix(base, "/"), base+"/", base+"/plus", root, root+"/",
		strings.Replace(base, "/", "//", 2), strings.Replace(base, "/", "/./", 2), strings.Replace(base, "/", "/%2E%2E/", 1),
		"/"+strings.TrimSuffix(escapeFirst(base[min(1, len(base)):]), "/"), strings.ToUpper(base), "/", "//"+base, "/%2F")
	methods := []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch,
		http.MethodOptions, http.MethodTrace}
	if method != "" && !slices.Contains(methods, method) {
		methods = append(methods, method)
	}
	var out []*http.Request
	for _, m := range methods {
		for _, path := range paths {
			if path == "" {
				path = "/"
			}
			for _, raw := range []string{path, path + "?q=1&r=%C3%A9"} {
				u, err := url.ParseRequestURI(raw)
				if err != nil {
					continue
				}
				out = append(out, &http.Request{Method: m, URL: u, Host: "example.org", RequestURI: raw, Header: http.Header{}})
				if r, err := http.NewRequest(m, "https://portail.example.org"+raw, nil); err == nil {
					out = append(out, r)
				}
			}
		}
	}
	return out
}

// escapeFirst writes s's first letter as a percent escape ("gestion" → "%67estion").
func escapeFirst(s string) string {
	if s == "" || s[0] == '/' || s[0] == '%' {
		return s
	}
	return fmt.Sprintf("%%%02X", s[0]) + s[1:]
}
