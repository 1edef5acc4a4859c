// Package date is the civil day of the service calendar: a day in Europe/Paris with no time of
// day and no zone. Service days, holidays, closures and booking keys are all dates; instants
// (deadlines, "now") are time.Time and meet dates only through At and Of.
package date

import (
	_ "embed"
	"fmt"
	"time"
)

// Paris is the zone of every French commune Préau serves in metropolitan France.
var Paris = mustZone("Europe/Paris", parisTZif)

// parisTZif is Europe/Paris from the Go distribution's zoneinfo (lib/time/zoneinfo.zip, tzdata
// 2025c). Lambda's provided.al2023 image has no zoneinfo, and embedding this one zone instead of
// the whole database (time/tzdata) keeps 400 kB out of every function.
//
//go:embed zoneinfo/Europe-Paris
var parisTZif []byte

func mustZone(name string, tzif []byte) *time.Location {
	loc, err := time.LoadLocationFromTZData(name, tzif)
	if err != nil {
		panic(fmt.Sprintf("date: zone %s: %v", name, err))
	}
	return loc
}

// Date is a calendar day. The zero value is not a valid date; use New, Parse or Of.
// Dates compare with ==, Before, After and Compare.
type Date struct {
	t time.Time // midnight UTC of the day, so arithmetic never meets a DST change
}

// Layout is the ISO 8601 form used in URLs, JSON and keys: 2026-12-07.
const Layout = "2006-01-02"

// New returns the date year-month-day, normalising overflow as time.Date does.
func New(year int, month time.Month, day int) Date {
	return Date{time.Date(year, month, day, 0, 0, 0, 0, time.UTC)}
}

// Parse reads a date in the form 2026-12-07, and nothing else.
func Parse(s string) (Date, error) {
	t, err := time.Parse(Layout, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// MustParse is Parse for literals in tests and tables; it panics on a bad date.
func MustParse(s string) Date {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Of returns the Paris calendar day of instant t.
func Of(t time.Time) Date {
	y, m, d := t.In(Paris).Date()
	return New(y, m, d)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d.t.IsZero() }

// Year, Month and Day are the parts of d.
func (d Date) Year() int             { return d.t.Year() }
func (d Date) Month() time.Month     { return d.t.Month() }
func (d Date) Day() int              { return d.t.Day() }
func (d Date) Weekday() time.Weekday { return d.t.Weekday() }

// AddDays returns d moved by n calendar days (n may be negative).
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }

// AddMonths returns the first day of the month n months after d's month.
func (d Date) AddMonths(n int) Date { return New(d.Year(), d.Month()+time.Month(n), 1) }

// FirstOfMonth returns the first day of d's month.
func (d Date) FirstOfMonth() Date { return New(d.Year(), d.Month(), 1) }

// DaysUntil returns the number of days from d to e (negative when e is before d).
func (d Date) DaysUntil(e Date) int { return int(e.t.Sub(d.t).Hours() / 24) }

// Before, After and Compare order dates.
func (d Date) Before(e Date) bool { return d.t.Before(e.t) }
func (d Date) After(e Date) bool  { return d.t.After(e.t) }
func (d Date) Compare(e Date) int { return d.t.Compare(e.t) }

// At returns the instant hour:minute on day d in zone loc. In a DST gap time.Date moves the
// instant forward, which never concerns the morning hours a cutoff uses.
func (d Date) At(hour, minute int, loc *time.Location) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, loc)
}

// String returns the ISO form 2026-12-07.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(Layout)
}

// MonthKey returns the month key 2026-12 used to group days.
func (d Date) MonthKey() string { return d.t.Format("2006-01") }

// MarshalText and UnmarshalText make Date a JSON string "2026-12-07".
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

func (d *Date) UnmarshalText(b []byte) error {
	p, err := Parse(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// Range calls yield for each day from first to last inclusive.
func Range(first, last Date) func(yield func(Date) bool) {
	return func(yield func(Date) bool) {
		for d := first; !d.After(last); d = d.AddDays(1) {
			if !yield(d) {
				return
			}
		}
	}
}
