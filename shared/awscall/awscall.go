// Package awscall makes the AWS API calls Préau makes without an SDK client: SSM Parameter
// Store's GetParameter (the secret key, shared/config) and Lambda's Invoke (the Reminder
// continuing a run). An SDK service client links its every operation and builds its endpoint
// tables at each start, for one call here; this is one HTTP request, signed with SigV4 as the
// SDK signs it, over the endpoint of the stack's region or the one the environment names
// (AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL), as the SDK reads them.
package awscall

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Service is one AWS service's endpoint, with the credentials and region calls are signed with.
type Service struct {
	name     string // the signing name: "ssm", "lambda"
	endpoint string // https://ssm.eu-west-3.amazonaws.com, with no final slash
	region   string
	creds    aws.CredentialsProvider
	client   *http.Client
	signer   *v4.Signer
}

// New returns service name (its signing name and the first label of its host) in cfg's region
// with cfg's credentials, at AWS_ENDPOINT_URL_<NAME> (else cfg's base endpoint, which
// AWS_ENDPOINT_URL sets) when set. Calls time out after timeout.
func New(cfg aws.Config, name string, timeout time.Duration) *Service {
	ep := "https://" + name + "." + cfg.Region + ".amazonaws.com"
	if v := os.Getenv("AWS_ENDPOINT_URL_" + strings.ToUpper(name)); v != "" {
		ep = v
	} else if cfg.BaseEndpoint != nil {
		ep = *cfg.BaseEndpoint
	}
	return &Service{name: name, endpoint: strings.TrimRight(ep, "/"), region: cfg.Region, creds: cfg.Credentials,
		client: &http.Client{Timeout: timeout}, signer: v4.NewSigner()}
}

// Answer is what the service answered.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte // at most 1 MiB
}

// ErrUnreachable marks a call that got no answer: the service could not be reached, or its
// answer not read. Another attempt may be answered.
var ErrUnreachable = errors.New("no answer")

// Type is the error type of a refusal (ParameterNotFound, ResourceNotFoundException...), as the
// JSON protocols give it: the X-Amzn-ErrorType header, else the body's __type or Type; else the
// status ("404 Not Found").
func (a Answer) Type() string {
	var fault struct {
		Type  string `json:"__type"`
		Type2 string `json:"Type"`
	}
	_ = json.Unmarshal(a.Body, &fault)
	typ := fault.Type
	if h := a.Header.Get("X-Amzn-ErrorType"); h != "" {
		typ, _, _ = strings.Cut(h, ":")
	}
	if typ == "" {
		typ = fault.Type2
	}
	typ = typ[strings.LastIndex(typ, "#")+1:] // "com.amazonaws.ssm#ParameterNotFound"
	if typ == "" {
		typ = fmt.Sprintf("%d %s", a.Status, http.StatusText(a.Status))
	}
	return typ
}

// Retryable reports whether another attempt may be answered otherwise: a 5xx or a throttling.
func (a Answer) Retryable() bool {
	return a.Status >= 500 || a.Status == http.StatusTooManyRequests || strings.Contains(a.Type(), "Throttl")
}

// Retry calls as Call does, up to attempts times while the call goes unanswered or its answer is
// retryable (Retryable), waiting 100 ms more before each new attempt, within ctx. It returns the
// last answer, or the last error.
func (s *Service) Retry(ctx context.Context, attempts int, method, path string, header http.Header, body []byte) (Answer, error) {
	var (
		ans Answer
		err error
	)
	for attempt := range max(attempts, 1) {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return Answer{}, ctx.Err()
			case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
			}
		}
		ans, err = s.Call(ctx, method, path, header, body)
		switch {
		case errors.Is(err, ErrUnreachable) && ctx.Err() == nil:
		case err != nil:
			return Answer{}, err
		case !ans.Retryable():
			return ans, nil
		}
	}
	return ans, err
}

// Call sends one request of method to path (which starts with "/") with header and body, signed,
// and returns the answer, whatever its status. An error means no answer: ErrUnreachable when the
// request was made but not answered, another when it could not be made (no credentials).
func (s *Service) Call(ctx context.Context, method, path string, header http.Header, body []byte) (Answer, error) {
	if s.creds == nil {
		return Answer{}, fmt.Errorf("%s: no credentials", s.name)
	}
	creds, err := s.creds.Retrieve(ctx)
	if err != nil {
		return Answer{}, fmt.Errorf("%s: %w", s.name, err)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.endpoint+path, bytes.NewReader(body))
	if err != nil {
		return Answer{}, fmt.Errorf("%s: %w", s.name, err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	sum := sha256.Sum256(body)
	if err := s.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), s.name, s.region, time.Now()); err != nil {
		return Answer{}, fmt.Errorf("%s: sign: %w", s.name, err)
	}
	res, err := s.client.Do(req)
	if err != nil {
		return Answer{}, fmt.Errorf("%s: %w: %w", s.name, ErrUnreachable, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return Answer{}, fmt.Errorf("%s: %w: %w", s.name, ErrUnreachable, err)
	}
	return Answer{Status: res.StatusCode, Header: res.Header, Body: b}, nil
}
