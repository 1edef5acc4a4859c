package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/accounts/accountstest"
)

// waitResetLinks waits for n reset e-mails to email and returns their tokens, oldest first.
func (f *fixture) waitResetLinks(t *testing.T, email string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		var toks []string
		for _, m := range f.Box.Messages(email) {
			if !strings.Contains(m.Text, "?token=") {
				continue
			}
			if path, tok := accountstest.LinkIn(t, m.Text); path == "/reinitialiser" {
				toks = append(toks, tok)
			}
		}
		if len(toks) >= n {
			return toks
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("fewer than %d reset e-mails", n)
	return nil
}

// TestResetEndsOtherResetLinks: once a reset link is used (or the password changed), the
// other reset links sent before no longer work.
func TestResetEndsOtherResetLinks(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	email := accountstest.Email("resets")
	f.ConfirmedAccount(t, email)
	for range 2 {
		f.Clock.Add(time.Minute)
		if err := f.Service.RequestReset(ctx, email, accountstest.NewAddr()); err != nil {
			t.Fatal(err)
		}
	}
	toks := f.waitResetLinks(t, email, 2)
	older, newer := toks[0], toks[1]
	f.Clock.Add(time.Minute)
	if err := f.Service.ResetPassword(ctx, accounts.PasswordReset{Secret: newer, Password: "Nouveau-Mot-2026", Confirmation: "Nouveau-Mot-2026"}); err != nil {
		t.Fatal(err)
	}
	f.Clock.Add(time.Minute)
	if err := f.Service.CheckResetLink(ctx, older); !errors.Is(err, accounts.ErrLinkExpired) {
		t.Errorf("older link checked: %v, want ErrLinkExpired", err)
	}
	if err := f.Service.ResetPassword(ctx, accounts.PasswordReset{Secret: older, Password: "Encore-Autre-2026", Confirmation: "Encore-Autre-2026"}); !errors.Is(err, accounts.ErrLinkExpired) {
		t.Errorf("older link used: %v, want ErrLinkExpired", err)
	}
	if _, err := f.Service.Login(ctx, accounts.LoginInput{Email: email, Password: "Nouveau-Mot-2026", ClientAddr: "192.0.2.7"}); err != nil {
		t.Errorf("password of the used link: %v", err)
	}
	// A link requested after the reset works.
	if err := f.Service.RequestReset(ctx, email, accountstest.NewAddr()); err != nil {
		t.Fatal(err)
	}
	latest := f.waitResetLinks(t, email, 3)[2]
	if err := f.Service.CheckResetLink(ctx, latest); err != nil {
		t.Errorf("link made after the reset: %v", err)
	}
}
