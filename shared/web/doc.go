// Package web is what every function's HTTP side shares: the JSON logger (every line logged with
// a request's context carries its request id), the middleware chain (request log, security
// headers, cross-origin protection, panic recovery), the one map from refusals to HTTP
// statuses (problem+json for /api/, an HTML page otherwise), JSON decoding, the page layout and
// its French template helpers, static assets, and the session cookie.
//
// Handlers are plain net/http with Go's ServeMux patterns, on a Router that routes as ServeMux
// does at a fraction of its registration cost (router.go); main.go wraps them with
// httpadapter.NewV2 for Lambda, and the local stack reaches the very same binaries.
package web
