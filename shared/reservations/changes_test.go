package reservations_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/reservations/reservationstest"
)

// TestTooManyChangesOfADay runs the cap on a child's changes through the rules and the
// store: the eleventh change of a day is refused with too-many-changes, the planning says so,
// a long-period request skips the day for that reason, and the other child goes on.
func TestTooManyChangesOfADay(t *testing.T) {
	st := reservationstest.NewMemory() // holds the store's contract (reservationstest.StoreContract)
	ctx := context.Background()
	from := date.MustParse("2026-09-01")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.PutFamily(ctx, family.Family{ID: "f_a", Name: "Famille A"}))
	must(st.AddMember(ctx, "f_a", "a@example.fr", from.At(9, 0, date.Paris)))
	for _, child := range []string{"c_1", "c_2"} {
		must(st.PutChild(ctx, family.Child{ID: child, FamilyID: "f_a", FirstName: child}))
		must(st.PutEnrolment(ctx, "f_a", family.Enrolment{ChildID: child, Activity: calendar.Canteen, Site: "s", From: from}))
	}
	svc := reservations.New(st, clock.NewFixed(time.Date(2026, 12, 1, 9, 0, 0, 0, date.Paris)), calendar.Default(),
		cutoff.DefaultPolicy(), reservations.Options{})
	who := reservations.Actor{FamilyID: "f_a", Email: "a@example.fr", Channel: reservations.ChannelAPI}
	day := date.MustParse("2026-12-07")

	for i := range reservations.MaxChangesPerDay {
		change := svc.Book
		if i%2 == 1 {
			change = svc.Cancel
		}
		if res, err := change(ctx, who, "c_1", day, calendar.Canteen); err != nil || !res.Changed {
			t.Fatalf("change %d: %+v, %v", i+1, res, err)
		}
	}
	_, err := svc.Book(ctx, who, "c_1", day, calendar.Canteen)
	if f, ok := fault.As(err); !ok || !errors.Is(err, reservations.ErrTooManyChanges) || f.Kind != fault.Conflict ||
		f.Detail != "Trop de modifications pour cette journée : contactez la mairie." {
		t.Fatalf("the 11th change: %v", err)
	}
	if res, err := svc.Book(ctx, who, "c_2", day, calendar.Canteen); err != nil || !res.Changed {
		t.Fatalf("the other child: %+v, %v", res, err)
	}

	t.Run("the planning says so", func(t *testing.T) {
		p, err := svc.FamilyPlanning(ctx, who, day, day)
		if err != nil {
			t.Fatal(err)
		}
		for _, cp := range p.Children {
			c := cp.Days[0].Cells[0]
			capped := cp.Child.ID == "c_1"
			if c.Changeable == capped || (c.Reason == reservations.ReasonTooManyChanges) != capped {
				t.Errorf("%s: changeable %v, reason %q", cp.Child.ID, c.Changeable, c.Reason)
			}
		}
		if len(p.History) != reservations.MaxChangesPerDay+1 {
			t.Errorf("%d history entries, want %d", len(p.History), reservations.MaxChangesPerDay+1)
		}
	})
	t.Run("a long period skips the day", func(t *testing.T) {
		res, err := svc.ApplyLong(ctx, who, reservations.LongRequest{Children: []string{"c_1"}, Activities: []calendar.Activity{calendar.Canteen},
			From: day, To: day.AddDays(1), Weekdays: []time.Weekday{time.Monday, time.Tuesday}, Action: reservations.ActionBook})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Applied) != 1 || res.Applied[0].Date != day.AddDays(1) ||
			len(res.Skipped) != 1 || res.Skipped[0].Reason != reservations.ReasonTooManyChanges {
			t.Fatalf("applied %+v, skipped %+v", res.Applied, res.Skipped)
		}
	})
}
