package reservations_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/reservations/reservationstest"
)

// TestOwnCutoffsAreInAStableOrder: a family whose children attend one activity at two sites
// with two cutoffs of their own reads them in the same order (by site) on every request, so the
// planning's warning does not change from one page load to the next.
func TestOwnCutoffsAreInAStableOrder(t *testing.T) {
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
	for i, site := range []string{"s_2", "s_1"} {
		days := 4 - i // s_2: 4 working days, s_1: 3
		child := "c_" + site
		must(st.PutChild(ctx, family.Child{ID: child, FamilyID: "f_a", FirstName: child}))
		must(st.PutEnrolment(ctx, "f_a", family.Enrolment{ChildID: child, Activity: calendar.Canteen, Site: site, From: from}))
		must(st.PutActivity(ctx, family.Activity{Activity: calendar.Canteen, Site: site, CutoffDays: &days}))
	}
	svc := reservations.New(st, clock.NewFixed(time.Date(2026, 12, 1, 9, 0, 0, 0, date.Paris)), calendar.Default(),
		cutoff.DefaultPolicy(), reservations.Options{})
	who := reservations.Actor{FamilyID: "f_a", Email: "a@example.fr", Channel: reservations.ChannelAPI}
	want := []reservations.ActivityPolicy{
		{Activity: calendar.Canteen, Policy: cutoff.Policy{WorkingDaysBefore: 3, Hour: 10}},
		{Activity: calendar.Canteen, Policy: cutoff.Policy{WorkingDaysBefore: 4, Hour: 10}},
	}
	for i := range 20 {
		p, err := svc.FamilyPlanning(ctx, who, date.MustParse("2026-12-07"), date.MustParse("2026-12-11"))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(p.OwnCutoffs, want) {
			t.Fatalf("request %d: own cutoffs %+v, want %+v", i+1, p.OwnCutoffs, want)
		}
	}
}
