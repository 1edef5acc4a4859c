package web

import (
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
)

// Router routes a function's requests by Go's ServeMux patterns, the part of their syntax
// Préau's functions write: "[METHOD ]/path" of literal segments and {name} wildcards, ending in
// {name...}, {$} or "/" (a subtree). It answers as ServeMux does: the pattern of the request's
// method wins over one with no method, GET serves HEAD, then the most specific path (a literal
// segment before a wildcard, a wildcard before a subtree); an uncleaned path or a subtree's root
// without its slash is redirected (307), a path served for other methods is a 405 with Allow,
// anything else http.NotFound; handlers read wildcards with r.PathValue.
//
// What it leaves out is what costs ServeMux at every cold start: recording each pattern's caller
// (runtime.Caller) and indexing it against every other for conflicts took 0.2 to 0.5 ms of the
// back-office's start-up with its 43 patterns. Registering here only adds the pattern to a
// tree. Conflicts are the tests' to find: CheckRouting registers a handler's patterns in a
// ServeMux (which refuses conflicting ones) and compares both on requests made from them.
type Router struct {
	methods  map[string]*node // the tree of each method's patterns; "" for patterns with none
	patterns []string
}

// node is a position in a path: the route ending there, and the ways further down.
type node struct {
	route    *route
	literals map[string]*node // by unescaped segment; "/" is a final {$}
	wildcard *node            // {name}
	rest     *route           // a final {name...} or trailing slash: the rest of the path
}

// route is one registered pattern.
type route struct {
	pattern  string
	handler  http.Handler
	names    []string // the wildcards' names, in order ("" for a trailing slash's)
	segments int      // as ServeMux counts them: a final {$} or trailing slash is one
	subtree  bool     // ends in {name...} or a trailing slash
}

// NewRouter returns a Router with no patterns.
func NewRouter() *Router { return &Router{methods: map[string]*node{}} }

// HandleFunc registers f for pattern (see Handle).
func (rt *Router) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	rt.Handle(pattern, http.HandlerFunc(f))
}

// Handle registers h for pattern. It panics on a pattern it cannot read or registered before,
// as ServeMux does.
func (rt *Router) Handle(pattern string, h http.Handler) {
	if err := rt.add(pattern, h); err != nil {
		panic(fmt.Sprintf("web: pattern %q: %v", pattern, err))
	}
}

func (rt *Router) add(pattern string, h http.Handler) error {
	method, p, found := strings.Cut(pattern, " ")
	if !found {
		method, p = "", pattern
	}
	if found && !isMethod(method) {
		return fmt.Errorf("bad method %q", method)
	}
	if p == "" || p[0] != '/' {
		return fmt.Errorf("path must start with /")
	}
	r := &route{pattern: pattern, handler: h}
	n := rt.methods[method]
	if n == nil {
		n = &node{}
		rt.methods[method] = n
	}
	segs := strings.Split(p[1:], "/")
	for i, seg := range segs {
		last := i == len(segs)-1
		r.segments++
		switch {
		case seg == "" && last: // a trailing slash: the rest of the path, unnamed
			r.names, r.subtree = append(r.names, ""), true
			return rt.end(&n.rest, r)
		case seg == "{$}" && last:
			n = n.child("/")
		case strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "...}") && last:
			name := seg[1 : len(seg)-4]
			if !isWildcardName(name) || slices.Contains(r.names, name) {
				return fmt.Errorf("bad wildcard %q", seg)
			}
			r.names, r.subtree = append(r.names, name), true
			return rt.end(&n.rest, r)
		case strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}"):
			name := seg[1 : len(seg)-1]
			if !isWildcardName(name) || slices.Contains(r.names, name) {
				return fmt.Errorf("bad wildcard %q", seg)
			}
			r.names = append(r.names, name)
			if n.wildcard == nil {
				n.wildcard = &node{}
			}
			n = n.wildcard
		case seg == "" || seg == "." || seg == ".." || strings.ContainsAny(seg, "{}"):
			return fmt.Errorf("bad segment %q", seg)
		default:
			lit, err := url.PathUnescape(seg)
			if err != nil {
				return err
			}
			n = n.child(lit)
		}
	}
	return rt.end(&n.route, r)
}

// end puts r where its pattern ends, unless a pattern ends there already.
func (rt *Router) end(at **route, r *route) error {
	if *at != nil {
		return fmt.Errorf("registered twice (%q)", (*at).pattern)
	}
	*at = r
	rt.patterns = append(rt.patterns, r.pattern)
	return nil
}

