package web

import (
	"net"
	"net/http"
	"time"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/preau/preau/shared/date"
)

// ClientAddr is the caller's address as API Gateway saw it: the request context's sourceIp,
// which the caller cannot choose (unlike X-Forwarded-For, never read). The local stack sets
// it too; a bare http.Server falls back to the connection's address.
func ClientAddr(r *http.Request) string {
	if ev, ok := core.GetAPIGatewayV2ContextFromContext(r.Context()); ok && ev.HTTP.SourceIP != "" {
		return ev.HTTP.SourceIP
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ParisTime formats an instant of the JSON API: RFC 3339 with the Europe/Paris offset, as
// docs/openapi.yaml promises.
func ParisTime(t time.Time) string { return t.In(date.Paris).Format(time.RFC3339) }
