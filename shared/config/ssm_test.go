package config

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/preau/preau/infra/ssmtest"
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
			err := cfg.LoadSecretKey(context.Background(), reader(p))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || strings.Contains(err.Error(), key) {
					t.Fatalf("err = %v, want it to say %q (and never the key)", err, c.wantErr)
				}
				return
			}
			if err != nil || string(cfg.SecretKey) != key || p.Reads() != 1 {
				t.Fatalf("err %v, key %q, %d reads", err, cfg.SecretKey, p.Reads())
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
		if err := cfg.LoadSecretKey(context.Background(), reader(p)); err != nil || p.Reads() != 0 || cfg.NeedSecretKey() == nil {
			t.Fatalf("err %v, %d reads, NeedSecretKey %v", err, p.Reads(), cfg.NeedSecretKey())
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
	if err != nil || c.SecretKeyParameter != "/preau/secret-key" || len(c.SecretKey) != 0 {
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
			err := cfg.LoadSecretKey(context.Background(), NewSSM(aws.Config{Region: "eu-west-3", BaseEndpoint: aws.String(srv.URL),
				Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "local", "")}))
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
