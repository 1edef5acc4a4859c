package accounts_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/preau/preau/infra/dynamotest"
	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/accounts/accountstest"
	"github.com/preau/preau/shared/store"
)

// interleaved is the real store with a hook run just before each ConfirmAccount or
// SetPassword write, to land another request's write between a check and its write.
type interleaved struct {
	*store.Store
	beforeConfirm  func(ctx context.Context)
	beforePassword func(ctx context.Context)
}

func (r *interleaved) ConfirmAccount(ctx context.Context, email, stamp string, at time.Time) (accounts.Account, error) {
	if r.beforeConfirm != nil {
		r.beforeConfirm(ctx)
	}
	return r.Store.ConfirmAccount(ctx, email, stamp, at)
}

func (r *interleaved) SetPassword(ctx context.Context, email, oldStamp string, w accounts.PasswordWrite) error {
	if r.beforePassword != nil {
		r.beforePassword(ctx)
	}
	return r.Store.SetPassword(ctx, email, oldStamp, w)
}

// dynamoStore is the DynamoDB store on fresh emulator tables.
func dynamoStore(t *testing.T) *store.Store {
	t.Helper()
	db := dynamotest.New(t)
	return store.New(db.Client, store.Tables{Data: db.DataTable, Session: db.SessionTable})
}

// raceEnv is the account use cases over the real store on the emulator, its writes hookable.
func raceEnv(t *testing.T) (*accountstest.Env, *interleaved, accountstest.Services) {
	t.Helper()
	repo := &interleaved{Store: dynamoStore(t)}
	env := accountstest.New(t, repo, false)
	return env, repo, env.Service
}

// token returns the secret of the i-th link e-mailed to email.
func token(t *testing.T, env *accountstest.Env, email string, i int) string {
	t.Helper()
	msgs := env.Box.Messages(email)
	if len(msgs) <= i {
		t.Fatalf("%d mails sent, want mail %d", len(msgs), i)
	}
	_, tok := accountstest.LinkIn(t, msgs[i].Text)
	return tok
}

// TestConfirmRaceWithReplacement: a sign-up replacing the unconfirmed account (or a
// confirmation) lands after Confirm has checked the link's stamp and before it writes. The
// earlier link must not confirm the replaced account, and no family is linked.
func TestConfirmRaceWithReplacement(t *testing.T) {
	env, repo, svc := raceEnv(t)
	ctx := context.Background()
	_, otherCode := env.Family(t, "Intrus", false)
	replacement := func(code string) func(context.Context, string) error {
		return func(ctx context.Context, email string) error {
			hash, err := env.Config.Passwords.Hash("Squatteur-2026x")
			if err != nil {
				return err
			}
			return repo.Store.ReplaceUnconfirmed(ctx, accounts.Account{Email: email, Civility: "M", LastName: "Intrus",
				FirstName: "Igor", PasswordHash: hash, PendingCode: code, SessionStamp: "replacement-stamp"})
		}
	}
	cases := []struct {
		name      string
		interfere func(ctx context.Context, email string) error
		want      error
	}{
		{"replaced without a code", replacement(""), accounts.ErrLinkExpired},
		{"replaced with another family's code", replacement(otherCode), accounts.ErrLinkExpired},
		{"confirmed meanwhile", func(ctx context.Context, email string) error {
			acc, err := repo.Store.Account(ctx, email)
			if err != nil {
				return err
			}
			_, err = repo.Store.ConfirmAccount(ctx, email, acc.SessionStamp, env.Clock.Now())
			return err
		}, accounts.ErrAlreadyConfirmed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			email := accountstest.Email("race")
			famID, code := env.Family(t, "Martin", false)
			in := env.Input(email)
			in.SubscriberCode = code
			if err := svc.Signup(ctx, in); err != nil {
				t.Fatal(err)
			}
			secret := token(t, env, email, 0)
			repo.beforeConfirm = func(ctx context.Context) {
				if err := c.interfere(ctx, email); err != nil {
					t.Error(err)
				}
			}
			defer func() { repo.beforeConfirm = nil }()

			res, err := svc.Confirm(ctx, secret)
			if !errors.Is(err, c.want) {
				t.Fatalf("Confirm: %+v %v, want %v", res, err, c.want)
			}
			acc, err := repo.Store.Account(ctx, email)
			if err != nil {
				t.Fatal(err)
			}
			if c.want == accounts.ErrLinkExpired && acc.Confirmed() {
				t.Error("the replaced account was confirmed by the earlier sign-up's link")
			}
			if acc.FamilyID != "" || res.FamilyLinked {
				t.Errorf("family linked: %q %+v", acc.FamilyID, res)
			}
			if _, _, err := repo.Store.FamilyOfMember(ctx, famID, email); !errors.Is(err, accounts.ErrNotFound) {
				t.Errorf("the sign-up's family gained the address as member: %v", err)
			}
		})
	}
}

// TestConcurrentResetLinks: two reset links of one account used at the same time, both past
// their checks before either writes: exactly one sets its password, the other is told the
// link has expired.
func TestConcurrentResetLinks(t *testing.T) {
	env, repo, svc := raceEnv(t)
	ctx := context.Background()
	email := accountstest.Email("resets")
	if err := svc.Signup(ctx, env.Input(email)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Confirm(ctx, token(t, env, email, 0)); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		env.Clock.Add(time.Minute)
		if err := svc.RequestReset(ctx, email, accountstest.NewAddr()); err != nil {
			t.Fatal(err)
		}
	}
	links := []string{token(t, env, email, 1), token(t, env, email, 2)}
	passwords := []string{"Premier-Lien-2026", "Second-Lien-2026"}

	// Both requests reach their password write before either makes it.
	var arrived sync.WaitGroup
	arrived.Add(len(links))
	repo.beforePassword = func(context.Context) { arrived.Done(); arrived.Wait() }
	errs := make([]error, len(links))
	var done sync.WaitGroup
	for i := range links {
		done.Go(func() {
			errs[i] = svc.ResetPassword(ctx, accounts.PasswordReset{Secret: links[i], Password: passwords[i], Confirmation: passwords[i]})
		})
	}
	done.Wait()
	repo.beforePassword = nil

	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner == -1:
			winner = i
		case errors.Is(err, accounts.ErrLinkExpired):
		default:
			t.Errorf("link %d: %v", i, err)
		}
	}
	if winner == -1 {
		t.Fatalf("no reset succeeded: %v", errs)
	}
	for i, pw := range passwords {
		_, err := svc.Login(ctx, accounts.LoginInput{Email: email, Password: pw, ClientAddr: "192.0.2.9"})
		if i == winner && err != nil {
			t.Errorf("winning link's password: %v", err)
		}
		if i != winner && !errors.Is(err, accounts.ErrBadCredentials) {
			t.Errorf("losing link's password: %v, want refused", err)
		}
	}
}
