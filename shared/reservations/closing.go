package reservations

import (
	"context"
	"fmt"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/date"
)

// Closing is an open day of an activity at a site with the instant its changes close.
type Closing struct {
	Day      date.Date
	Deadline time.Time
}

// ClosingBetween returns the open days of activity a at site whose deadline falls after from
// and not after to, earliest first (a deadline at from itself has passed), with the deadline booking enforces there (the commune's calendar
// with its closures, the activity's own cutoff if it has one). Reminders ask it which days are
// about to close, so what they announce is what booking refuses a moment later.
func (s *Service) ClosingBetween(ctx context.Context, a calendar.Activity, site string, from, to time.Time) ([]Closing, error) {
	if !from.Before(to) {
		return nil, nil
	}
	rs, err := s.rulesNow(ctx)
	if err != nil {
		return nil, err
	}
	cal, p := rs.cal, s.policyFor(rs.settingsOf(a, site))
	// Deadlines never decrease as the service day advances: start at the first day still
	// accepted at from, stop at the first whose deadline is after to.
	first := cutoff.FirstAcceptedDay(from, cal, p)
	if first.IsZero() {
		return nil, fmt.Errorf("closing days of %s at %s: no deadline can be computed", a, site)
	}
	var out []Closing
	for d := first; ; d = d.AddDays(1) {
		t, err := cutoff.DeadlineOf(d, cal, p)
		if err != nil {
			return nil, fmt.Errorf("closing days of %s at %s: %w", a, site, err)
		}
		if t.After(to) {
			return out, nil
		}
		if open, _ := cal.Open(a, site, d); open {
			out = append(out, Closing{Day: d, Deadline: t})
		}
	}
}
