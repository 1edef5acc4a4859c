package reservations

import (
	"context"
	"fmt"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/fr"
)

// MaxPublishedDays bounds one read of the published deadlines: a leap year of days, both ends
// included.
const MaxPublishedDays = 366

// PublishedActivity is one activity on one day as the town hall publishes it: open or why not,
// and until when it may be booked or cancelled.
type PublishedActivity struct {
	Activity calendar.Activity
	Open     bool
	// Deadline is when requests for the day close (zero when closed). When the activity's sites
	// follow different cutoffs, it is the earliest: the one every parent can rely on. For a
	// site without its own cutoff it is the very instant booking enforces.
	Deadline    time.Time
	Reason      calendar.Reason // "" when open
	Explanation string          // French, "" when open: "jour férié (Noël)"
}

// PublishedDay is one day of the calendar with every activity, in calendar.Activities order.
type PublishedDay struct {
	Date       date.Date
	Activities []PublishedActivity
}

// Deadlines publishes every day from first to last inclusive (at most MaxPublishedDays): each
// activity open or not, and its deadline under the cutoff booking applies (the commune's, or the
// activity's own at each of its sites). It reads the same rules, from the same cache, as Book,
// Cancel and the planning. A deadline that cannot be computed means the calendar or a policy is
// broken: an error, never a guess.
func (s *Service) Deadlines(ctx context.Context, first, last date.Date) ([]PublishedDay, error) {
	if err := CheckRange(first, last, MaxPublishedDays); err != nil {
		return nil, err
	}
	rs, err := s.rulesNow(ctx)
	if err != nil {
		return nil, err
	}
	// Each activity's distinct policies: one per site with settings, the commune's when none.
	policies := map[calendar.Activity][]cutoff.Policy{}
	for k, st := range rs.settings {
		p := s.policyFor(st)
		if !contains(policies[k.a], p) {
			policies[k.a] = append(policies[k.a], p)
		}
	}
	days := make([]PublishedDay, 0, first.DaysUntil(last)+1)
	for d := range date.Range(first, last) {
		pd := PublishedDay{Date: d, Activities: make([]PublishedActivity, 0, len(calendar.Activities()))}
		deadlines := map[cutoff.Policy]time.Time{}
		for _, a := range calendar.Activities() {
			pa := PublishedActivity{Activity: a}
			open, reason := rs.cal.Open(a, "", d) // the commune's calendar: a closure of some sites leaves the day open
			if !open {
				pa.Reason, pa.Explanation = reason, rs.cal.Explain(a, "", d)
				pd.Activities = append(pd.Activities, pa)
				continue
			}
			pols := policies[a]
			if len(pols) == 0 {
				pols = []cutoff.Policy{s.policy}
			}
			pa.Open = true
			for _, p := range pols {
				t, ok := deadlines[p]
				if !ok {
					if t, err = cutoff.DeadlineOf(d, rs.cal, p); err != nil {
						return nil, fmt.Errorf("deadline of %s: %w", d, err)
					}
					deadlines[p] = t
				}
				if pa.Deadline.IsZero() || t.Before(pa.Deadline) {
					pa.Deadline = t
				}
			}
			pd.Activities = append(pd.Activities, pa)
		}
		days = append(days, pd)
	}
	return days, nil
}

func contains(ps []cutoff.Policy, p cutoff.Policy) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

// CommuneRule is the commune's cutoff as published: its figures and its French sentence.
type CommuneRule struct {
	WorkingDaysBefore int
	Hour              int
	Sentence          string // fr.CutoffRule: "Toute demande de réservation ou d'annulation doit intervenir …"
}

// CommuneRule returns the commune's cutoff as published.
func (s *Service) CommuneRule() CommuneRule {
	return CommuneRule{WorkingDaysBefore: s.policy.WorkingDaysBefore, Hour: s.policy.Hour, Sentence: fr.CutoffRule(s.policy)}
}

// CutoffNotice states the commune's rule and then each activity's own cutoff, as the planning
// and the long-period page say it before parents book: « Toute demande … avant 10h00. Pour
// « Accueil de loisirs du mercredi » : le jour même avant 8h00. »
func (s *Service) CutoffNotice(own []ActivityPolicy) string {
	out := fr.CutoffRule(s.policy)
	for _, o := range own {
		out += " Pour « " + o.Activity.Label() + " » : " + fr.Cutoff(o.Policy) + "."
	}
	return out
}
