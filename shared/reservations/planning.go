package reservations

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
)

// MaxPlanningDays bounds the range of one planning request (a quarter).
const MaxPlanningDays = 93

// Cell is one activity of one child on one day, as the planning shows it.
type Cell struct {
	Activity calendar.Activity
	Open     bool // the activity runs that day
	Enrolled bool // the child's enrolment covers the day
	Booked   bool
	Full     bool // every seat is taken, by other children
	// Site is where the child is enrolled for the activity that day ("" when not enrolled).
	Site string
	// PriceCents is what the day costs the family when booked (family.Activity.DayPrice), for
	// an enrolled child on a day the activity runs; 0 otherwise, or when the activity is free.
	PriceCents int64
	Deadline   time.Time // when changes close (zero when closed or not enrolled)
	// Changeable is true when the parent may book or cancel now.
	Changeable bool
	// Closed says why the activity does not run that day ("" when open).
	Closed calendar.Reason
	// Reason says why an open cell is not changeable: ReasonNotEnrolled, ReasonDeadlinePassed,
	// ReasonTooManyChanges or ReasonFull ("" when changeable, or closed).
	Reason Reason
	// ReasonText is Closed or Reason in French, naming the holiday or closure.
	ReasonText string
}

// PlanningDay is one day of a child's planning.
type PlanningDay struct {
	Date  date.Date
	Cells []Cell // one per activity of ChildPlanning.Activities, same order
}

// ChildPlanning is a child's planning over a range.
type ChildPlanning struct {
	Child      family.Child
	Activities []calendar.Activity // the activities the child is enrolled in over the range
	Days       []PlanningDay
}

// HistoryEntry is a change shown to parents.
type HistoryEntry struct {
	Change
	Child    family.Child
	Day      date.Date
	Activity calendar.Activity
}

// FamilyPlanning is every child of a family over a range, with the changes made to those days.
type FamilyPlanning struct {
	Children []ChildPlanning
	History  []HistoryEntry // newest first
	Now      time.Time
	// OwnCutoffs are the activities shown whose cutoff is not the commune's, each with the
	// policy enforced (one per distinct policy), in activity order.
	OwnCutoffs []ActivityPolicy
}

// ActivityPolicy is the cutoff an activity follows (at one or more sites).
type ActivityPolicy struct {
	Activity calendar.Activity
	Policy   cutoff.Policy
}

// OwnCutoffs returns the activities of the household's enrolments whose cutoff is not the
// commune's, with the policy enforced, so that what parents read is what booking applies.
func (s *Service) OwnCutoffs(ctx context.Context, h Household) ([]ActivityPolicy, error) {
	rs, err := s.rulesNow(ctx)
	if err != nil {
		return nil, err
	}
	var out []ActivityPolicy
	for _, a := range calendar.Activities() {
		for _, e := range h.Enrolments {
			if e.Activity != a {
				continue
			}
			st := rs.settingsOf(a, e.Site)
			ap := ActivityPolicy{Activity: a, Policy: s.policyFor(st)}
			if ap.Policy != s.policy && !slices.Contains(out, ap) {
				out = append(out, ap)
			}
		}
	}
	return out, nil
}

// CheckRange validates a range of days: from ≤ to, at most maxDays days both ends included.
// Its invalid-range refusal carries maxDays, as the API documents.
func CheckRange(from, to date.Date, maxDays int) error {
	if to.Before(from) {
		return ErrInvalidRange.WithDetail("La date de fin est avant la date de début.").With("maxDays", maxDays)
	}
	if from.DaysUntil(to) >= maxDays {
		return ErrInvalidRange.WithDetail(fmt.Sprintf("La période demandée ne peut pas dépasser %d jours.", maxDays)).With("maxDays", maxDays)
	}
	return nil
}

