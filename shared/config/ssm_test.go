package config

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/preau/preau/infra/ssmtest"
	"github.com/preau/preau/shared/secret"
)

func TestLoadSecretKeyFromSSM(t *testing.T) {
	key := strings.Repeat("s", 48)
	cases := []struct {
		name, param, typ, value, wantErr string
	}{
		{"secure string decrypted", "/preau/secret-key", "SecureString", key, ""},
		{"plain string refused", "/preau/secret-key", "String", key, "not a SecureString"},
		{"short key refused", "/preau/secret-key", "SecureString", "short", "at least 32"},
		{"missing parameter", "/preau/other", "SecureString", key, "/preau/other"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := ssmtest.Start(t, "/preau/secret-key", c.typ, c.value)
			cfg := &Config{SecretKeyParameter: c.param}
			cfg.LoadSecretKey(reader(p))
			got, err := cfg.SecretKey.Bytes(context.Background())
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || strings.Contains(err.Error(), key) ||
					!errors.Is(err, secret.ErrUnavailable) || got != nil || cfg.SecretKey.Wait() == nil {
					t.Fatalf("key %q, err = %v, want it to say %q (and never the key)", got, err, c.wantErr)
				}
				return
			}
			if err != nil || string(got) != key || p.Reads() != 1 || cfg.SecretKey.Wait() != nil {
				t.Fatalf("err %v, key %q, %d reads", err, got, p.Reads())
			}
			if auth := p.Authorization(); !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/") ||
				!strings.Contains(auth, "/eu-west-3/ssm/aws4_request") || !strings.Contains(auth, "x-amz-target") {
				t.Fatalf("request not signed for SSM in eu-west-3: %q", auth)
			}
		})
	}
	t.Run("no parameter, no call", func(t *testing.T) {
		p := ssmtest.Start(t, "/preau/secret-key", "SecureString", key)
		cfg := &Config{}
		cfg.LoadSecretKey(reader(p))
		if p.Reads() != 0 || cfg.SecretKey != nil || cfg.NeedSecretKey() == nil {
			t.Fatalf("%d reads, NeedSecretKey %v", p.Reads(), cfg.NeedSecretKey())
		}
	})
}

// In Lambda the key comes only from SSM: a plain SECRET_KEY variable is refused.
func TestSecretKeyVariableRefusedInLambda(t *testing.T) {
	setValid(t)
	t.Setenv("LAMBDA_TASK_ROOT", "/var/task")
	if _, err := FromEnv(); err == nil || !strings.Contains(err.Error(), "SECRET_KEY") {
		t.Fatalf("err = %v, want SECRET_KEY refused in Lambda", err)
	}
	t.Setenv("SECRET_KEY", "")
	t.Setenv("SECRET_KEY_PARAMETER", "/preau/secret-key")
	c, err := FromEnv()
	if err != nil || c.SecretKeyParameter != "/preau/secret-key" || c.SecretKey != nil {
		t.Fatalf("config %+v, err %v", c, err)
	}
}

// reader is the SSM reader of Lambda, pointed at the stand-in.
func reader(p *ssmtest.Parameter) *SSM {
	return NewSSM(aws.Config{Region: "eu-west-3", BaseEndpoint: aws.String(p.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "local", "")})
}

// A throttled or failing SSM is tried again; a refusal is not, and its error names SSM's error
// type only.
func TestSSMRetries(t *testing.T) {
	key := strings.Repeat("r", 40)
	p := ssmtest.Start(t, "/preau/secret-key", "SecureString", key)
	for _, c := range []struct {
		name   string
		status int
		typ    string
		calls  int
		ok     bool
	}{
		{"throttled once", 400, "ThrottlingException", 2, true},
		{"unavailable once", 503, "InternalServerError", 2, true},
		{"access denied", 400, "AccessDeniedException", 1, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			calls := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls++
				if calls == 1 {
					w.WriteHeader(c.status)
					fmt.Fprintf(w, `{"__type":"com.amazonaws.ssm#%s","message":"no"}`, c.typ)
					return
				}
				p.ServeHTTP(w, r)
			}))
			defer srv.Close()
			cfg := &Config{SecretKeyParameter: "/preau/secret-key"}
			cfg.LoadSecretKey(NewSSM(aws.Config{Region: "eu-west-3", BaseEndpoint: aws.String(srv.URL),
				Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "local", "")}))
			err := cfg.SecretKey.Wait()
			if calls != c.calls || (err == nil) != c.ok {
				t.Fatalf("%d calls, err %v", calls, err)
			}
			if !c.ok && (!strings.Contains(err.Error(), c.typ) || strings.Contains(err.Error(), "com.amazonaws")) {
				t.Fatalf("err %v, want SSM's error type", err)
			}
		})
	}
}

