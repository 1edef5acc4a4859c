package web

import (
	"context"
	"io"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// InitLogging makes slog write one JSON object per line to stderr (CloudWatch in Lambda), each
// line written while serving a request carrying its request_id.
func InitLogging() {
	slog.SetDefault(NewLogger(os.Stderr))
}

// NewLogger is the logger InitLogging installs, writing to w: JSON lines, and on every line
// logged with a request's context (slog.InfoContext(ctx, …), whatever the package: domain,
// store, mail) the request's id, so that one request's lines can be found together. The id is
// the one the middleware chain put in the context (API Gateway's), or else the Lambda
// invocation's (scheduled functions).
func NewLogger(w io.Writer) *slog.Logger {
	return slog.New(requestIDHandler{slog.NewJSONHandler(w, nil)})
}

// requestIDHandler adds request_id, read from the record's context, to each record.
type requestIDHandler struct{ next slog.Handler }

func (h requestIDHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := logRequestID(ctx); id != "" && !hasRequestID(r) {
		r = r.Clone()
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.next.Handle(ctx, r)
}

// hasRequestID tells whether the caller already gave the id, so that it is not written twice.
func hasRequestID(r slog.Record) bool {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		found = a.Key == "request_id"
		return !found
	})
	return found
}

func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.next.WithAttrs(as)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.next.WithGroup(name)}
}

// logRequestID is the id a log line made with ctx carries: the request's, else the Lambda
// invocation's, else none (start-up).
func logRequestID(ctx context.Context) string {
	if ctx == nil {
		return ""
	}
	if id := RequestID(ctx); id != "" {
		return id
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return lc.AwsRequestID
	}
	return ""
}
