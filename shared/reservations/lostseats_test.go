package reservations

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
)

type sweptMonths struct {
	acts  []family.Activity
	calls []string
	fail  string // the site whose sweep fails
}

func (s *sweptMonths) Activities(context.Context) ([]family.Activity, error) { return s.acts, nil }

func (s *sweptMonths) FreeLostSeats(_ context.Context, a calendar.Activity, site string, month, from date.Date, capacity int, _ time.Time) (int, error) {
	s.calls = append(s.calls, fmt.Sprintf("%s %s %s from %s cap %d", a, site, month.MonthKey(), from, capacity))
	if site == s.fail {
		return 0, errors.New("throttled")
	}
	return 1, nil
}

// TestFreeLostSeatsSweepsEveryFullableActivity: every activity with a capacity, at every site,
// is swept for this month and the twelve after, from today; one with no limit is not; a failing
// site does not stop the others, and its error is returned.
func TestFreeLostSeatsSweepsEveryFullableActivity(t *testing.T) {
	st := &sweptMonths{fail: "pasteur", acts: []family.Activity{
		{Activity: calendar.Canteen, Site: "jules-ferry", Capacity: 120},
		{Activity: calendar.Canteen, Site: "pasteur", Capacity: 80},
		{Activity: calendar.Activity("garderie-soir"), Site: "jules-ferry", Capacity: 0},
		{Activity: calendar.Activity("garderie-matin"), Site: "jules-ferry", Capacity: 30},
	}}
	now := time.Date(2026, 11, 29, 2, 30, 0, 0, time.UTC)
	freed, err := FreeLostSeats(context.Background(), st, now)
	if err == nil {
		t.Error("a site's failure was not returned")
	}
	if freed != 2*SweepMonths {
		t.Errorf("freed %d, want %d", freed, 2*SweepMonths)
	}
	want := map[string]bool{
		"cantine jules-ferry 2026-11 from 2026-11-29 cap 120":       true,
		"cantine jules-ferry 2027-11 from 2026-11-29 cap 120":       true,
		"garderie-matin jules-ferry 2027-11 from 2026-11-29 cap 30": true,
		"cantine pasteur 2026-11 from 2026-11-29 cap 80":            true,
	}
	got := map[string]bool{}
	for _, c := range st.calls {
		got[c] = true
		if c == "garderie-soir jules-ferry 2026-11 from 2026-11-29 cap 0" {
			t.Error("an activity with no limit was swept")
		}
	}
	for c := range want {
		if !got[c] {
			t.Errorf("no sweep %q in %v", c, st.calls)
		}
	}
	if len(st.calls) != 2*SweepMonths+1 {
		t.Errorf("%d sweeps, want %d (the failing site stops at its first month)", len(st.calls), 2*SweepMonths+1)
	}
}
