package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/accounts/accountstest"
)

// TestSignupReplacesUnconfirmedAccount: someone signs up first with another person's address;
// when its owner signs up, the account takes the owner's names and password, and the link
// sent for the first sign-up no longer confirms anything.
func TestSignupReplacesUnconfirmedAccount(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	victim := accountstest.Email("owner")
	_, code := f.Family(t, "Martin", false)

	squat := f.Input(victim)
	squat.Civility, squat.LastName, squat.FirstName = "M", "Intrus", "Igor"
	squat.Password, squat.PasswordConfirmation = "Squatteur-2026x", "Squatteur-2026x"
	if err := f.Service.Signup(ctx, squat); err != nil {
		t.Fatal(err)
	}
	first := f.Box.WaitFor(victim, "Confirmez", 5*time.Second)
	_, squatToken := accountstest.LinkIn(t, first.Text)

	f.Clock.Add(time.Minute)
	owner := f.Input(victim)
	owner.SubscriberCode = code
	if err := f.Service.Signup(ctx, owner); err != nil {
		t.Fatal(err)
	}
	var ownerToken string
	deadline := time.Now().Add(5 * time.Second)
	for ownerToken == "" && time.Now().Before(deadline) {
		if msgs := f.Box.Messages(victim); len(msgs) >= 2 {
			_, ownerToken = accountstest.LinkIn(t, msgs[len(msgs)-1].Text)
		} else {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if ownerToken == "" || ownerToken == squatToken {
		t.Fatal("no second confirmation e-mail")
	}

	acc, err := f.Store.Account(ctx, victim)
	if err != nil || acc.LastName != "Martin" || acc.FirstName != "Anne" || acc.Civility != "Mme" || acc.PendingCode != code {
		t.Fatalf("account not replaced: %+v %v", acc, err)
	}
	if ok, _, _ := f.Config.Passwords.Verify(squat.Password, acc.PasswordHash); ok {
		t.Error("the first sign-up's password still works")
	}
	if _, err := f.Service.Confirm(ctx, squatToken); !errors.Is(err, accounts.ErrLinkExpired) {
		t.Errorf("first sign-up's link: %v, want ErrLinkExpired", err)
	}
	if acc, _ := f.Store.Account(ctx, victim); acc.Confirmed() {
		t.Fatal("the first sign-up's link confirmed the account")
	}
	if _, err := f.Service.Confirm(ctx, ownerToken); err != nil {
		t.Fatalf("owner's link: %v", err)
	}
	if _, err := f.Service.Login(ctx, accounts.LoginInput{Email: victim, Password: squat.Password, ClientAddr: "192.0.2.1"}); !errors.Is(err, accounts.ErrBadCredentials) {
		t.Errorf("first sign-up's password: %v", err)
	}
	if _, err := f.Service.Login(ctx, accounts.LoginInput{Email: victim, Password: accountstest.Password, ClientAddr: "192.0.2.1"}); err != nil {
		t.Errorf("owner's password: %v", err)
	}
	// A confirmed account is never replaced.
	again := f.Input(victim)
	again.Password, again.PasswordConfirmation = "Troisieme-2026x", "Troisieme-2026x"
	if err := f.Service.Signup(ctx, again); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Service.Login(ctx, accounts.LoginInput{Email: victim, Password: accountstest.Password, ClientAddr: "192.0.2.1"}); err != nil {
		t.Errorf("confirmed account changed by a later sign-up: %v", err)
	}
}