// A function's SDK settings come from the variables Lambda sets, and the local stack's endpoints
// from AWS_ENDPOINT_URL_<SERVICE>.
func TestAWSFromTheEnvironment(t *testing.T) {
	for k, v := range map[string]string{"AWS_REGION": "eu-west-3", "AWS_DEFAULT_REGION": "", "AWS_ACCESS_KEY_ID": "AKIDROLE",
		"AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token", "AWS_ENDPOINT_URL": "",
		"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000", "AWS_ENDPOINT_URL_SES": "http://127.0.0.1:8005", "AWS_ENDPOINT_URL_SESV2": ""} {
		t.Setenv(k, v)
	}
	ctx := context.Background()
	cfg, err := AWS(ctx)
	if err != nil || cfg.Region != "eu-west-3" || cfg.BaseEndpoint != nil {
		t.Fatalf("config %+v, err %v", cfg, err)
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil || creds.AccessKeyID != "AKIDROLE" || creds.SecretAccessKey != "secret" || creds.SessionToken != "token" {
		t.Fatalf("credentials %+v, err %v", creds, err)
	}
	ep := cfg.ConfigSources[0].(interface {
		GetServiceBaseEndpoint(context.Context, string) (string, bool, error)
	})
	for sdkID, want := range map[string]string{"DynamoDB": "http://127.0.0.1:8000", "SES": "http://127.0.0.1:8005",
		"SESv2": "http://127.0.0.1:8005", "Lambda": ""} {
		if got, found, _ := ep.GetServiceBaseEndpoint(ctx, sdkID); got != want || found != (want != "") {
			t.Errorf("%s endpoint %q (%v), want %q", sdkID, got, found, want)
		}
	}
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "eu-west-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	cfg, _ = AWS(ctx)
	if cfg.Region != "eu-west-1" {
		t.Fatalf("region %q, want AWS_DEFAULT_REGION's", cfg.Region)
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err == nil || !strings.Contains(err.Error(), "AWS_ACCESS_KEY_ID") {
		t.Fatalf("credentials without the variables: %v", err)
	}
}

// slowReader is SSM answering only once released, counting its calls.
type slowReader struct {
	release chan struct{}
	p       Parameter
	err     error
	calls   atomic.Int32
}

func (r *slowReader) Parameter(ctx context.Context, _ string) (Parameter, error) {
	r.calls.Add(1)
	<-r.release
	return r.p, r.err
}

// The key is read in the background: LoadSecretKey returns before SSM answers, a use that
// ends before the answer fails (never an empty key), and any number of first uses at once
// wait for the same single read and get the same key.
func TestSecretKeyReadInTheBackground(t *testing.T) {
	key := strings.Repeat("b", 40)
	r := &slowReader{release: make(chan struct{}), p: Parameter{Type: "SecureString", Value: key}}
	cfg := &Config{SecretKeyParameter: "/preau/secret-key"}
	cfg.LoadSecretKey(r) // returns while SSM has not answered
	if err := cfg.NeedSecretKey(); err != nil {
		t.Fatal(err)
	}
	early, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if got, err := cfg.SecretKey.Bytes(early); !errors.Is(err, secret.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) || got != nil {
		t.Fatalf("use before the read ends: %q, %v", got, err)
	}
	const uses = 16
	var wg sync.WaitGroup
	got := make([][]byte, uses)
	errs := make([]error, uses)
	for i := range uses {
		wg.Go(func() { got[i], errs[i] = cfg.SecretKey.Bytes(context.Background()) })
	}
	time.Sleep(5 * time.Millisecond) // let them all wait
	close(r.release)
	wg.Wait()
	for i := range uses {
		if errs[i] != nil || string(got[i]) != key {
			t.Fatalf("use %d: %q, %v", i, got[i], errs[i])
		}
	}
	if n := r.calls.Load(); n != 1 {
		t.Fatalf("%d reads, want 1", n)
	}
}

// A read that fails for good fails every use, however many wait for it, and says why.
func TestSecretKeyReadFailsEveryUse(t *testing.T) {
	for name, r := range map[string]*slowReader{
		"wrong type": {p: Parameter{Type: "String", Value: strings.Repeat("s", 40)}},
		"too short":  {p: Parameter{Type: "SecureString", Value: "short"}},
		"missing":    {err: errors.New("ssm: GetParameter: ParameterNotFound")},
	} {
		t.Run(name, func(t *testing.T) {
			r.release = make(chan struct{})
			cfg := &Config{SecretKeyParameter: "/preau/secret-key"}
			cfg.LoadSecretKey(r)
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					if got, err := cfg.SecretKey.Bytes(context.Background()); !errors.Is(err, secret.ErrUnavailable) || got != nil {
						t.Errorf("use of a failed key: %q, %v", got, err)
					}
				})
			}
			close(r.release)
			wg.Wait()
			if err := cfg.SecretKey.Wait(); err == nil || !strings.Contains(err.Error(), "SECRET_KEY_PARAMETER /preau/secret-key") {
				t.Fatalf("Wait: %v", err)
			}
		})
	}
}

// The local stack's SECRET_KEY is there at once.
func TestLocalSecretKeyAtOnce(t *testing.T) {
	setValid(t)
	c, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // no wait: even an ended request has it
	if got, err := c.SecretKey.Bytes(ctx); err != nil || string(got) != strings.Repeat("k", 32) {
		t.Fatalf("key %q, err %v", got, err)
	}
}