// ChildPlanning returns the planning of one of the actor's children over [from, to].
func (s *Service) ChildPlanning(ctx context.Context, who Actor, childID string, from, to date.Date) (ChildPlanning, error) {
	if err := CheckRange(from, to, MaxPlanningDays); err != nil {
		return ChildPlanning{}, err
	}
	h, rs, err := s.householdAndRules(ctx, who, true)
	if err != nil {
		return ChildPlanning{}, err
	}
	child, ok := h.Child(childID)
	if !ok {
		return ChildPlanning{}, ErrChildNotFound
	}
	p, err := s.plan(ctx, h, rs, []family.Child{child}, from, to)
	if err != nil {
		return ChildPlanning{}, err
	}
	return p.Children[0], nil
}

// FamilyPlanning returns the planning of every child of the actor's family over [from, to], and
// the history of the days in it.
func (s *Service) FamilyPlanning(ctx context.Context, who Actor, from, to date.Date) (FamilyPlanning, error) {
	if err := CheckRange(from, to, MaxPlanningDays); err != nil {
		return FamilyPlanning{}, err
	}
	h, rs, err := s.householdAndRules(ctx, who, false)
	if err != nil {
		return FamilyPlanning{}, err
	}
	return s.plan(ctx, h, rs, h.Children, from, to)
}

type slotKey struct {
	a    calendar.Activity
	site string
	day  date.Date
}

// plan reads each (activity, site) month once and lays out every child's days.
func (s *Service) plan(ctx context.Context, h Household, rs *rules, children []family.Child, from, to date.Date) (FamilyPlanning, error) {
	now := s.clock.Now()
	days, err := s.stored(ctx, h, children, from, to)
	if err != nil {
		return FamilyPlanning{}, err
	}
	out := FamilyPlanning{Now: now}
	policies := map[settingsKey]policyOf{}
	for _, child := range children {
		cp := ChildPlanning{Child: child}
		ens := h.enrolmentsOf(child.ID, from, to)
		for _, e := range ens {
			if !slices.Contains(cp.Activities, e.Activity) {
				cp.Activities = append(cp.Activities, e.Activity)
			}
		}
		for d := range date.Range(from, to) {
			pd := PlanningDay{Date: d}
			for _, a := range cp.Activities {
				cell := s.cell(h, rs, policies, days, child.ID, a, d, now)
				pd.Cells = append(pd.Cells, cell)
			}
			cp.Days = append(cp.Days, pd)
		}
		out.Children = append(out.Children, cp)
	}
	out.History = history(h, children, days)
	// Sites in order within each activity, so the warning reads the same on every request
	// (policies is a map).
	keys := slices.SortedFunc(maps.Keys(policies), func(x, y settingsKey) int { return strings.Compare(x.site, y.site) })
	for _, a := range calendar.Activities() {
		for _, k := range keys {
			ap := ActivityPolicy{Activity: a, Policy: policies[k].policy}
			if k.a == a && ap.Policy != s.policy && !slices.Contains(out.OwnCutoffs, ap) {
				out.OwnCutoffs = append(out.OwnCutoffs, ap)
			}
		}
	}
	return out, nil
}

type policyOf struct {
	policy   cutoff.Policy
	capacity int
	price    int64 // the family's price of a day (plan reads one family)
}

