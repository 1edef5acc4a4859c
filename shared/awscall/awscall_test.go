package awscall

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// TestType: a refusal's error type, wherever the JSON protocols put it.
func TestType(t *testing.T) {
	for _, c := range []struct {
		a    Answer
		want string
	}{
		{Answer{Status: 400, Body: []byte(`{"__type":"com.amazonaws.ssm#ParameterNotFound","message":"x"}`)}, "ParameterNotFound"},
		{Answer{Status: 404, Header: http.Header{"X-Amzn-Errortype": {"ResourceNotFoundException:http://internal.amazon.com/"}}}, "ResourceNotFoundException"},
		{Answer{Status: 400, Body: []byte(`{"Type":"User","message":"x"}`)}, "User"},
		{Answer{Status: 502, Body: []byte(`<html>`)}, "502 Bad Gateway"},
	} {
		if got := c.a.Type(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.a, got, c.want)
		}
	}
	if !(Answer{Status: 400, Body: []byte(`{"__type":"ThrottlingException"}`)}).Retryable() ||
		!(Answer{Status: 429}).Retryable() || !(Answer{Status: 503}).Retryable() || (Answer{Status: 403}).Retryable() {
		t.Error("retryable answers")
	}
}

// TestEndpointAndRetries: AWS_ENDPOINT_URL_<SERVICE> names the endpoint; an unanswered call is
// made again until attempts run out, a refusal that is not retryable is returned at once, and a
// call without credentials is not made.
func TestEndpointAndRetries(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.WriteHeader(http.StatusForbidden)
	}))
	t.Setenv("AWS_ENDPOINT_URL_LAMBDA", srv.URL)
	cfg := aws.Config{Region: "eu-west-3", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "local", "")}
	ans, err := New(cfg, "lambda", time.Second).Retry(context.Background(), 3, http.MethodPost, "/x", nil, nil)
	if err != nil || ans.Status != http.StatusForbidden || calls != 1 {
		t.Fatalf("%+v, %v, %d calls", ans, err, calls)
	}
	srv.Close() // now unreachable
	_, err = New(cfg, "lambda", time.Second).Retry(context.Background(), 2, http.MethodPost, "/x", nil, nil)
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("unreachable: %v", err)
	}
	if _, err := New(aws.Config{Region: "eu-west-3"}, "lambda", time.Second).Call(context.Background(), http.MethodPost, "/x", nil, nil); err == nil || errors.Is(err, ErrUnreachable) {
		t.Fatalf("no credentials: %v", err)
	}
}
