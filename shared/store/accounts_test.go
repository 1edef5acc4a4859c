package store_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/preau/preau/infra/dynamotest"
	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/store"
)

func accountStore(t *testing.T) *store.Store {
	t.Helper()
	env := dynamotest.New(t)
	return store.New(env.Client, store.Tables{Data: env.DataTable, Session: env.SessionTable})
}

var at = time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)

func TestAccountConditionalWrites(t *testing.T) {
	s := accountStore(t)
	ctx := context.Background()
	const n = 20
	var created, exists atomic.Int32
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.CreateAccount(ctx, accounts.Account{Email: "race@example.org", LastName: "N" + string(rune('a'+i)), CreatedAt: at, SessionStamp: "s"})
			switch {
			case err == nil:
				created.Add(1)
			case errors.Is(err, accounts.ErrExists):
				exists.Add(1)
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if created.Load() != 1 || exists.Load() != n-1 {
		t.Errorf("created %d, refused %d", created.Load(), exists.Load())
	}
	if _, err := s.Account(ctx, "nobody@example.org"); !errors.Is(err, accounts.ErrNotFound) || !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing account: %v", err)
	}
	if err := s.UpdateProfile(ctx, "nobody@example.org", "M", "A", "B"); !errors.Is(err, accounts.ErrNotFound) {
		t.Errorf("update of a missing account: %v", err)
	}
	if _, err := s.ConfirmAccount(ctx, "race@example.org", "other", at); !errors.Is(err, accounts.ErrStale) {
		t.Errorf("confirmation with another stamp: %v, want ErrStale", err)
	}
	if _, err := s.ConfirmAccount(ctx, "nobody@example.org", "s", at); !errors.Is(err, accounts.ErrStale) {
		t.Errorf("confirmation of a missing account: %v, want ErrStale", err)
	}
	got, err := s.ConfirmAccount(ctx, "race@example.org", "s", at)
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != "race@example.org" || got.SessionStamp != "s" || !got.ConfirmedAt.Equal(at) {
		t.Errorf("account as written: %+v", got)
	}
	if _, err := s.ConfirmAccount(ctx, "race@example.org", "s", at.Add(time.Hour)); !errors.Is(err, accounts.ErrStale) {
		t.Errorf("second confirmation: %v, want ErrStale", err)
	}
	acc, err := s.Account(ctx, "race@example.org")
	if err != nil || !acc.ConfirmedAt.Equal(at) {
		t.Errorf("confirmedAt %v %v", acc.ConfirmedAt, err)
	}
}

func TestSetPasswordNeedsStamp(t *testing.T) {
	s := accountStore(t)
	ctx := context.Background()
	const email = "stamp@example.org"
	if err := s.CreateAccount(ctx, accounts.Account{Email: email, PasswordHash: "h0", CreatedAt: at, SessionStamp: "s1"}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name              string
		old, hash, stamp  string
		want              error
		wantHash, wantNow string
	}{
		{"another stamp", "s0", "h1", "s2", accounts.ErrStale, "h0", "s1"},
		{"rehash keeps the stamp", "s1", "h1", "", nil, "h1", "s1"},
		{"change renews it", "s1", "h2", "s2", nil, "h2", "s2"},
		{"from the old stamp again", "s1", "h3", "s3", accounts.ErrStale, "h2", "s2"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if err := s.SetPassword(ctx, email, st.old, st.hash, st.stamp, at); !errors.Is(err, st.want) || (st.want == nil && err != nil) {
				t.Errorf("SetPassword: %v, want %v", err, st.want)
			}
			acc, err := s.Account(ctx, email)
			if err != nil || acc.PasswordHash != st.wantHash || acc.SessionStamp != st.wantNow {
				t.Errorf("account: hash %q stamp %q %v", acc.PasswordHash, acc.SessionStamp, err)
			}
		})
	}
	if err := s.SetPassword(ctx, "nobody@example.org", "s1", "h", "s", at); !errors.Is(err, accounts.ErrStale) {
		t.Errorf("missing account: %v, want ErrStale", err)
	}
}

func TestTokenSingleUse(t *testing.T) {
	s := accountStore(t)
	ctx := context.Background()
	tok := accounts.Token{Hash: "h1", Purpose: accounts.PurposeReset, Email: "a@example.org", CreatedAt: at, ValidUntil: at.Add(time.Hour), ExpiresAt: at.Add(8 * 24 * time.Hour)}
	if err := s.PutToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	var used, spent atomic.Int32
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch err := s.UseToken(ctx, "h1", at); {
			case err == nil:
				used.Add(1)
			case errors.Is(err, accounts.ErrSpent):
				spent.Add(1)
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if used.Load() != 1 || spent.Load() != 9 {
		t.Errorf("used %d, refused %d", used.Load(), spent.Load())
	}
	got, err := s.Token(ctx, "h1")
	if err != nil || got.UsedAt.IsZero() || got.Email != tok.Email || !got.ValidUntil.Equal(tok.ValidUntil) {
		t.Errorf("kept token %+v %v", got, err)
	}
	if err := s.UseToken(ctx, "unknown", at); !errors.Is(err, accounts.ErrSpent) {
		t.Errorf("unknown token: %v", err)
	}
}

func TestProofAndThrottle(t *testing.T) {
	s := accountStore(t)
	ctx := context.Background()
	if err := s.SpendProof(ctx, "n1", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.SpendProof(ctx, "n1", at.Add(time.Hour)); !errors.Is(err, accounts.ErrSpent) {
		t.Errorf("replayed proof: %v", err)
	}
	var wg sync.WaitGroup
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.AddAttempt(ctx, "login-account", "a@example.org", at, at.Add(time.Hour)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n, err := s.Attempts(ctx, "login-account", "a@example.org", at); n != 12 || err != nil {
		t.Errorf("count %d %v", n, err)
	}
	if n, err := s.Attempts(ctx, "login-account", "a@example.org", at.Add(15*time.Minute)); n != 0 || err != nil {
		t.Errorf("next window %d %v", n, err)
	}
}

func TestSessions(t *testing.T) {
	s := accountStore(t)
	ctx := context.Background()
	ss := accounts.Session{Hash: "sh", Email: "a@example.org", Stamp: "st", CreatedAt: at, ExpiresAt: at.Add(12 * time.Hour)}
	if err := s.PutSession(ctx, ss); err != nil {
		t.Fatal(err)
	}
	got, err := s.Session(ctx, "sh")
	if err != nil || got.Email != ss.Email || got.Stamp != "st" || !got.ExpiresAt.Equal(ss.ExpiresAt) {
		t.Errorf("session %+v %v", got, err)
	}
	if err := s.DeleteSession(ctx, "sh"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, "sh"); !errors.Is(err, accounts.ErrNotFound) {
		t.Errorf("deleted session: %v", err)
	}
}
