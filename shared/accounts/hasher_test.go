package accounts_test

import (
	"context"
	"errors"
	"testing"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/accounts/accountstest"
)

// TestNoHasherRefusesEveryPassword: a Config given no Hasher (the functions that take no
// password) fails closed: a login with the right password signs nobody in, and a sign-up
// stores no account, rather than comparing or storing anything unhashed.
func TestNoHasherRefusesEveryPassword(t *testing.T) {
	env := accountstest.New(t, accountstest.NewMemory(), false)
	email := accountstest.Email("sans-hachage")
	env.ConfirmedAccount(t, email)
	cfg := env.Config
	cfg.Passwords = nil
	ctx := context.Background()

	_, err := (&accounts.Logins{Config: cfg, Store: env.Store}).Login(ctx,
		accounts.LoginInput{Email: email, Password: accountstest.Password, ClientAddr: "192.0.2.1"})
	if err == nil || errors.Is(err, accounts.ErrBadCredentials) {
		t.Errorf("login without a hasher: %v, want a wiring error", err)
	}
	if _, err := (&accounts.Logins{Config: env.Config, Store: env.Store}).Login(ctx,
		accounts.LoginInput{Email: email, Password: accountstest.Password, ClientAddr: "192.0.2.1"}); err != nil {
		t.Fatalf("the same login with the hasher: %v", err)
	}

	in := env.Input(accountstest.Email("nouvelle"))
	if err := (&accounts.Signups{Config: cfg, Store: env.Store, Mail: env.Mailer}).Signup(ctx, in); err == nil {
		t.Error("sign-up without a hasher succeeded")
	}
	if _, err := env.Store.Account(ctx, in.Email); !errors.Is(err, accounts.ErrNotFound) {
		t.Errorf("sign-up without a hasher stored an account: %v", err)
	}
}
