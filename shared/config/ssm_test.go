package config

import (
	"context"
	"strings"
	"testing"

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
			err := cfg.LoadSecretKey(context.Background(), p.Client())
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || strings.Contains(err.Error(), key) {
					t.Fatalf("err = %v, want it to say %q (and never the key)", err, c.wantErr)
				}
				return
			}
			if err != nil || string(cfg.SecretKey) != key || p.Reads() != 1 {
				t.Fatalf("err %v, key %q, %d reads", err, cfg.SecretKey, p.Reads())
			}
		})
	}
	t.Run("no parameter, no call", func(t *testing.T) {
		p := ssmtest.Start(t, "/preau/secret-key", "SecureString", key)
		cfg := &Config{}
		if err := cfg.LoadSecretKey(context.Background(), p.Client()); err != nil || p.Reads() != 0 || cfg.NeedSecretKey() == nil {
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
