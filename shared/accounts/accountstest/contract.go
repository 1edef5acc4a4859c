package accountstest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/family"
)

// StoreContract is the behaviour every account Store must have; the in-memory store and the
// DynamoDB store both run it (shared/accounts/accountstest and shared/store tests), so a
// handler test on the fake means what it would on DynamoDB. newStore returns an empty store.
func StoreContract(t *testing.T, newStore func(t *testing.T) Store) {
	at := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
	ctx := context.Background()
	acc := func(email string) accounts.Account {
		return accounts.Account{Email: email, Civility: "Mme", LastName: "Martin", FirstName: "Anne",
			PasswordHash: "h1", CreatedAt: at, SessionStamp: "s1", PendingCode: "BLENFANCE-12087-AB12-CD34"}
	}

	t.Run("one account per e-mail, whatever the concurrency", func(t *testing.T) {
		st := newStore(t)
		var created, exists atomic.Int32
		var wg sync.WaitGroup
		for range 12 {
			wg.Go(func() {
				switch err := st.CreateAccount(ctx, acc("a@example.org")); {
				case err == nil:
					created.Add(1)
				case errors.Is(err, accounts.ErrExists):
					exists.Add(1)
				default:
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if created.Load() != 1 || exists.Load() != 11 {
			t.Errorf("created %d, refused %d", created.Load(), exists.Load())
		}
		got, err := st.Account(ctx, "a@example.org")
		if err != nil || got.LastName != "Martin" || !got.CreatedAt.Equal(at) || got.Confirmed() || got.PendingCode == "" {
			t.Errorf("account %+v %v", got, err)
		}
		if _, err := st.Account(ctx, "nobody@example.org"); !errors.Is(err, accounts.ErrNotFound) {
			t.Errorf("absent account: %v", err)
		}
	})

	t.Run("a key past DynamoDB's limit is a failure, not a refusal", func(t *testing.T) {
		st := newStore(t)
		long := strings.Repeat("a", 3000) + "@example.org"
		if _, err := st.Account(ctx, long); err == nil || errors.Is(err, accounts.ErrNotFound) {
			t.Errorf("account with a 3,000-character key: %v", err)
		}
		if _, err := st.TakeAttempt(ctx, "login-account", long, 5, at, at); err == nil {
			t.Error("attempt with a 3,000-character key counted")
		}
	})

	t.Run("replace and confirm are conditioned on the stamp", func(t *testing.T) {
		st := newStore(t)
		must(t, st.CreateAccount(ctx, acc("a@example.org")))
		repl := acc("a@example.org")
		repl.LastName, repl.SessionStamp, repl.PendingCode = "Durand", "s2", ""
		must(t, st.ReplaceUnconfirmed(ctx, repl))
		if got, _ := st.Account(ctx, "a@example.org"); got.LastName != "Durand" || got.SessionStamp != "s2" || got.PendingCode != "" {
			t.Errorf("replaced %+v", got)
		}
		if _, err := st.ConfirmAccount(ctx, "a@example.org", "s1", at); !errors.Is(err, accounts.ErrStale) {
			t.Errorf("confirm with the old stamp: %v", err)
		}
		got, err := st.ConfirmAccount(ctx, "a@example.org", "s2", at)
		if err != nil || !got.Confirmed() || got.LastName != "Durand" {
			t.Errorf("confirm: %+v %v", got, err)
		}
		if _, err := st.ConfirmAccount(ctx, "a@example.org", "s2", at); !errors.Is(err, accounts.ErrStale) {
			t.Errorf("confirm twice: %v", err)
		}
		if err := st.ReplaceUnconfirmed(ctx, repl); !errors.Is(err, accounts.ErrExists) {
			t.Errorf("replace a confirmed account: %v", err)
		}
		if err := st.ReplaceUnconfirmed(ctx, acc("b@example.org")); !errors.Is(err, accounts.ErrExists) {
			t.Errorf("replace an absent account: %v", err)
		}
		if _, err := st.ConfirmAccount(ctx, "b@example.org", "s1", at); !errors.Is(err, accounts.ErrStale) {
			t.Errorf("confirm an absent account: %v", err)
		}
	})

	t.Run("password writes need the stamp read", func(t *testing.T) {
		st := newStore(t)
		must(t, st.CreateAccount(ctx, acc("a@example.org")))
		w := accounts.PasswordWrite{Hash: "h2", Stamp: "s2", ChangedAt: at, KeptStamps: []string{"s1"}}
		must(t, st.SetPassword(ctx, "a@example.org", "s1", w))
		if err := st.SetPassword(ctx, "a@example.org", "s1", accounts.PasswordWrite{Hash: "h3", Stamp: "s3", ChangedAt: at}); !errors.Is(err, accounts.ErrStale) {
			t.Errorf("second write from the same state: %v", err)
		}
		got, _ := st.Account(ctx, "a@example.org")
		if got.PasswordHash != "h2" || got.SessionStamp != "s2" || !got.PasswordChangedAt.Equal(at) || !slices.Equal(got.KeptStamps, []string{"s1"}) {
			t.Errorf("after change %+v", got)
		}
		must(t, st.SetPassword(ctx, "a@example.org", "s2", accounts.PasswordWrite{Hash: "h4"})) // a rehash
		got, _ = st.Account(ctx, "a@example.org")
		if got.PasswordHash != "h4" || got.SessionStamp != "s2" || len(got.KeptStamps) != 1 {
			t.Errorf("after rehash %+v", got)
		}
		must(t, st.SetPassword(ctx, "a@example.org", "s2", accounts.PasswordWrite{Hash: "h5", Stamp: "s5", ChangedAt: at.Add(time.Hour)}))
		if got, _ := st.Account(ctx, "a@example.org"); len(got.KeptStamps) != 0 || got.SessionStamp != "s5" {
			t.Errorf("a change closing other sessions keeps %v", got.KeptStamps)
		}
		if err := st.SetPassword(ctx, "b@example.org", "s1", accounts.PasswordWrite{Hash: "h"}); !errors.Is(err, accounts.ErrStale) {
			t.Errorf("absent account: %v", err)
		}
	})

	t.Run("profile, family link, deletion", func(t *testing.T) {
		st := newStore(t)
		must(t, st.CreateAccount(ctx, acc("a@example.org")))
		must(t, st.UpdateProfile(ctx, "a@example.org", "M", "Dupont", "Jean"))
		must(t, st.LinkFamily(ctx, "a@example.org", "f_1"))
		got, _ := st.Account(ctx, "a@example.org")
		if got.Civility != "M" || got.LastName != "Dupont" || got.FamilyID != "f_1" || got.PendingCode != "" {
			t.Errorf("after profile and link %+v", got)
		}
		must(t, st.UnlinkFamily(ctx, "a@example.org", "f_2"))
		if got, _ := st.Account(ctx, "a@example.org"); got.FamilyID != "f_1" {
			t.Errorf("unlinking another family cleared %q", got.FamilyID)
		}
		must(t, st.UnlinkFamily(ctx, "a@example.org", "f_1"))
		if got, _ := st.Account(ctx, "a@example.org"); got.FamilyID != "" {
			t.Errorf("unlinked account keeps %q", got.FamilyID)
		}
		must(t, st.UnlinkFamily(ctx, "b@example.org", "f_1"))
		for name, err := range map[string]error{
			"profile": st.UpdateProfile(ctx, "b@example.org", "M", "X", "Y"),
			"link":    st.LinkFamily(ctx, "b@example.org", "f_1"),
		} {
			if !errors.Is(err, accounts.ErrNotFound) {
				t.Errorf("%s of an absent account: %v", name, err)
			}
		}
		must(t, st.DeleteAccount(ctx, "a@example.org"))
		must(t, st.DeleteAccount(ctx, "a@example.org"))
		if _, err := st.Account(ctx, "a@example.org"); !errors.Is(err, accounts.ErrNotFound) {
			t.Errorf("deleted account: %v", err)
		}
	})

	t.Run("one-time links are used once", func(t *testing.T) {
		st := newStore(t)
		tok := accounts.Token{Hash: "th", Purpose: accounts.PurposeReset, Email: "a@example.org", Stamp: "s1",
			CreatedAt: at, ValidUntil: at.Add(time.Hour), ExpiresAt: at.Add(8 * 24 * time.Hour)}
		must(t, st.PutToken(ctx, tok))
		got, err := st.Token(ctx, "th")
		if err != nil || got.Purpose != accounts.PurposeReset || got.Email != tok.Email || got.Stamp != "s1" ||
			!got.ValidUntil.Equal(tok.ValidUntil) || !got.UsedAt.IsZero() {
			t.Errorf("token %+v %v", got, err)
		}
		var used, spent atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				switch err := st.UseToken(ctx, "th", at); {
				case err == nil:
					used.Add(1)
				case errors.Is(err, accounts.ErrSpent):
					spent.Add(1)
				default:
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if used.Load() != 1 || spent.Load() != 7 {
			t.Errorf("used %d, refused %d", used.Load(), spent.Load())
		}
		if got, _ := st.Token(ctx, "th"); !got.UsedAt.Equal(at) {
			t.Errorf("used at %v", got.UsedAt)
		}
		if _, err := st.Token(ctx, "unknown"); !errors.Is(err, accounts.ErrNotFound) {
			t.Errorf("unknown token: %v", err)
		}
		if err := st.UseToken(ctx, "unknown", at); !errors.Is(err, accounts.ErrSpent) {
			t.Errorf("use an unknown token: %v", err)
		}
	})

	t.Run("sessions", func(t *testing.T) {
		st := newStore(t)
		s := accounts.Session{Hash: "sh", Email: "a@example.org", Stamp: "s1", CreatedAt: at, ExpiresAt: at.Add(12 * time.Hour)}
		must(t, st.PutSession(ctx, s))
		got, err := st.Session(ctx, "sh")
		if err != nil || got.Email != s.Email || got.Stamp != "s1" || !got.ExpiresAt.Equal(s.ExpiresAt) {
			t.Errorf("session %+v %v", got, err)
		}
		must(t, st.DeleteSession(ctx, "sh"))
		must(t, st.DeleteSession(ctx, "sh"))
		if _, err := st.Session(ctx, "sh"); !errors.Is(err, accounts.ErrNotFound) {
			t.Errorf("deleted session: %v", err)
		}
	})

	t.Run("a limit is never passed, whatever the concurrency", func(t *testing.T) {
		st := newStore(t)
		var taken, refused atomic.Int32
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				ok, err := st.TakeAttempt(ctx, "login-account", "a@example.org", 5, at, at.Add(time.Hour))
				switch {
				case err != nil:
					t.Error(err)
				case ok:
					taken.Add(1)
				default:
					refused.Add(1)
				}
			})
		}
		wg.Wait()
		if taken.Load() != 5 || refused.Load() != 15 {
			t.Errorf("taken %d, refused %d; want 5, 15", taken.Load(), refused.Load())
		}
		for name, c := range map[string]struct {
			scope, key string
			window     time.Time
		}{
			"next window": {"login-account", "a@example.org", at.Add(15 * time.Minute)},
			"other key":   {"login-account", "b@example.org", at},
			"other scope": {"code-account", "a@example.org", at},
		} {
			if ok, err := st.TakeAttempt(ctx, c.scope, c.key, 5, c.window, c.window.Add(time.Hour)); !ok || err != nil {
				t.Errorf("%s: %v %v", name, ok, err)
			}
		}
	})

	t.Run("a proof is spent once", func(t *testing.T) {
		st := newStore(t)
		must(t, st.SpendProof(ctx, "n1", at.Add(time.Hour)))
		if err := st.SpendProof(ctx, "n1", at.Add(time.Hour)); !errors.Is(err, accounts.ErrSpent) {
			t.Errorf("replayed proof: %v", err)
		}
	})

	t.Run("codes, members and their history", func(t *testing.T) {
		st := newStore(t)
		must(t, st.PutFamily(ctx, family.Family{ID: "f_1", Name: "Famille Martin", SubscriberCode: "BLENFANCE-12087-AB12-CD34"}))
		must(t, st.PutChild(ctx, family.Child{ID: "c_1", FamilyID: "f_1", FirstName: "Léa", LastName: "Martin"}))
		must(t, st.PutSubscriberCode(ctx, family.SubscriberCode{Code: "BLENFANCE-12087-AB12-CD34", FamilyID: "f_1"}))
		if c, err := st.IssuedCode(ctx, "BLENFANCE-12087-AB12-CD34"); err != nil || c.FamilyID != "f_1" || c.Revoked {
			t.Errorf("code %+v %v", c, err)
		}
		if _, err := st.IssuedCode(ctx, "BLENFANCE-12087-ZZZZ-ZZZZ"); !errors.Is(err, accounts.ErrNotFound) {
			t.Errorf("unknown code: %v", err)
		}
		if _, _, err := st.FamilyOfMember(ctx, "f_1", "a@example.org"); !errors.Is(err, accounts.ErrNotFound) {
			t.Errorf("family of a non-member: %v", err)
		}
		must(t, st.AddMember(ctx, "f_1", "b@example.org", at.Add(time.Minute)))
		must(t, st.AddMember(ctx, "f_1", "a@example.org", at))
		must(t, st.AddMember(ctx, "f_1", "a@example.org", at)) // idempotent
		fam, children, err := st.FamilyOfMember(ctx, "f_1", "a@example.org")
		if err != nil || fam.Name != "Famille Martin" || len(children) != 1 || children[0].FirstName != "Léa" {
			t.Errorf("family of a member: %+v %+v %v", fam, children, err)
		}
		ms, err := st.FamilyMembers(ctx, "f_1")
		if err != nil || len(ms) != 2 || ms[0].Email != "a@example.org" || !ms[0].LinkedAt.Equal(at) || ms[1].Email != "b@example.org" {
			t.Errorf("members %+v %v", ms, err)
		}
		must(t, st.RemoveMember(ctx, "f_1", "a@example.org"))
		must(t, st.RemoveMember(ctx, "f_1", "a@example.org"))
		if _, _, err := st.FamilyOfMember(ctx, "f_1", "a@example.org"); !errors.Is(err, accounts.ErrNotFound) {
			t.Errorf("family of a removed member: %v", err)
		}
		if ms, _ := st.FamilyMembers(ctx, "f_1"); len(ms) != 1 || ms[0].Email != "b@example.org" {
			t.Errorf("members after removal %+v", ms)
		}
		if ms, err := st.FamilyMembers(ctx, "f_2"); err != nil || len(ms) != 0 {
			t.Errorf("members of an unknown family %+v %v", ms, err)
		}
		events := []accounts.FamilyEvent{
			{FamilyID: "f_1", At: at, By: "a@example.org", Action: accounts.MemberLinked, Member: "a@example.org"},
			{FamilyID: "f_1", At: at, By: "b@example.org", Action: accounts.MemberLinked, Member: "b@example.org"},
			{FamilyID: "f_1", At: at.Add(time.Hour), By: "b@example.org", Action: accounts.MemberRemoved, Member: "a@example.org"},
		}
		for _, e := range []int{2, 0, 1} {
			must(t, st.RecordFamilyEvent(ctx, events[e]))
		}
		got, err := st.FamilyEvents(ctx, "f_1")
		if err != nil || len(got) != 3 {
			t.Fatalf("events %+v %v", got, err)
		}
		same := func(a, b accounts.FamilyEvent) bool {
			return a.FamilyID == b.FamilyID && a.At.Equal(b.At) && a.By == b.By && a.Action == b.Action && a.Member == b.Member
		}
		// Oldest first; two events of one instant are both kept, in either order.
		if !same(got[2], events[2]) || !(same(got[0], events[0]) && same(got[1], events[1]) || same(got[0], events[1]) && same(got[1], events[0])) {
			t.Errorf("events %+v", got)
		}
	})
}