func (s *Service) cell(h Household, rs *rules, policies map[settingsKey]policyOf,
	days map[slotKey]Day, childID string, a calendar.Activity, d date.Date, now time.Time) Cell {
	cal := rs.cal
	c := Cell{Activity: a}
	e, enrolled := h.EnrolmentOn(childID, a, d)
	c.Enrolled = enrolled
	if enrolled {
		c.Site = e.Site
	}
	open, r := cal.Open(a, c.Site, d)
	c.Open = open
	if !open {
		c.Closed, c.ReasonText = r, cal.Explain(a, c.Site, d)
		// A booking made before a closure was announced still shows.
		if enrolled {
			_, c.Booked = days[slotKey{a, e.Site, d}].Bookings[childID]
		}
		return c
	}
	if !enrolled {
		c.Reason, c.ReasonText = ReasonNotEnrolled, "non inscrit"
		return c
	}
	k := settingsKey{a, e.Site}
	po, ok := policies[k]
	if !ok {
		st := rs.settingsOf(a, e.Site)
		po = policyOf{policy: s.policyFor(st), capacity: st.Capacity, price: st.DayPrice(h.Family)}
		policies[k] = po
	}
	c.PriceCents = po.price
	day := days[slotKey{a, e.Site, d}]
	_, c.Booked = day.Bookings[childID]
	c.Full = !c.Booked && po.capacity > 0 && day.Booked >= po.capacity
	c.Deadline = cutoff.Deadline(d, cal, po.policy)
	switch {
	case !now.Before(c.Deadline):
		c.Reason, c.ReasonText = ReasonDeadlinePassed, ReasonDeadlinePassed.French()
	case day.Changes[childID] >= MaxChangesPerDay && !c.Booked:
		// A booked child can still cancel at the cap; only booking again is refused.
		c.Reason, c.ReasonText = ReasonTooManyChanges, "trop de modifications : contactez la mairie"
	case c.Full:
		c.Reason, c.ReasonText = ReasonFull, ReasonFull.French()
	default:
		c.Changeable = true
	}
	return c
}

// stored reads the stored days of every (activity, site) the children are enrolled in over
// the range: one query per activity, site and month, holding only these children's entries.
// The queries are independent and run at once (at most maxParallelReads), so a planning waits
// for about one of them, however many activities, sites and months it shows.
func (s *Service) stored(ctx context.Context, h Household, children []family.Child, from, to date.Date) (map[slotKey]Day, error) {
	type month struct {
		a     calendar.Activity
		site  string
		first date.Date
	}
	var reads []month
	ids := make([]string, 0, len(children))
	for _, c := range children {
		ids = append(ids, c.ID)
		for _, e := range h.enrolmentsOf(c.ID, from, to) {
			for m := from.FirstOfMonth(); !m.After(to); m = m.AddMonths(1) {
				r := month{e.Activity, e.Site, m}
				if !slices.Contains(reads, r) {
					reads = append(reads, r)
				}
			}
		}
	}
	got := make([][]Day, len(reads))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(maxParallelReads)
	for i, r := range reads {
		g.Go(func() error {
			ds, err := s.repo.FamilyDaysOfMonth(gctx, r.a, r.site, r.first, ids)
			if err != nil {
				return fmt.Errorf("days of %s %s %s: %w", r.a, r.site, r.first.MonthKey(), err)
			}
			got[i] = ds
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := map[slotKey]Day{}
	for i, r := range reads {
		for _, d := range got[i] {
			if d.Day.Before(from) || d.Day.After(to) {
				continue
			}
			out[slotKey{r.a, r.site, d.Day}] = d
		}
	}
	return out, nil
}

// maxParallelReads bounds the queries one request runs at once: a school year's long period
// reads some twenty months per activity and site, and a Lambda instance's connections and
// the table's partitions are shared with every other request.
const maxParallelReads = 8

// history gathers the changes made to the children's days, newest first.
func history(h Household, children []family.Child, days map[slotKey]Day) []HistoryEntry {
	ids := map[string]family.Child{}
	for _, c := range children {
		ids[c.ID] = c
	}
	var out []HistoryEntry
	for k, d := range days {
		for _, ch := range d.History {
			c, ok := ids[ch.ChildID]
			if !ok {
				continue
			}
			out = append(out, HistoryEntry{Change: ch, Child: c, Day: k.day, Activity: k.a})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.After(out[j].At)
		}
		if out[i].Day != out[j].Day {
			return out[i].Day.After(out[j].Day)
		}
		return out[i].Activity < out[j].Activity
	})
	return out
}
