package reservations

import (
	"context"
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
)

// TestClosingBetweenIsWhatBookingEnforces walks a school year of reminder runs (07:00 and 18:00,
// 24-hour windows) for the canteen under the commune's cutoff and the Wednesday centre under an
// override of its own, with a closure: every open day is announced by some run, each with the
// deadline booking enforces, inside the run's window, and only open days are announced.
func TestClosingBetweenIsWhatBookingEnforces(t *testing.T) {
	m := newMemory()
	m.h.Enrolments[1].Until = date.Date{} // the Wednesday centre all year
	one, noon := 1, 12
	m.settings[calendar.WednesdayCentre] = family.Activity{Activity: calendar.WednesdayCentre, Site: "s", CutoffDays: &one, CutoffHour: &noon}
	m.closures = []calendar.Closure{{Day: date.MustParse("2026-12-11"), Label: "Journée pédagogique"}}
	clk := clock.NewFixed(time.Time{})
	svc := New(m, clk, calendar.Default(), cutoff.DefaultPolicy(), Options{})
	ctx := context.Background()
	rs, err := svc.rulesNow(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first, last := date.MustParse("2026-09-07"), date.MustParse("2027-06-30")
	for _, a := range []calendar.Activity{calendar.Canteen, calendar.WednesdayCentre} {
		announced := map[date.Date]time.Time{}
		for d := first; !d.After(last); d = d.AddDays(1) {
			for _, hour := range []int{7, 18} {
				at := d.At(hour, 0, date.Paris)
				got, err := svc.ClosingBetween(ctx, a, "s", at, at.Add(24*time.Hour))
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range got {
					if !c.Deadline.After(at) || c.Deadline.After(at.Add(24*time.Hour)) {
						t.Fatalf("%s run %s announced %s closing %s, outside its window", a, at, c.Day, c.Deadline)
					}
					if open, _ := rs.cal.Open(a, "", c.Day); !open {
						t.Fatalf("%s: closed day %s announced", a, c.Day)
					}
					// What booking says just before the announced deadline, and at it.
					clk.Set(c.Deadline.Add(-time.Nanosecond))
					chk, err := svc.validate(m.h, rs, "c_1", c.Day, a, clk.Now())
					if err != nil || !chk.deadline.Equal(c.Deadline) {
						t.Fatalf("%s %s: booking's deadline %s (%v), announced %s", a, c.Day, chk.deadline, err, c.Deadline)
					}
					if _, err := svc.validate(m.h, rs, "c_1", c.Day, a, c.Deadline); err == nil {
						t.Fatalf("%s %s: booking still open at the announced deadline", a, c.Day)
					}
					announced[c.Day] = c.Deadline
				}
			}
		}
		// Every open day whose deadline falls inside the walked runs was announced.
		for d := first.AddDays(14); !d.After(last); d = d.AddDays(1) {
			if open, _ := rs.cal.Open(a, "", d); open {
				if _, ok := announced[d]; !ok {
					t.Errorf("%s: open day %s never announced", a, d)
				}
			}
		}
	}
}
