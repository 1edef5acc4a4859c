// Package apigw does locally what API Gateway's HTTP API (payload format 2.0) does in front of
// Préau's functions: it matches a request against the template's routes, turns it into the
// events.APIGatewayV2HTTPRequest a function receives, and writes the function's
// events.APIGatewayV2HTTPResponse back as HTTP.
//
// Route selection follows API Gateway: a path with more literal segments wins over one with
// {param} segments, a greedy {proxy+} segment matches last, and a method beats ANY. A request that
// matches no route — no path, or a path whose routes have other methods — goes to the $default
// route when there is one (route key "$default", no path parameters); without one it gets 404
// {"message":"Not Found"}, as from API Gateway.
package apigw

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// Route is one route of the API: "METHOD /path/{param}/{greedy+}" served by Target.
type Route struct {
	Method string // GET, POST, …, or ANY
	Path   string
	Target string // what serves it (the function's LogicalID)

	segments []string
}

// DefaultRoute is the Path and route key of the $default route.
const DefaultRoute = "$default"

// Key is the route key: "GET /static/{file+}", or "$default".
func (r Route) Key() string {
	if r.Path == DefaultRoute {
		return DefaultRoute
	}
	return r.Method + " " + r.Path
}

// Router selects routes the way API Gateway does.
type Router struct {
	routes   []Route
	fallback *Route // the $default route, if any
}

// NewRouter returns a router over routes; duplicate route keys are an error, as on deployment.
func NewRouter(routes []Route) (*Router, error) {
	seen := map[string]bool{}
	rt := &Router{}
	for _, r := range routes {
		if r.Path == DefaultRoute {
			if rt.fallback != nil {
				return nil, fmt.Errorf("route %s declared twice", DefaultRoute)
			}
			rt.fallback = &r
			rt.routes = append(rt.routes, r)
			continue
		}
		if !strings.HasPrefix(r.Path, "/") {
			return nil, fmt.Errorf("route %s: path must start with /", r.Key())
		}
		if seen[r.Key()] {
			return nil, fmt.Errorf("route %s declared twice", r.Key())
		}
		seen[r.Key()] = true
		r.segments = split(r.Path)
		for i, s := range r.segments {
			if isGreedy(s) && i != len(r.segments)-1 {
				return nil, fmt.Errorf("route %s: a greedy segment must be last", r.Key())
			}
		}
		rt.routes = append(rt.routes, r)
	}
	return rt, nil
}

// Routes returns the routes in declaration order.
func (rt *Router) Routes() []Route { return rt.routes }

func split(path string) []string {
	path = strings.Trim(path, "/")
	if path == "" {
		return nil
	}
	return strings.Split(path, "/")
}

func isParam(s string) bool  { return strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") }
func isGreedy(s string) bool { return isParam(s) && strings.HasSuffix(s, "+}") }

// Match returns the route for method and (decoded) path, with its path parameters.
func (rt *Router) Match(method, path string) (Route, map[string]string, bool) {
	segs := split(path)
	var best Route
	var bestParams map[string]string
	var bestScore []int
	found := false
	for _, r := range rt.routes {
		if r.Path == DefaultRoute || (r.Method != method && r.Method != "ANY") {
			continue
		}
		params, score, ok := match(r.segments, segs)
		if !ok {
			continue
		}
		// A specific method beats ANY at equal path specificity.
		if r.Method != "ANY" {
			score = append(score, 1)
		} else {
			score = append(score, 0)
		}
		if !found || better(score, bestScore) {
			best, bestParams, bestScore, found = r, params, score, true
		}
	}
	if !found && rt.fallback != nil {
		return *rt.fallback, nil, true
	}
	return best, bestParams, found
}

// match scores each segment: 3 literal, 2 {param}, 1 {greedy+}; comparing scores left to right
// prefers the most literal prefix, which is how API Gateway picks among overlapping routes.
func match(route, segs []string) (map[string]string, []int, bool) {
	params := map[string]string{}
	var score []int
	for i, rs := range route {
		if isGreedy(rs) {
			if i >= len(segs) {
				return nil, nil, false // a greedy variable matches at least one segment
			}
			params[rs[1:len(rs)-2]] = strings.Join(segs[i:], "/")
			return params, append(score, 1), true
		}
		if i >= len(segs) {
			return nil, nil, false
		}
		switch {
		case isParam(rs):
			if segs[i] == "" {
				return nil, nil, false
			}
			params[rs[1:len(rs)-1]] = segs[i]
			score = append(score, 2)
		case rs == segs[i]:
			score = append(score, 3)
		default:
			return nil, nil, false
		}
	}
	if len(segs) != len(route) {
		return nil, nil, false
	}
	return params, score, true
}

func better(a, b []int) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] > b[i]
		}
	}
	return len(a) > len(b)
}

