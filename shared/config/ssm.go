package config

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/preau/preau/shared/awscall"
)

// Parameter is an SSM parameter as GetParameter returns it, decrypted.
type Parameter struct {
	Type  string // "SecureString", "String" or "StringList"
	Value string
}

// ParameterReader reads one SSM parameter, decrypted (SSM implements it).
type ParameterReader interface {
	Parameter(ctx context.Context, name string) (Parameter, error)
}

// SSM reads parameters from SSM Parameter Store: one GetParameter call over SSM's JSON protocol
// (shared/awscall). It replaces the SDK's SSM client, whose hundreds of operations and their
// schemas, all initialised at start-up, cost every function that signs something about a
// megabyte and a millisecond of cold start for this one read.
type SSM struct {
	svc *awscall.Service
}

// NewSSM returns the reader of SSM Parameter Store of cfg's region and credentials, at
// AWS_ENDPOINT_URL_SSM (else AWS_ENDPOINT_URL) when set.
func NewSSM(cfg aws.Config) *SSM {
	return &SSM{svc: awscall.New(cfg, "ssm", 5*time.Second)}
}

// ssmAttempts is how many times a throttled, failing (5xx) or unreachable call is made.
const ssmAttempts = 3

// Parameter returns the parameter called name, decrypted. An error from SSM carries its error
// type (ParameterNotFound, AccessDeniedException...), never the parameter's value.
func (s *SSM) Parameter(ctx context.Context, name string) (Parameter, error) {
	body, err := json.Marshal(struct {
		Name           string
		WithDecryption bool
	}{name, true})
	if err != nil {
		return Parameter{}, err
	}
	ans, err := s.svc.Retry(ctx, ssmAttempts, http.MethodPost, "/", http.Header{
		"Content-Type": {"application/x-amz-json-1.1"}, "X-Amz-Target": {"AmazonSSM.GetParameter"}}, body)
	if err != nil {
		return Parameter{}, err
	}
	if ans.Status != http.StatusOK {
		return Parameter{}, fmt.Errorf("ssm: GetParameter: %s", ans.Type())
	}
	var out struct {
		Parameter *struct {
			Type  string
			Value *string
		}
	}
	if err := json.Unmarshal(ans.Body, &out); err != nil {
		return Parameter{}, fmt.Errorf("ssm: GetParameter answer: %w", err)
	}
	if out.Parameter == nil || out.Parameter.Value == nil {
		return Parameter{}, errors.New("ssm: GetParameter answer holds no value")
	}
	return Parameter{Type: out.Parameter.Type, Value: *out.Parameter.Value}, nil
}
