package townhall

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/fr"
	"github.com/preau/preau/shared/reservations"
)

// The refusals of staff changes on a family's day.
var (
	// ErrNotBooked: a day left unbilled must be booked (409).
	ErrNotBooked = fault.New(fault.Conflict, "not-booked", "Jour non réservé",
		"Ce jour n'est pas réservé pour cet enfant : il n'y a rien à ne pas facturer.")
	// ErrNoFamily: no such family (404).
	ErrNoFamily = fault.New(fault.NotFound, "family-not-found", "Famille introuvable", "Cette famille n'existe pas.")
)

// maxReason bounds a reason's length.
const maxReason = 300

// DayChangeInput is what the form of a family's days sends.
type DayChangeInput struct {
	ChildID  string
	Activity string
	Day      string
	Action   string // "book", "cancel" or "unbill"
	Reason   string // required
}

// DayChange says what a staff change did.
type DayChange struct {
	Changed bool // false: it already was so (booked, cancelled, unbilled); nothing recorded
	Kind    ChangeKind
	Child   string // first name
	Day     date.Date
	Passed  bool // the day's deadline for parents had passed
}

// ChangeDay books or cancels a child's day for family familyID past the parents' deadline, or
// leaves a booked day unbilled (a justified absence), with a written reason. The booking or
// cancellation is the reservation rules' own (ForFamily: enrolled, open, a seat free), the
// unbilled mark is the UNBILLED# item the invoice run skips; each is recorded in the journal and
// in the family's record of staff changes.
func (s *Service) ChangeDay(ctx context.Context, who, familyID string, in DayChangeInput, now time.Time) (DayChange, error) {
	var f fault.Fields
	reason := strings.Join(strings.Fields(in.Reason), " ")
	if reason == "" || utf8.RuneCountInString(reason) > maxReason {
		f.Add("reason", fmt.Sprintf("Écrivez le motif (%d caractères au plus) : il est enregistré au journal et dans l'historique de la famille.", maxReason))
	}
	day, err := date.Parse(strings.TrimSpace(in.Day))
	if err != nil {
		f.Add("day", "Saisissez le jour (AAAA-MM-JJ).")
	}
	a, err := calendar.ParseActivity(in.Activity)
	if err != nil {
		f.Add("activity", "Choisissez l'activité.")
	}
	kind := map[string]ChangeKind{"book": ChangeBooked, "cancel": ChangeCanceled, "unbill": ChangeUnbilled}[in.Action]
	if kind == "" {
		f.Add("action", "Choisissez : réserver, annuler ou ne pas facturer.")
	}
	if err := f.Err(); err != nil {
		return DayChange{}, err
	}
	h, err := s.Store.Household(ctx, familyID)
	if errors.Is(err, reservations.ErrNoHousehold) {
		return DayChange{}, ErrNoFamily
	}
	if err != nil {
		return DayChange{}, fmt.Errorf("family: %w", err)
	}
	child, ok := h.Child(in.ChildID)
	if !ok {
		return DayChange{}, reservations.ErrChildNotFound.WithDetail("Cet enfant ne fait pas partie de la famille.")
	}
	out := DayChange{Kind: kind, Child: child.FirstName, Day: day}
	var site string
	switch kind {
	case ChangeBooked, ChangeCanceled:
		act := reservations.ActionBook
		if kind == ChangeCanceled {
			act = reservations.ActionCancel
		}
		res, err := s.Rules.ForFamily(ctx, familyID, act, child.ID, day, a)
		if err != nil {
			return DayChange{}, err
		}
		out.Changed, out.Passed = res.Changed, !now.Before(res.Deadline)
		e, _ := h.EnrolmentOn(child.ID, a, day)
		site = e.Site
	case ChangeUnbilled:
		e, ok := h.EnrolmentOn(child.ID, a, day)
		if !ok {
			return DayChange{}, ErrNotBooked
		}
		site = e.Site
		d, err := s.Store.Day(ctx, reservations.Slot{Activity: a, Site: site, Day: day})
		if err != nil {
			return DayChange{}, fmt.Errorf("day: %w", err)
		}
		if _, booked := d.Bookings[child.ID]; !booked {
			return DayChange{}, ErrNotBooked
		}
		out.Changed, err = s.Store.AddUnbilled(ctx, billing.Unbilled{Day: day, Activity: a, Site: site, ChildID: child.ID,
			Reason: "Absence justifiée – " + reason})
		if err != nil {
			return DayChange{}, err
		}
	}
	if !out.Changed {
		return out, nil
	}
	c := FamilyChange{FamilyID: familyID, ID: randomID(), At: now, By: who, Kind: kind, ChildID: child.ID, Activity: a, Site: site,
		Day: day, Reason: reason}
	if err := s.Store.AddFamilyChange(ctx, c); err != nil {
		return out, fmt.Errorf("family record: %w", err)
	}
	l := map[ChangeKind]struct{ action, before, after string }{
		ChangeBooked:   {"Réservation pour la famille", "non réservé", "réservé par la mairie"},
		ChangeCanceled: {"Annulation pour la famille", "réservé", "annulé par la mairie"},
		ChangeUnbilled: {"Jour non facturé", "réservé, facturé", "réservé, non facturé (absence justifiée)"},
	}[kind]
	after := l.after
	if out.Passed {
		after += ", après la date limite des parents"
	}
	target := child.FirstName + " " + child.LastName + " (" + familyID + ") — " + a.Label() + " — " + fr.LongDateYear(day)
	return out, s.record(ctx, who, now, l.action, target, l.before, after+" ; motif : "+reason)
}

