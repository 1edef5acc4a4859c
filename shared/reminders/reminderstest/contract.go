package reminderstest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/reminders"
	"github.com/preau/preau/shared/reservations"
)

// Subject is a store under contract test, with the writes that seed it (the town hall's and
// the parents' own, which the reminder rules only read).
type Subject struct {
	Repo interface {
		reminders.Repository
		reminders.PreferenceStore
	}
	PutHousehold func(t *testing.T, h reminders.Household)
	PutAccount   func(t *testing.T, a Account)
	Book         func(t *testing.T, s reservations.Slot, childID string)
}

// Contract runs the tests every reminders store passes: the in-memory Store and shared/store
// on DynamoDB run the same ones. newSubject returns an empty store.
func Contract(t *testing.T, newSubject func(t *testing.T) Subject) {
	ctx := context.Background()
	sept := date.MustParse("2026-09-01")
	seed := func(t *testing.T) Subject {
		s := newSubject(t)
		s.PutHousehold(t, reminders.Household{
			Family:   family.Family{ID: "f_c1", Name: "Famille Contrat", QuotientBracket: "B"},
			Children: []family.Child{{ID: "c_c1", FamilyID: "f_c1", FirstName: "Léa", LastName: "Contrat", School: "jules-ferry"}},
			Enrolments: []family.Enrolment{
				{ChildID: "c_c1", Activity: calendar.Canteen, Site: "jules-ferry", From: sept},
				{ChildID: "c_c1", Activity: calendar.WednesdayCentre, Site: "tilleuls", From: sept, Until: date.MustParse("2027-07-03")},
			},
			Members: []string{"lea.parent@example.fr"},
		})
		s.PutAccount(t, Account{Email: "lea.parent@example.fr", Greeting: "Mme Contrat", FamilyID: "f_c1", Confirmed: true})
		s.PutAccount(t, Account{Email: "pending@example.fr", Greeting: "M. Attente"})
		return s
	}

	t.Run("household, enrolments by activity, accounts", func(t *testing.T) {
		s := seed(t)
		h, err := s.Repo.ReminderHousehold(ctx, "f_c1")
		if err != nil {
			t.Fatal(err)
		}
		if h.Family.QuotientBracket != "B" || len(h.Children) != 1 || h.Children[0].FirstName != "Léa" ||
			len(h.Enrolments) != 2 || !slices.Equal(h.Members, []string{"lea.parent@example.fr"}) {
			t.Errorf("household %+v", h)
		}
		if _, err := s.Repo.ReminderHousehold(ctx, "f_none"); !errors.Is(err, reminders.ErrNoHousehold) {
			t.Errorf("missing family: %v, want ErrNoHousehold", err)
		}
		ens, err := s.Repo.EnrolmentsIn(ctx, calendar.WednesdayCentre)
		if err != nil {
			t.Fatal(err)
		}
		if len(ens) != 1 || ens[0].FamilyID != "f_c1" || ens[0].ChildID != "c_c1" || ens[0].Site != "tilleuls" ||
			ens[0].Until != date.MustParse("2027-07-03") {
			t.Errorf("enrolled in mercredi: %+v", ens)
		}
		p, err := s.Repo.ReminderParent(ctx, "lea.parent@example.fr")
		if err != nil {
			t.Fatal(err)
		}
		if !p.Confirmed || p.FamilyID != "f_c1" || p.Greeting != "Mme Contrat" {
			t.Errorf("parent %+v", p)
		}
		if q, err := s.Repo.ReminderParent(ctx, "pending@example.fr"); err != nil || q.Confirmed || q.FamilyID != "" {
			t.Errorf("unconfirmed parent %+v, %v", q, err)
		}
		if _, err := s.Repo.ReminderParent(ctx, "nobody@example.fr"); !errors.Is(err, reminders.ErrNoParent) {
			t.Errorf("no account: %v, want ErrNoParent", err)
		}
	})

	t.Run("preferences default, stored, and the summary index", func(t *testing.T) {
		s := seed(t)
		p, err := s.Repo.ReminderParent(ctx, "lea.parent@example.fr")
		if err != nil {
			t.Fatal(err)
		}
		def := reminders.DefaultPreferences()
		if p.Preferences.Enabled != def.Enabled || !slices.Equal(p.Preferences.Activities, def.Activities) ||
			!slices.Equal(p.Preferences.Weekdays, def.Weekdays) || p.Preferences.WeeklySummary {
			t.Errorf("never chosen: %+v, want the defaults", p.Preferences)
		}
		choice := reminders.Preferences{Enabled: true, Activities: []calendar.Activity{calendar.Canteen, calendar.WednesdayCentre},
			Weekdays: []time.Weekday{time.Monday, time.Thursday}, WeeklySummary: true}
		if err := s.Repo.SetReminderPreferences(ctx, "lea.parent@example.fr", choice); err != nil {
			t.Fatal(err)
		}
		p, _ = s.Repo.ReminderParent(ctx, "lea.parent@example.fr")
		if !p.Preferences.Enabled || !slices.Equal(p.Preferences.Activities, choice.Activities) ||
			!slices.Equal(p.Preferences.Weekdays, choice.Weekdays) || !p.Preferences.WeeklySummary {
			t.Errorf("stored %+v, read back %+v", choice, p.Preferences)
		}
		if subs, _ := s.Repo.SummarySubscribers(ctx); !slices.Equal(subs, []string{"lea.parent@example.fr"}) {
			t.Errorf("subscribers %v", subs)
		}
		off := reminders.Preferences{Activities: []calendar.Activity{}, Weekdays: []time.Weekday{}}
		if err := s.Repo.SetReminderPreferences(ctx, "lea.parent@example.fr", off); err != nil {
			t.Fatal(err)
		}
		p, _ = s.Repo.ReminderParent(ctx, "lea.parent@example.fr")
		if p.Preferences.Enabled || p.Preferences.WeeklySummary || len(p.Preferences.Activities) != 0 {
			t.Errorf("everything off, read back %+v", p.Preferences)
		}
		if subs, _ := s.Repo.SummarySubscribers(ctx); len(subs) != 0 {
			t.Errorf("summary off, still subscribed: %v", subs)
		}
	})

	t.Run("a month of bookings", func(t *testing.T) {
		s := seed(t)
		d := date.MustParse("2026-12-07")
		s.Book(t, reservations.Slot{Activity: calendar.Canteen, Site: "jules-ferry", Day: d}, "c_c1")
		days, err := s.Repo.ReminderDays(ctx, calendar.Canteen, "jules-ferry", d.FirstOfMonth())
		if err != nil {
			t.Fatal(err)
		}
		if len(days) != 1 || days[0].Day != d {
			t.Fatalf("days %+v", days)
		}
		if _, ok := days[0].Bookings["c_c1"]; !ok {
			t.Errorf("booking missing: %+v", days[0])
		}
	})

	t.Run("markers: one claim wins, release, sent, stale claims", func(t *testing.T) {
		s := seed(t)
		r := s.Repo
		t0 := time.Date(2026, 12, 1, 17, 0, 0, 0, time.UTC)
		m := func(claim string) reminders.Marker {
			return reminders.Marker{Email: "lea.parent@example.fr", Key: reminders.DeadlineKey(t0.Add(16 * time.Hour)),
				Claim: claim, Expires: t0.Add(45 * 24 * time.Hour)}
		}
		claim := func(c string, now time.Time) bool {
			t.Helper()
			ok, err := r.ClaimMarker(ctx, m(c), now, now.Add(-20*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !claim("a", t0) || claim("b", t0.Add(time.Minute)) {
			t.Fatal("first claim must win, the second lose")
		}
		if err := r.MarkSent(ctx, m("b"), t0); !errors.Is(err, reminders.ErrClaimLost) {
			t.Errorf("another run's MarkSent: %v, want ErrClaimLost", err)
		}
		if err := r.ReleaseMarker(ctx, m("b")); err != nil {
			t.Fatal(err)
		}
		if claim("c", t0.Add(2*time.Minute)) {
			t.Error("another run's release freed the claim")
		}
		if err := r.ReleaseMarker(ctx, m("a")); err != nil {
			t.Fatal(err)
		}
		if !claim("d", t0.Add(3*time.Minute)) {
			t.Fatal("a released marker must be claimable")
		}
		// d stops without sending: after its lease another run takes over.
		if claim("e", t0.Add(10*time.Minute)) || !claim("e", t0.Add(30*time.Minute)) {
			t.Fatal("a claim must hold during its lease and be taken over after it")
		}
		if err := r.MarkSent(ctx, m("d"), t0); !errors.Is(err, reminders.ErrClaimLost) {
			t.Errorf("the stopped run's MarkSent: %v, want ErrClaimLost", err)
		}
		if err := r.MarkSent(ctx, m("e"), t0.Add(31*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if claim("f", t0.Add(48*time.Hour)) {
			t.Error("a sent marker was claimed again")
		}
		if err := r.ReleaseMarker(ctx, m("e")); err != nil {
			t.Fatal(err)
		}
		if claim("g", t0.Add(49*time.Hour)) {
			t.Error("releasing a sent marker freed it")
		}
	})

	t.Run("markers: of concurrent claims exactly one wins", func(t *testing.T) {
		s := seed(t)
		now := time.Date(2026, 12, 1, 17, 0, 0, 0, time.UTC)
		var wins atomic.Int32
		var wg sync.WaitGroup
		for i := range 16 {
			wg.Go(func() {
				ok, err := s.Repo.ClaimMarker(ctx, reminders.Marker{Email: "lea.parent@example.fr", Key: reminders.WeekKey(date.MustParse("2026-12-07")),
					Claim: string(rune('a' + i)), Expires: now.Add(time.Hour)}, now, now.Add(-20*time.Minute))
				if err != nil {
					t.Error(err)
				}
				if ok {
					wins.Add(1)
				}
			})
		}
		wg.Wait()
		if n := wins.Load(); n != 1 {
			t.Errorf("%d concurrent claims won, want 1", n)
		}
	})
}

// FakeSubject is the in-memory store as a contract Subject.
func FakeSubject(*testing.T) Subject {
	s := New()
	return Subject{Repo: s,
		PutHousehold: func(_ *testing.T, h reminders.Household) { s.PutHousehold(h) },
		PutAccount:   func(_ *testing.T, a Account) { s.PutAccount(a) },
		Book:         func(_ *testing.T, sl reservations.Slot, c string) { s.Book(sl, c) },
	}
}
