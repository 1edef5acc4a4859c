package stafftest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/preau/preau/shared/staff"
)

// Store is everything the staff rules store.
type Store interface {
	staff.Members
	staff.Sessions
	staff.Attempts
	staff.Journal
}

var at = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

// Contract runs the behaviour every staff store must have against fresh stores from newStore.
func Contract(t *testing.T, newStore func(t *testing.T) Store) {
	ctx := context.Background()
	t.Run("a member is created once", func(t *testing.T) {
		s := newStore(t)
		var created, exists atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				switch err := s.CreateMember(ctx, staff.Member{Email: "agent@mairie.fr", Name: "A", Stamp: "s1", CreatedAt: at}); {
				case err == nil:
					created.Add(1)
				case errors.Is(err, staff.ErrExists):
					exists.Add(1)
				default:
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if created.Load() != 1 || exists.Load() != 7 {
			t.Fatalf("created %d, exists %d", created.Load(), exists.Load())
		}
		m, err := s.Member(ctx, "agent@mairie.fr")
		if err != nil || m.Name != "A" || m.Stamp != "s1" || !m.CreatedAt.Equal(at) || m.Enrolled() {
			t.Fatalf("member = %+v, %v", m, err)
		}
		if _, err := s.Member(ctx, "nobody@mairie.fr"); !errors.Is(err, staff.ErrNotFound) {
			t.Fatalf("absent member: %v", err)
		}
		list, err := s.Members(ctx)
		if err != nil || len(list) != 1 || list[0].Email != "agent@mairie.fr" {
			t.Fatalf("members = %+v, %v", list, err)
		}
	})
	t.Run("second factor enrolled once, each step used once", func(t *testing.T) {
		s := newStore(t)
		if err := s.CreateMember(ctx, staff.Member{Email: "b@mairie.fr", Name: "B", Stamp: "s1", CreatedAt: at}); err != nil {
			t.Fatal(err)
		}
		if err := s.UseStep(ctx, "b@mairie.fr", 10, ""); !errors.Is(err, staff.ErrStale) {
			t.Fatalf("step before enrolment: %v", err)
		}
		if err := s.EnrolSecondFactor(ctx, "b@mairie.fr", "other", "SECRET1", 10, at); !errors.Is(err, staff.ErrStale) {
			t.Fatalf("enrol with another stamp: %v", err)
		}
		var won atomic.Int32
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				if err := s.EnrolSecondFactor(ctx, "b@mairie.fr", "s1", "SECRET1", 10, at); err == nil {
					won.Add(1)
				} else if !errors.Is(err, staff.ErrStale) {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Fatalf("%d enrolments landed", won.Load())
		}
		m, _ := s.Member(ctx, "b@mairie.fr")
		if m.TOTPSecret != "SECRET1" || m.LastStep != 10 || !m.EnrolledAt.Equal(at) {
			t.Fatalf("enrolled member = %+v", m)
		}
		for _, c := range []struct {
			step int64
			ok   bool
		}{{10, false}, {9, false}, {11, true}, {11, false}, {13, true}} {
			err := s.UseStep(ctx, "b@mairie.fr", c.step, "")
			if (err == nil) != c.ok || (err != nil && !errors.Is(err, staff.ErrStale)) {
				t.Errorf("UseStep(%d) = %v, want ok=%v", c.step, err, c.ok)
			}
		}
		// A secret stored in clear is replaced by its sealed form in the step's own write, and
		// only when the step is accepted.
		if err := s.UseStep(ctx, "b@mairie.fr", 13, "v1:REPLAYED"); !errors.Is(err, staff.ErrStale) {
			t.Fatalf("replayed step with a reseal: %v", err)
		}
		if err := s.UseStep(ctx, "b@mairie.fr", 14, "v1:SEALED"); err != nil {
			t.Fatal(err)
		}
		if m, _ := s.Member(ctx, "b@mairie.fr"); m.TOTPSecret != "v1:SEALED" || m.LastStep != 14 {
			t.Fatalf("after the reseal: %+v", m)
		}
		if err := s.RecordStaffLogin(ctx, "b@mairie.fr", at.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if m, _ := s.Member(ctx, "b@mairie.fr"); !m.LastLoginAt.Equal(at.Add(time.Hour)) {
			t.Fatalf("last login = %v", m.LastLoginAt)
		}
		if err := s.RecordStaffLogin(ctx, "nobody@mairie.fr", at); !errors.Is(err, staff.ErrNotFound) {
			t.Fatalf("login of nobody: %v", err)
		}
	})
	t.Run("sessions", func(t *testing.T) {
		s := newStore(t)
		in := staff.Session{Hash: "h1", Email: "c@mairie.fr", Stamp: "s", PendingSecret: "P", CreatedAt: at, ExpiresAt: at.Add(time.Hour)}
		if err := s.PutStaffSession(ctx, in); err != nil {
			t.Fatal(err)
		}
		got, err := s.StaffSession(ctx, "h1")
		if err != nil || got.Email != in.Email || got.Stamp != "s" || got.Verified || got.PendingSecret != "P" ||
			!got.ExpiresAt.Equal(in.ExpiresAt) || !got.CreatedAt.Equal(at) {
			t.Fatalf("session = %+v, %v", got, err)
		}
		if err := s.DeleteStaffSession(ctx, "h1"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteStaffSession(ctx, "h1"); err != nil {
			t.Fatalf("second delete: %v", err)
		}
		if _, err := s.StaffSession(ctx, "h1"); !errors.Is(err, staff.ErrNotFound) {
			t.Fatalf("deleted session: %v", err)
		}
	})
	t.Run("attempts count per window", func(t *testing.T) {
		s := newStore(t)
		w := at.Truncate(15 * time.Minute)
		for i := 1; i <= 3; i++ {
			if n, err := s.AddAttempt(ctx, "staff-login", "k", w, w.Add(time.Hour)); err != nil || n != i {
				t.Fatalf("AddAttempt = %d, %v", n, err)
			}
		}
		if n, err := s.Attempts(ctx, "staff-login", "k", w); err != nil || n != 3 {
			t.Fatalf("Attempts = %d, %v", n, err)
		}
		if n, err := s.Attempts(ctx, "staff-login", "k", w.Add(15*time.Minute)); err != nil || n != 0 {
			t.Fatalf("next window = %d, %v", n, err)
		}
	})
	t.Run("journal by month, newest first", func(t *testing.T) {
		s := newStore(t)
		es := []staff.Entry{
			{ID: "a", At: at, Who: "x@mairie.fr", Action: "Famille créée", Target: "Famille Martin", After: "tranche B"},
			{ID: "b", At: at.Add(time.Minute), Who: "x@mairie.fr", Action: "Code abonné réémis", Target: "Famille Martin", Before: "…M2XD", After: "…AB12"},
			{ID: "c", At: at.AddDate(0, 1, 0), Who: "y@mairie.fr", Action: "Autre mois"},
		}
		for _, e := range es {
			if err := s.RecordEntry(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.RecordEntry(ctx, es[0]); err != nil { // a replay changes nothing
			t.Fatal(err)
		}
		got, err := s.Entries(ctx, "2026-12")
		if err != nil || len(got) != 2 {
			t.Fatalf("entries = %+v, %v", got, err)
		}
		if got[0].ID != "b" || got[0].Before != "…M2XD" || got[0].After != "…AB12" || !got[0].At.Equal(es[1].At) ||
			got[1].ID != "a" || got[1].Who != "x@mairie.fr" || got[1].Target != "Famille Martin" {
			t.Fatalf("entries = %+v", got)
		}
	})
}