// Request builds the event API Gateway would send for r on route with params.
// requestID identifies the request (API Gateway's requestContext.requestId).
func Request(r *http.Request, route Route, params map[string]string, requestID string, now time.Time) (events.APIGatewayV2HTTPRequest, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 10<<20+1))
	if err != nil {
		return events.APIGatewayV2HTTPRequest{}, fmt.Errorf("read body: %w", err)
	}
	if len(body) > 10<<20 {
		return events.APIGatewayV2HTTPRequest{}, ErrPayloadTooLarge
	}
	sourceIP, _, _ := net.SplitHostPort(r.RemoteAddr)
	headers := map[string]string{}
	for k, vs := range r.Header {
		if strings.EqualFold(k, "Cookie") {
			continue // API Gateway moves cookies to their own field
		}
		headers[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	headers["host"] = r.Host
	headers["x-forwarded-for"] = sourceIP
	headers["x-forwarded-proto"] = "http"
	if _, port, err := net.SplitHostPort(r.Host); err == nil {
		headers["x-forwarded-port"] = port
	}
	if len(body) > 0 || r.ContentLength > 0 {
		headers["content-length"] = fmt.Sprint(len(body))
	}
	var cookies []string
	for _, line := range r.Header.Values("Cookie") {
		for c := range strings.SplitSeq(line, ";") {
			if c = strings.TrimSpace(c); c != "" {
				cookies = append(cookies, c)
			}
		}
	}
	if len(params) == 0 {
		params = nil
	}
	ev := events.APIGatewayV2HTTPRequest{
		Version:        "2.0",
		RouteKey:       route.Key(),
		RawPath:        r.URL.EscapedPath(),
		RawQueryString: r.URL.RawQuery,
		Cookies:        cookies,
		Headers:        headers,
		PathParameters: params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     route.Key(),
			AccountID:    "000000000000",
			Stage:        "$default",
			RequestID:    requestID,
			APIID:        "local",
			DomainName:   r.Host, // the host the client reached; locally it has a port
			DomainPrefix: strings.Split(hostOnly(r.Host), ".")[0],
			Time:         now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
		},
	}
	if q := r.URL.Query(); len(q) > 0 {
		ev.QueryStringParameters = map[string]string{}
		for k, vs := range q {
			ev.QueryStringParameters[k] = strings.Join(vs, ",")
		}
	}
	if len(body) > 0 {
		if isText(r.Header.Get("Content-Type")) && utf8.Valid(body) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}
	return ev, nil
}

// ErrPayloadTooLarge is API Gateway's 10 MB request limit.
var ErrPayloadTooLarge = fmt.Errorf("request body over 10 MB")

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

// isText tells which bodies API Gateway passes as text; others (forms included) arrive base64.
func isText(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"),
		mt == "application/json", strings.HasSuffix(mt, "+json"),
		mt == "application/xml", strings.HasSuffix(mt, "+xml"),
		mt == "application/javascript":
		return true
	}
	return false
}

// WriteResponse writes a function's payload as API Gateway would. A payload without statusCode
// is, per payload format 2.0, a 200 application/json whose body is the payload itself.
func WriteResponse(w http.ResponseWriter, payload []byte) error {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(payload, &probe); err != nil || probe["statusCode"] == nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, err := w.Write(payload)
		return err
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(payload, &resp); err != nil {
		WriteError(w, http.StatusInternalServerError)
		return fmt.Errorf("malformed Lambda proxy response: %w", err)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			WriteError(w, http.StatusInternalServerError)
			return fmt.Errorf("response body is not base64: %w", err)
		}
		body = b
	}
	h := w.Header()
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	for _, c := range resp.Cookies {
		h.Add("Set-Cookie", c)
	}
	if h.Get("Content-Type") == "" && len(body) > 0 {
		h.Set("Content-Type", "application/json")
	}
	h.Del("Content-Length")
	status := resp.StatusCode
	if status < 100 || status > 599 {
		WriteError(w, http.StatusInternalServerError)
		return fmt.Errorf("invalid status code %d", status)
	}
	w.WriteHeader(status)
	_, err := io.Copy(w, bytes.NewReader(body))
	return err
}

// WriteError writes API Gateway's own error body for status, e.g. 404 {"message":"Not Found"}.
func WriteError(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	msg, _ := json.Marshal(map[string]string{"message": http.StatusText(status)})
	_, _ = w.Write(msg)
}
