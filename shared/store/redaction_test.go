package store_test

import (
	"context"
	"strings"
	"testing"
)

// TestErrorsNameNoKeyValue: a failed read names the kind of item, never the e-mail, code or
// token hash of its key (errors are logged).
func TestErrorsNameNoKeyValue(t *testing.T) {
	s := accountStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // every call fails
	const email = "anne.martin@example.org"
	const code = "BLENFANCE-12087-AB12-CD34"
	cases := []struct {
		name, secret string
		call         func() error
	}{
		{"account", email, func() error { _, err := s.Account(ctx, email); return err }},
		{"code", code, func() error { _, err := s.IssuedCode(ctx, code); return err }},
		{"throttle", email, func() error { _, err := s.TakeAttempt(ctx, "mail", email, 5, at, at); return err }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			if err == nil {
				t.Fatal("no error with a cancelled context")
			}
			if strings.Contains(err.Error(), c.secret) {
				t.Errorf("error %q names the key", err)
			}
		})
	}
}
