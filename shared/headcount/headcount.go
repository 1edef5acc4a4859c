// Package headcount counts, for the kitchen and the centres, the children booked on a day at
// each site and activity, with the diet and PAI breakdown. A count is final once the day's
// deadline has passed (no parent can change it any more: what the kitchen orders) and
// provisional before. Counts are read from the reservation day items themselves, so they
// always equal the bookings.
package headcount

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/registry"
	"github.com/preau/preau/shared/reservations"
)

// Days reads the reservation day items of a month (store.Store).
type Days interface {
	DaysOfMonth(ctx context.Context, a calendar.Activity, site string, month date.Date) ([]reservations.Day, error)
}

// Families says which family each child enrolled in an activity belongs to, and reads a
// family's children (store.Store).
type Families interface {
	ChildFamilies(ctx context.Context, a calendar.Activity) (map[string]string, error)
	FamilyRecord(ctx context.Context, familyID string) (registry.Record, error)
}

// Settings lists every activity at every site (store.Store).
type Settings interface {
	Activities(ctx context.Context) ([]family.Activity, error)
}

// Calendars gives the commune's calendar with its closures (reservations.Service).
type Calendars interface {
	Calendar(ctx context.Context) (*calendar.Calendar, error)
}

// Counter computes headcounts.
type Counter struct {
	Days      Days
	Families  Families
	Settings  Settings
	Calendars Calendars
	Policy    cutoff.Policy // the commune's cutoff (activities may override it)
}

// Child is a booked child as the kitchen list shows it.
type Child struct {
	Name, Class, Diet string
	PAI               bool
}

// Count is the headcount of one activity at one site on one day.
type Count struct {
	Activity calendar.Activity
	Site     string
	SiteName string
	Day      date.Date
	Open     bool
	Closed   string // why it is closed ("" when open)
	Final    bool   // the deadline has passed
	Deadline time.Time
	Total    int
	Diets    []DietCount // in the order of registry.Diets, then others
	PAI      int
	Children []Child // by name
}

// DietCount is how many booked children have one diet.
type DietCount struct {
	Diet string
	N    int
}

// reader caches what one request reads.
type reader struct {
	c        *Counter
	cal      *calendar.Calendar
	months   map[string][]reservations.Day
	families map[string]registry.Record
	owners   map[calendar.Activity]map[string]string
}

func (c *Counter) reader(ctx context.Context) (*reader, error) {
	cal, err := c.Calendars.Calendar(ctx)
	if err != nil {
		return nil, fmt.Errorf("headcount: %w", err)
	}
	return &reader{c: c, cal: cal, months: map[string][]reservations.Day{}, families: map[string]registry.Record{},
		owners: map[calendar.Activity]map[string]string{}}, nil
}

// Day counts every activity at every site on day, as of now.
func (c *Counter) Day(ctx context.Context, day date.Date, now time.Time) ([]Count, error) {
	r, err := c.reader(ctx)
	if err != nil {
		return nil, err
	}
	acts, err := c.Settings.Activities(ctx)
	if err != nil {
		return nil, fmt.Errorf("headcount: %w", err)
	}
	out := make([]Count, 0, len(acts))
	for _, a := range acts {
		n, err := r.count(ctx, a, day, now)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// Week counts Monday to Friday of the week of day.
func (c *Counter) Week(ctx context.Context, day date.Date, now time.Time) ([]date.Date, [][]Count, error) {
	monday := day.AddDays(-((int(day.Weekday()) + 6) % 7))
	var days []date.Date
	var rows [][]Count
	for i := range 5 {
		d := monday.AddDays(i)
		counts, err := c.Day(ctx, d, now)
		if err != nil {
			return nil, nil, err
		}
		days = append(days, d)
		rows = append(rows, counts)
	}
	return days, rows, nil
}

func (r *reader) count(ctx context.Context, a family.Activity, day date.Date, now time.Time) (Count, error) {
	n := Count{Activity: a.Activity, Site: a.Site, SiteName: a.SiteName, Day: day}
	open, why := r.cal.Open(a.Activity, a.Site, day)
	n.Open = open
	if !open {
		n.Closed = why.French()
		return n, nil
	}
	n.Deadline = cutoff.Deadline(day, r.cal, reservations.PolicyFor(r.c.Policy, a))
	n.Final = !now.Before(n.Deadline)
	key := string(a.Activity) + "#" + a.Site + "#" + day.MonthKey()
	days, ok := r.months[key]
	if !ok {
		var err error
		if days, err = r.c.Days.DaysOfMonth(ctx, a.Activity, a.Site, day); err != nil {
			return Count{}, fmt.Errorf("headcount: %w", err)
		}
		r.months[key] = days
	}
	i := slices.IndexFunc(days, func(d reservations.Day) bool { return d.Day == day })
	if i < 0 {
		return n, nil
	}
	owners, ok := r.owners[a.Activity]
	if !ok {
		var err error
		if owners, err = r.c.Families.ChildFamilies(ctx, a.Activity); err != nil {
			return Count{}, fmt.Errorf("headcount: %w", err)
		}
		r.owners[a.Activity] = owners
	}
	diets := map[string]int{}
	for childID := range days[i].Bookings {
		ch := Child{Name: "Enfant " + childID, Diet: "inconnu"}
		if fid, ok := owners[childID]; ok {
			rec, ok := r.families[fid]
			if !ok {
				var err error
				if rec, err = r.c.Families.FamilyRecord(ctx, fid); err != nil && !isNotFound(err) {
					return Count{}, fmt.Errorf("headcount: %w", err)
				}
				r.families[fid] = rec
			}
			if j := slices.IndexFunc(rec.Children, func(c family.Child) bool { return c.ID == childID }); j >= 0 {
				c := rec.Children[j]
				ch = Child{Name: c.LastName + " " + c.FirstName, Class: c.Class, Diet: c.Diet, PAI: c.PAI}
				if ch.Diet == "" {
					ch.Diet = "standard"
				}
			}
		}
		n.Total++
		diets[ch.Diet]++
		if ch.PAI {
			n.PAI++
		}
		n.Children = append(n.Children, ch)
	}
	slices.SortFunc(n.Children, func(a, b Child) int { return strings.Compare(a.Name, b.Name) })
	for _, d := range registry.Diets {
		n.Diets = append(n.Diets, DietCount{Diet: d, N: diets[d]})
		delete(diets, d)
	}
	var others []string
	for d := range diets {
		others = append(others, d)
	}
	slices.Sort(others)
	for _, d := range others {
		n.Diets = append(n.Diets, DietCount{Diet: d, N: diets[d]})
	}
	return n, nil
}

func isNotFound(err error) bool { return errors.Is(err, registry.ErrNotFound) }