// isMethod reports whether s is a method as Préau writes them: upper-case letters.
func isMethod(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

func isWildcardName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func (n *node) child(seg string) *node {
	if n.literals == nil {
		n.literals = map[string]*node{}
	}
	c := n.literals[seg]
	if c == nil {
		c = &node{}
		n.literals[seg] = c
	}
	return c
}

// Patterns returns the registered patterns, in the order they were registered.
func (rt *Router) Patterns() []string { return slices.Clone(rt.patterns) }

// ServeHTTP serves r with the handler of the pattern it matches, or the redirect, 405 or 404
// ServeMux would answer.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.RequestURI == "*" {
		if r.ProtoAtLeast(1, 1) {
			w.Header().Set("Connection", "close")
		}
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	h, pattern, rte, values := rt.find(r)
	r.Pattern = pattern
	if rte != nil {
		for i, name := range rte.names {
			if name != "" {
				r.SetPathValue(name, values[i])
			}
		}
	}
	h.ServeHTTP(w, r)
}

// Handler returns the handler that would serve r and its pattern ("" when none matches), as
// ServeMux.Handler does; r is left as it is.
func (rt *Router) Handler(r *http.Request) (http.Handler, string) {
	h, pattern, _, _ := rt.find(r)
	return h, pattern
}

func (rt *Router) find(r *http.Request) (http.Handler, string, *route, []string) {
	escaped := r.URL.EscapedPath()
	clean := cleanPath(escaped)
	rte, values := rt.match(r.Method, clean)
	if !exact(rte, clean) && !strings.HasSuffix(clean, "/") {
		if with, _ := rt.match(r.Method, clean+"/"); exact(with, clean+"/") {
			u := &url.URL{Path: cleanPath(r.URL.Path) + "/", RawQuery: r.URL.RawQuery}
			return http.RedirectHandler(u.String(), http.StatusTemporaryRedirect), with.pattern, nil, nil
		}
	}
	if clean != escaped {
		pattern := ""
		if rte != nil {
			pattern = rte.pattern
		}
		u := &url.URL{Path: clean, RawQuery: r.URL.RawQuery}
		return http.RedirectHandler(u.String(), http.StatusTemporaryRedirect), pattern, nil, nil
	}
	if rte == nil {
		if allowed := rt.methodsFor(clean); len(allowed) > 0 {
			return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Allow", strings.Join(allowed, ", "))
				http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			}), "", nil, nil
		}
		return http.NotFoundHandler(), "", nil, nil
	}
	return rte.handler, rte.pattern, rte, values
}

// match finds the route of method and the cleaned, escaped path p: the method's own patterns
// first, GET's for HEAD, then the patterns with no method.
func (rt *Router) match(method, p string) (*route, []string) {
	if r, v := rt.methods[method].match(p, nil); r != nil {
		return r, v
	}
	if method == http.MethodHead {
		if r, v := rt.methods[http.MethodGet].match(p, nil); r != nil {
			return r, v
		}
	}
	if method == "" {
		return nil, nil
	}
	return rt.methods[""].match(p, nil)
}

// match walks p, a literal segment before a wildcard before the rest of the path, going back
// up when a way leads nowhere.
func (n *node) match(p string, values []string) (*route, []string) {
	if n == nil {
		return nil, nil
	}
	if p == "" {
		return n.route, values
	}
	seg, tail := firstSegment(p)
	if r, v := n.literals[seg].match(tail, values); r != nil {
		return r, v
	}
	if seg != "/" {
		if r, v := n.wildcard.match(tail, append(values, seg)); r != nil {
			return r, v
		}
	}
	if n.rest != nil {
		return n.rest, append(values, unescape(p[1:]))
	}
	return nil, nil
}

// firstSegment splits p (which starts with "/") into its first segment, unescaped, and the
// rest; "/" alone is the segment "/".
func firstSegment(p string) (string, string) {
	if p == "/" {
		return "/", ""
	}
	p = p[1:]
	i := strings.IndexByte(p, '/')
	if i < 0 {
		i = len(p)
	}
	return unescape(p[:i]), p[i:]
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// exact reports whether r matched p without a subtree taking a non-empty rest of it.
func exact(r *route, p string) bool {
	switch {
	case r == nil:
		return false
	case !r.subtree:
		return true
	case p != "" && p[len(p)-1] != '/':
		return false
	}
	return r.segments == strings.Count(p, "/")
}

// methodsFor lists the methods some pattern serves p with (with HEAD where GET is), sorted.
func (rt *Router) methodsFor(p string) []string {
	var ms []string
	for method, n := range rt.methods {
		if method == "" {
			continue
		}
		if r, _ := n.match(p, nil); r != nil {
			ms = append(ms, method)
		} else if !strings.HasSuffix(p, "/") {
			if r, _ := n.match(p+"/", nil); r != nil {
				ms = append(ms, method)
			}
		}
	}
	if slices.Contains(ms, http.MethodGet) && !slices.Contains(ms, http.MethodHead) {
		ms = append(ms, http.MethodHead)
	}
	slices.Sort(ms)
	return ms
}

// cleanPath is p with . and .. elements and repeated slashes removed, keeping a final slash.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	c := path.Clean(p)
	if p[len(p)-1] == '/' && c != "/" {
		c += "/"
	}
	return c
}
