package accounts_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/preau/preau/infra/dynamotest"
	"github.com/preau/preau/infra/localaws"
	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/accounts/accountstest"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/store"
)

// loginOutcomes counts how a batch of logins ended.
type loginOutcomes struct {
	wrongChecked, signedIn, limited atomic.Int32
}

func (o *loginOutcomes) add(t *testing.T, err error) {
	switch {
	case err == nil:
		o.signedIn.Add(1)
	case errors.Is(err, accounts.ErrBadCredentials):
		o.wrongChecked.Add(1)
	case errors.Is(err, accounts.ErrProofRequired), errors.Is(err, accounts.Throttled(accountstest.Start, accountstest.Start)):
		o.limited.Add(1)
	default:
		t.Error(err)
	}
}

// TestLoginLimitHoldsUnderRace: 12 logins on one account at once, from three Lambda
// instances (each its own use case and store client) on the emulator, 11 with a wrong
// password and one right. The attempt is taken before the password is looked at, in one
// conditional write, so no more than the limit of passwords are evaluated in the window; the
// others are asked for a proof. (Counting after the check let 7 or more wrong ones through.)
func TestLoginLimitHoldsUnderRace(t *testing.T) {
	db := dynamotest.New(t)
	tables := store.Tables{Data: db.DataTable, Session: db.SessionTable}
	env := accountstest.New(t, store.New(db.Client, tables), true)
	email := accountstest.Email("race")
	env.ConfirmedAccount(t, email)
	var instances []*accounts.Logins
	for range 3 {
		client, err := localaws.DynamoDBFromEnv() // one client per instance, as separate Lambdas have
		if err != nil {
			t.Fatal(err)
		}
		instances = append(instances, &accounts.Logins{Config: env.Config, Store: store.New(client, tables)})
	}
	var out loginOutcomes
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for i := range 12 {
		pw := "Mauvais-Mot-2026"
		if i == 11 {
			pw = accountstest.Password
		}
		ready.Add(1)
		done.Go(func() {
			ready.Done()
			<-start
			_, err := instances[i%3].Login(context.Background(), accounts.LoginInput{Email: email, Password: pw, ClientAddr: accountstest.NewAddr()})
			out.add(t, err)
		})
	}
	ready.Wait()
	close(start)
	done.Wait()
	evaluated := out.wrongChecked.Load() + out.signedIn.Load()
	if evaluated > accounts.MaxAttemptsAccount || out.limited.Load() != 12-evaluated {
		t.Errorf("%d wrong passwords checked, %d signed in, %d asked for a proof; at most %d evaluated",
			out.wrongChecked.Load(), out.signedIn.Load(), out.limited.Load(), accounts.MaxAttemptsAccount)
	}
}

// TestReauthenticationCountsAgainstTheLoginLimit: wrong current passwords on a password change
// or an account deletion count as failed logins; past the limit the right one is refused too
// until the window ends, and so is a plain login without a proof.
func TestReauthenticationCountsAgainstTheLoginLimit(t *testing.T) {
	for _, op := range []string{"change", "delete"} {
		t.Run(op, func(t *testing.T) {
			env := accountstest.New(t, accountstest.NewMemory(), true)
			ctx := context.Background()
			email := accountstest.Email("reauth")
			env.ConfirmedAccount(t, email)
			try := func(pw string) error {
				if op == "change" {
					_, err := env.Service.ChangePassword(ctx, accounts.PasswordChange{Email: email, Current: pw,
						Password: "Nouveau-Mot-2026", Confirmation: "Nouveau-Mot-2026"})
					return err
				}
				return env.Service.DeleteAccount(ctx, email, "", pw)
			}
			for i := range accounts.MaxAttemptsAccount {
				if err := try("Mauvais-Mot-2026"); err == nil || errors.Is(err, accounts.Throttled(accountstest.Start, accountstest.Start)) {
					t.Fatalf("wrong password %d: %v", i, err)
				}
			}
			if err := try(accountstest.Password); !errors.Is(err, accounts.Throttled(accountstest.Start, accountstest.Start)) {
				t.Fatalf("past the limit: %v", err)
			}
			_, err := env.Service.Login(ctx, accounts.LoginInput{Email: email, Password: accountstest.Password, ClientAddr: accountstest.NewAddr()})
			if !errors.Is(err, accounts.ErrProofRequired) {
				t.Errorf("login after the re-authentications: %v", err)
			}
			env.Clock.Add(accounts.ThrottleWindow)
			if err := try(accountstest.Password); err != nil {
				t.Errorf("next window: %v", err)
			}
		})
	}
}

// TestSubscriberCodesCannotBeGuessed: codes tried on one account, or from one address over
// several accounts, are limited; the limit holds before the code is even looked up.
func TestSubscriberCodesCannotBeGuessed(t *testing.T) {
	env := accountstest.New(t, accountstest.NewMemory(), false)
	ctx := context.Background()
	_, code := env.Family(t, "Martin", false)
	email := accountstest.Email("guesser")
	env.ConfirmedAccount(t, email)
	addr := accountstest.NewAddr()
	for i := range accounts.MaxCodesPerAccount {
		err := env.Service.LinkFamily(ctx, email, "BLENFANCE-12087-ZZZZ-ZZZ"+string(rune('0'+i)), addr)
		if f, ok := fault.As(err); !ok || f.Type != "invalid-fields" {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	if err := env.Service.LinkFamily(ctx, email, code, addr); !errors.Is(err, accounts.Throttled(accountstest.Start, accountstest.Start)) {
		t.Fatalf("6th code on one account: %v", err)
	}
	// From one address, over many accounts.
	addr = accountstest.NewAddr()
	for i := range accounts.MaxCodesPerAddress {
		other := accountstest.Email("spray")
		env.ConfirmedAccount(t, other)
		if err := env.Service.LinkFamily(ctx, other, "BLENFANCE-12087-ZZZZ-ZZZZ", addr); errors.Is(err, accounts.Throttled(accountstest.Start, accountstest.Start)) {
			t.Fatalf("guess %d from one address refused early", i)
		}
	}
	other := accountstest.Email("spray")
	env.ConfirmedAccount(t, other)
	if err := env.Service.LinkFamily(ctx, other, code, addr); !errors.Is(err, accounts.Throttled(accountstest.Start, accountstest.Start)) {
		t.Fatalf("21st code from one address: %v", err)
	}
}
