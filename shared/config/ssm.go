package config

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

// Parameter is an SSM parameter as GetParameter returns it, decrypted.
type Parameter struct {
	Type  string // "SecureString", "String" or "StringList"
	Value string
}

// ParameterReader reads one SSM parameter, decrypted (SSM implements it).
type ParameterReader interface {
	Parameter(ctx context.Context, name string) (Parameter, error)
}

// SSM reads parameters from SSM Parameter Store: one GetParameter call over SSM's JSON protocol,
// signed with SigV4 like every SDK call. It replaces the SDK's SSM client, whose hundreds of
// operations and their schemas, all initialised at start-up, cost every function that signs
// something about a megabyte and a millisecond of cold start for this one read.
type SSM struct {
	endpoint string // https://ssm.<region>.amazonaws.com, or AWS_ENDPOINT_URL_SSM
	region   string
	creds    aws.CredentialsProvider
	client   *http.Client
	signer   *v4.Signer
}

// NewSSM returns the reader of SSM Parameter Store of cfg's region and credentials, at
// AWS_ENDPOINT_URL_SSM (else AWS_ENDPOINT_URL) when set.
func NewSSM(cfg aws.Config) *SSM {
	ep := "https://ssm." + cfg.Region + ".amazonaws.com"
	if v := os.Getenv("AWS_ENDPOINT_URL_SSM"); v != "" {
		ep = v
	} else if cfg.BaseEndpoint != nil {
		ep = *cfg.BaseEndpoint
	}
	return &SSM{endpoint: strings.TrimRight(ep, "/") + "/", region: cfg.Region, creds: cfg.Credentials,
		client: &http.Client{Timeout: 5 * time.Second}, signer: v4.NewSigner()}
}

// ssmAttempts is how many times a throttled, failing (5xx) or unreachable call is made.
const ssmAttempts = 3

// Parameter returns the parameter called name, decrypted. An error from SSM carries its error
// type (ParameterNotFound, AccessDeniedException...), never the parameter's value.
func (s *SSM) Parameter(ctx context.Context, name string) (Parameter, error) {
	if s.creds == nil {
		return Parameter{}, errors.New("ssm: no credentials")
	}
	body, err := json.Marshal(struct {
		Name           string
		WithDecryption bool
	}{name, true})
	if err != nil {
		return Parameter{}, err
	}
	var last error
	for attempt := range ssmAttempts {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return Parameter{}, ctx.Err()
			case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
			}
		}
		p, retry, err := s.getParameter(ctx, body)
		if err == nil || !retry {
			return p, err
		}
		last = err
	}
	return Parameter{}, last
}

// getParameter makes one call; retry says whether another attempt may succeed.
func (s *SSM) getParameter(ctx context.Context, body []byte) (p Parameter, retry bool, err error) {
	creds, err := s.creds.Retrieve(ctx)
	if err != nil {
		return Parameter{}, false, fmt.Errorf("ssm: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint, bytes.NewReader(body))
	if err != nil {
		return Parameter{}, false, fmt.Errorf("ssm: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AmazonSSM.GetParameter")
	sum := sha256.Sum256(body)
	if err := s.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "ssm", s.region, time.Now()); err != nil {
		return Parameter{}, false, fmt.Errorf("ssm: sign: %w", err)
	}
	res, err := s.client.Do(req)
	if err != nil {
		return Parameter{}, ctx.Err() == nil, fmt.Errorf("ssm: %w", err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return Parameter{}, true, fmt.Errorf("ssm: %w", err)
	}
	if res.StatusCode != http.StatusOK {
		var fault struct {
			Type string `json:"__type"`
		}
		_ = json.Unmarshal(b, &fault)
		// "com.amazonaws.ssm#ParameterNotFound" or "ParameterNotFound"
		typ := fault.Type[strings.LastIndex(fault.Type, "#")+1:]
		if typ == "" {
			typ = res.Status
		}
		return Parameter{}, res.StatusCode >= 500 || strings.Contains(typ, "Throttl"), fmt.Errorf("ssm: GetParameter: %s", typ)
	}
	var out struct {
		Parameter *struct {
			Type  string
			Value *string
		}
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return Parameter{}, false, fmt.Errorf("ssm: GetParameter answer: %w", err)
	}
	if out.Parameter == nil || out.Parameter.Value == nil {
		return Parameter{}, false, errors.New("ssm: GetParameter answer holds no value")
	}
	return Parameter{Type: out.Parameter.Type, Value: *out.Parameter.Value}, false, nil
}
