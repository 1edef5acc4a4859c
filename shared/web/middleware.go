package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
)

// Options are the per-function settings of the middleware chain.
type Options struct {
	Function string // logical id, logged on every line
	HSTS     bool   // send Strict-Transport-Security (deployed behind HTTPS, not on local http)
}

type ctxKey int

const (
	requestIDKey ctxKey = iota
	viewerKey
)

// RequestID returns the id of the request being served ("" outside a request).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// contentSecurityPolicy allows nothing inline and nothing from elsewhere.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// AllowFormRedirectTo lets the page being served send a form whose answer redirects to origin
// (browsers apply form-action to a form's redirects too): the payment form goes to PayFiP this
// way. Call it before writing the page.
func AllowFormRedirectTo(w http.ResponseWriter, origin string) {
	w.Header().Set("Content-Security-Policy", strings.Replace(contentSecurityPolicy, "form-action 'self'", "form-action 'self' "+origin, 1))
}

// chain is what Handler returns: the middleware over a function's Router, which CheckRouting
// reads.
type chain struct {
	serve  http.HandlerFunc
	router *Router
}

func (c chain) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.serve(w, r) }

// Handler wraps a function's router with the chain every function shares, outermost first:
// request id and one JSON log line per request, security headers, panic recovery, and
// refusal of cross-site state-changing requests.
func Handler(mux *Router, o Options) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		Error(w, r, errCrossOrigin)
	}))
	inner := cop.Handler(mux)
	return chain{router: mux, serve: func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestIDOf(r)
		ctx := context.WithValue(r.Context(), requestIDKey, id)
		r = r.WithContext(ctx)
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}

		h := rec.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if o.HSTS {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}

		_, route := mux.Handler(r)
		defer func() {
			if p := recover(); p != nil {
				slog.ErrorContext(ctx, "panic", "panic", fmt.Sprint(p))
				if !rec.wrote {
					Error(rec, r, fmt.Errorf("panic: %v", p))
				}
			}
			slog.LogAttrs(ctx, slog.LevelInfo, "request",
				slog.String("function", o.Function),
				slog.String("route", route),
				slog.String("method", r.Method),
				slog.Int("status", rec.status),
				slog.Int64("duration_ms", time.Since(start).Milliseconds()),
			)
		}()
		inner.ServeHTTP(rec, r)
	}}
}

// requestIDOf prefers API Gateway's request id, then Lambda's, then a fresh one.
func requestIDOf(r *http.Request) string {
	if ev, ok := core.GetAPIGatewayV2ContextFromContext(r.Context()); ok && ev.RequestID != "" {
		return ev.RequestID
	}
	if lc, ok := lambdacontext.FromContext(r.Context()); ok && lc.AwsRequestID != "" {
		return lc.AwsRequestID
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// recorder remembers the status for the log line.
type recorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wrote {
		r.wrote = true
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
