package reservations

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

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
	Full     bool      // every seat is taken, by other children
	Deadline time.Time // when changes close (zero when closed or not enrolled)
	// Changeable is true when the parent may book or cancel now.
	Changeable bool
	// Reason says why the cell is not changeable: a calendar.Reason code for a closed day, or
	// "not-enrolled", "deadline-passed", "too-many-changes", "full". Empty when changeable.
	Reason string
	// ReasonText is Reason in French, naming the holiday or closure.
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

// Delay says in French how long before the day a policy closes changes: "2 jours ouvrés avant
// 10h00", "1 jour ouvré avant 12h00", "avant 8h00 le jour même".
func Delay(p cutoff.Policy) string {
	switch p.WorkingDaysBefore {
	case 0:
		return fmt.Sprintf("avant %dh00 le jour même", p.Hour)
	case 1:
		return fmt.Sprintf("1 jour ouvré avant %dh00", p.Hour)
	}
	return fmt.Sprintf("%d jours ouvrés avant %dh00", p.WorkingDaysBefore, p.Hour)
}

// OwnCutoffs returns the activities of the household's enrolments whose cutoff is not the
// commune's, with the policy enforced, so that what parents read is what booking applies.
func (s *Service) OwnCutoffs(ctx context.Context, h Household) ([]ActivityPolicy, error) {
	var out []ActivityPolicy
	for _, a := range calendar.Activities() {
		for _, e := range h.Enrolments {
			if e.Activity != a {
				continue
			}
			st, err := s.settingsOf(ctx, a, e.Site)
			if err != nil {
				return nil, err
			}
			ap := ActivityPolicy{Activity: a, Policy: s.PolicyOf(st)}
			if ap.Policy != s.policy && !slices.Contains(out, ap) {
				out = append(out, ap)
			}
		}
	}
	return out, nil
}

// CheckRange validates a planning range.
func CheckRange(from, to date.Date, maxDays int) error {
	if to.Before(from) {
		return ErrInvalidRange.WithDetail("La date de fin est avant la date de début.")
	}
	if from.DaysUntil(to) >= maxDays {
		return ErrInvalidRange.WithDetail(fmt.Sprintf("La période demandée dépasse %d jours.", maxDays))
	}
	return nil
}

// ChildPlanning returns the planning of one of the actor's children over [from, to].
func (s *Service) ChildPlanning(ctx context.Context, who Actor, childID string, from, to date.Date) (ChildPlanning, error) {
	if err := CheckRange(from, to, MaxPlanningDays); err != nil {
		return ChildPlanning{}, err
	}
	h, err := s.household(ctx, who)
	if err != nil {
		if err == ErrNoFamily {
			return ChildPlanning{}, ErrChildNotFound
		}
		return ChildPlanning{}, err
	}
	child, ok := h.Child(childID)
	if !ok {
		return ChildPlanning{}, ErrChildNotFound
	}
	p, err := s.plan(ctx, h, []family.Child{child}, from, to)
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
	h, err := s.household(ctx, who)
	if err != nil {
		return FamilyPlanning{}, err
	}
	return s.plan(ctx, h, h.Children, from, to)
}

type slotKey struct {
	a    calendar.Activity
	site string
	day  date.Date
}

// plan reads each (activity, site) month once and lays out every child's days.
func (s *Service) plan(ctx context.Context, h Household, children []family.Child, from, to date.Date) (FamilyPlanning, error) {
	cal, err := s.Calendar(ctx)
	if err != nil {
		return FamilyPlanning{}, err
	}
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
				cell, err := s.cell(ctx, h, cal, policies, days, child.ID, a, d, now)
				if err != nil {
					return FamilyPlanning{}, err
				}
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
}

func (s *Service) cell(ctx context.Context, h Household, cal *calendar.Calendar, policies map[settingsKey]policyOf,
	days map[slotKey]Day, childID string, a calendar.Activity, d date.Date, now time.Time) (Cell, error) {
	c := Cell{Activity: a}
	open, r := cal.Open(a, d)
	c.Open = open
	e, enrolled := h.EnrolmentOn(childID, a, d)
	c.Enrolled = enrolled
	if !open {
		c.Reason, c.ReasonText = string(r), cal.Explain(a, d)
		// A booking made before a closure was announced still shows.
		if enrolled {
			_, c.Booked = days[slotKey{a, e.Site, d}].Bookings[childID]
		}
		return c, nil
	}
	if !enrolled {
		c.Reason, c.ReasonText = "not-enrolled", "non inscrit"
		return c, nil
	}
	k := settingsKey{a, e.Site}
	po, ok := policies[k]
	if !ok {
		st, err := s.settingsOf(ctx, a, e.Site)
		if err != nil {
			return Cell{}, err
		}
		po = policyOf{policy: s.PolicyOf(st), capacity: st.Capacity}
		policies[k] = po
	}
	day := days[slotKey{a, e.Site, d}]
	_, c.Booked = day.Bookings[childID]
	c.Full = !c.Booked && po.capacity > 0 && day.Booked >= po.capacity
	c.Deadline = cutoff.Deadline(d, cal, po.policy)
	switch {
	case !now.Before(c.Deadline):
		c.Reason, c.ReasonText = "deadline-passed", "délai dépassé"
	case day.Changes[childID] >= MaxChangesPerDay && !c.Booked:
		// A booked child can still cancel at the cap; only booking again is refused.
		c.Reason, c.ReasonText = SkipTooManyChanges, "trop de modifications : contactez la mairie"
	case c.Full:
		c.Reason, c.ReasonText = "full", "complet"
	default:
		c.Changeable = true
	}
	return c, nil
}

// stored reads the stored days of every (activity, site) the children are enrolled in over
// the range: one query per activity, site and month, holding only these children's entries.
func (s *Service) stored(ctx context.Context, h Household, children []family.Child, from, to date.Date) (map[slotKey]Day, error) {
	type as struct {
		a    calendar.Activity
		site string
	}
	var pairs []as
	ids := make([]string, 0, len(children))
	for _, c := range children {
		ids = append(ids, c.ID)
		for _, e := range h.enrolmentsOf(c.ID, from, to) {
			p := as{e.Activity, e.Site}
			if !slices.Contains(pairs, p) {
				pairs = append(pairs, p)
			}
		}
	}
	out := map[slotKey]Day{}
	for _, p := range pairs {
		for m := from.FirstOfMonth(); !m.After(to); m = m.AddMonths(1) {
			ds, err := s.repo.FamilyDaysOfMonth(ctx, p.a, p.site, m, ids)
			if err != nil {
				return nil, fmt.Errorf("days of %s %s %s: %w", p.a, p.site, m.MonthKey(), err)
			}
			for _, d := range ds {
				if d.Day.Before(from) || d.Day.After(to) {
					continue
				}
				out[slotKey{p.a, p.site, d.Day}] = d
			}
		}
	}
	return out, nil
}

// history gathers the changes made to the children's days, newest first.
func history(h Household, children []family.Child, days map[slotKey]Day) []HistoryEntry {
	ids := map[string]family.Child{}
	for _, c := range children {
		ids[c.ID] = c
	}
	var out []HistoryEntry
	for k, d := range days {
		for _, ch := range d.Log {
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
