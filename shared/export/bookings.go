package export

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/reservations"
)

// DayReader reads the days of one activity at one site in one month, with the entries of the
// given children only (store.Store's FamilyDaysOfMonth).
type DayReader interface {
	FamilyDaysOfMonth(ctx context.Context, a calendar.Activity, site string, month date.Date, children []string) ([]reservations.Day, error)
}

// Bookings adds the family's bookings and every change to them (who, when, from where): the
// months of each enrolment, from its first day to its last, or to MonthsAhead months from now
// when it is open-ended (bookings are taken ahead, a school year at most).
type Bookings struct {
	Days        DayReader
	MonthsAhead int
}

type bookingJSON struct {
	Day      date.Date `json:"day"`
	ChildID  string    `json:"childId"`
	Activity string    `json:"activity"`
	Site     string    `json:"site"`
	At       *string   `json:"bookedAt"`
	By       string    `json:"bookedBy"`
	Channel  string    `json:"channel"`
}

type changeJSON struct {
	Day      date.Date `json:"day"`
	ChildID  string    `json:"childId"`
	Activity string    `json:"activity"`
	Site     string    `json:"site"`
	Action   string    `json:"action"`
	At       *string   `json:"at"`
	By       string    `json:"by"`
	Channel  string    `json:"channel"`
}

// Sections reads one Query per activity, site and month the family's children are enrolled in.
func (b Bookings) Sections(ctx context.Context, s Subject, now time.Time) ([]Section, error) {
	type slot struct {
		activity calendar.Activity
		site     string
	}
	type span struct {
		children    []string
		first, last date.Date // months
	}
	horizon := date.Of(now).AddMonths(b.MonthsAhead)
	spans := map[slot]*span{}
	for _, e := range s.Enrolments {
		last := horizon
		if !e.Until.IsZero() && e.Until.Before(horizon) {
			last = e.Until.FirstOfMonth()
		}
		k := slot{e.Activity, e.Site}
		sp, ok := spans[k]
		if !ok {
			sp = &span{first: e.From.FirstOfMonth(), last: last}
			spans[k] = sp
		}
		if !slices.Contains(sp.children, e.ChildID) {
			sp.children = append(sp.children, e.ChildID)
		}
		if e.From.FirstOfMonth().Before(sp.first) {
			sp.first = e.From.FirstOfMonth()
		}
		if last.After(sp.last) {
			sp.last = last
		}
	}
	var bookings []bookingJSON
	var changes []changeJSON
	for k, sp := range spans {
		for m := sp.first; !m.After(sp.last); m = m.AddMonths(1) {
			days, err := b.Days.FamilyDaysOfMonth(ctx, k.activity, k.site, m, sp.children)
			if err != nil {
				return nil, fmt.Errorf("bookings: %w", err)
			}
			for _, d := range days {
				for _, child := range sp.children {
					if bk, ok := d.Bookings[child]; ok {
						bookings = append(bookings, bookingJSON{Day: d.Day, ChildID: child, Activity: string(k.activity),
							Site: k.site, At: RFC3339(bk.At), By: bk.By, Channel: string(bk.Channel)})
					}
				}
				for _, c := range d.History {
					if slices.Contains(sp.children, c.ChildID) {
						changes = append(changes, changeJSON{Day: d.Day, ChildID: c.ChildID, Activity: string(k.activity),
							Site: k.site, Action: string(c.Action), At: RFC3339(c.At), By: c.Who, Channel: string(c.Channel)})
					}
				}
			}
		}
	}
	slices.SortFunc(bookings, func(x, y bookingJSON) int {
		return cmp.Or(x.Day.Compare(y.Day), cmp.Compare(x.Activity, y.Activity), cmp.Compare(x.ChildID, y.ChildID))
	})
	slices.SortFunc(changes, func(x, y changeJSON) int {
		return cmp.Or(x.Day.Compare(y.Day), cmp.Compare(x.Activity, y.Activity), cmp.Compare(deref(x.At), deref(y.At)), cmp.Compare(x.ChildID, y.ChildID))
	})
	bs := Section{Key: "bookings", Title: "Réservations",
		Columns: []string{"Jour", "Enfant", "Activité", "Site", "Réservé le", "Par", "Canal"}, Data: bookings}
	if bookings == nil {
		bs.Data = []bookingJSON{}
	}
	for _, x := range bookings {
		bs.Rows = append(bs.Rows, []string{x.Day.String(), s.ChildName(x.ChildID), calendar.Activity(x.Activity).Label(), x.Site,
			deref(x.At), x.By, reservations.Channel(x.Channel).French()})
	}
	hs := Section{Key: "bookingHistory", Title: "Historique des réservations et annulations",
		Columns: []string{"Jour", "Enfant", "Activité", "Site", "Action", "Le", "Par", "Canal"}, Data: changes}
	if changes == nil {
		hs.Data = []changeJSON{}
	}
	for _, x := range changes {
		hs.Rows = append(hs.Rows, []string{x.Day.String(), s.ChildName(x.ChildID), calendar.Activity(x.Activity).Label(), x.Site,
			reservations.Action(x.Action).French(), deref(x.At), x.By, reservations.Channel(x.Channel).French()})
	}
	return []Section{bs, hs}, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