// FamilyDays is a family's month as staff see it: each child's booked days per activity and
// site, the days left unbilled, and the changes staff made.
type FamilyDays struct {
	Month    date.Date
	Lines    []DaysLine
	Changes  []FamilyChange
	Children map[string]string // id → first name
}

// DaysLine is one child's activity at one site in the month.
type DaysLine struct {
	ChildID  string
	Child    string
	Activity calendar.Activity
	Site     string
	Booked   []BookedDay
}

// BookedDay is a booked day, unbilled or not.
type BookedDay struct {
	Day      date.Date
	Unbilled string // the reason, when the day is not billed
}

// FamilyDays reads family familyID's month.
func (s *Service) FamilyDays(ctx context.Context, familyID string, month date.Date) (FamilyDays, error) {
	h, err := s.Store.Household(ctx, familyID)
	if errors.Is(err, reservations.ErrNoHousehold) {
		return FamilyDays{}, ErrNoFamily
	}
	if err != nil {
		return FamilyDays{}, fmt.Errorf("family: %w", err)
	}
	month = month.FirstOfMonth()
	out := FamilyDays{Month: month, Children: map[string]string{}}
	var ids []string
	for _, c := range h.Children {
		out.Children[c.ID] = c.FirstName
		ids = append(ids, c.ID)
	}
	if out.Changes, err = s.Store.FamilyChanges(ctx, familyID); err != nil {
		return FamilyDays{}, err
	}
	if len(ids) == 0 {
		return out, nil
	}
	unbilled, err := s.Store.UnbilledDays(ctx, month)
	if err != nil {
		return FamilyDays{}, err
	}
	last := month.AddMonths(1).AddDays(-1)
	type slot struct {
		a    calendar.Activity
		site string
	}
	read := map[slot][]reservations.Day{}
	for _, c := range h.Children {
		for _, a := range calendar.Activities() {
			for _, e := range h.Enrolments {
				if e.ChildID != c.ID || e.Activity != a || e.From.After(last) || (!e.Until.IsZero() && e.Until.Before(month)) {
					continue
				}
				k := slot{a, e.Site}
				if _, ok := read[k]; !ok {
					if read[k], err = s.Store.FamilyDaysOfMonth(ctx, a, e.Site, month, ids); err != nil {
						return FamilyDays{}, err
					}
				}
				line := DaysLine{ChildID: c.ID, Child: c.FirstName, Activity: a, Site: e.Site}
				for _, d := range read[k] {
					if _, ok := d.Bookings[c.ID]; !ok {
						continue
					}
					bd := BookedDay{Day: d.Day}
					for _, u := range unbilled {
						if u.Day == d.Day && u.Activity == a && u.Site == e.Site && (u.ChildID == "" || u.ChildID == c.ID) {
							bd.Unbilled = u.Reason
						}
					}
					line.Booked = append(line.Booked, bd)
				}
				slices.SortFunc(line.Booked, func(x, y BookedDay) int { return x.Day.Compare(y.Day) })
				out.Lines = append(out.Lines, line)
			}
		}
	}
	return out, nil
}
