// Package openapitest checks HTTP exchanges of the JSON API against docs/openapi.yaml with a
// validator maintained outside Préau (libopenapi-validator): the request's path, query, headers,
// cookies and body, then the response's status, content type and body, must be what the
// document describes.
package openapitest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"

	"github.com/preau/preau/docs"
)

// localSessionCookie and sessionCookie are the session cookie's names on a plain-http local
// stack and when deployed (the name the document gives the session security scheme).
const (
	localSessionCookie = "preau_session"
	sessionCookie      = "__Host-preau_session"
)

// Checker validates exchanges against the document. It is safe for concurrent use.
type Checker struct {
	mu sync.Mutex
	v  validator.Validator
}

// New builds a checker over docs/openapi.yaml; the document must itself be valid.
func New(t testing.TB) *Checker {
	t.Helper()
	doc, err := libopenapi.NewDocument(docs.OpenAPIYAML)
	if err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	v, errs := validator.NewValidator(doc, config.WithFormatAssertions())
	if len(errs) > 0 {
		t.Fatalf("openapi.yaml: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		t.Fatalf("openapi.yaml is not valid OpenAPI 3.1: %s", describe(verrs))
	}
	return &Checker{v: v}
}

// Check validates one exchange: req as sent (reqBody is its body, since sending consumed it) and
// resp as received (respBody is its body, already read). It returns the validation errors as
// text, "" when the exchange is what the document promises.
func (c *Checker) Check(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) string {
	return c.check(req, reqBody, resp, respBody, true)
}

// CheckResponse validates only the response, for a request made to break the document's rules
// on purpose (a missing field, malformed JSON): the refusal must still be as documented.
func (c *Checker) CheckResponse(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) string {
	return c.check(req, reqBody, resp, respBody, false)
}

func (c *Checker) check(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte, withRequest bool) string {
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(reqBody))
	r.ContentLength = int64(len(reqBody))
	// The local stack serves plain http, where the session cookie cannot be __Host-: it is the
	// same cookie under the name the document describes for a deployed portal.
	if ck, err := r.Cookie(localSessionCookie); err == nil {
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: ck.Value})
	}
	w := *resp
	w.Request = r
	w.Body = io.NopCloser(bytes.NewReader(respBody))
	w.ContentLength = int64(len(respBody))

	c.mu.Lock()
	defer c.mu.Unlock()
	var problems []*verrors.ValidationError
	if withRequest {
		if ok, errs := c.v.ValidateHttpRequestSync(r); !ok {
			problems = append(problems, errs...)
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(reqBody))
	if ok, errs := c.v.ValidateHttpResponse(r, &w); !ok {
		problems = append(problems, errs...)
	}
	return describe(problems)
}

// describe gives each error with its schema failures, one per line.
func describe(errs []*verrors.ValidationError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "%s: %s", e.Message, e.Reason)
		for _, f := range e.SchemaValidationErrors {
			fmt.Fprintf(&b, "\n    %s: %s", f.FieldPath, f.Reason)
		}
		b.WriteString("\n")
	}
	return strings.TrimSpace(b.String())
}
