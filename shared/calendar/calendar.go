// Package calendar says which days each school service of a commune is open, and which days are
// working days for the cutoff rule.
//
// Three sources of days meet here:
//
//   - French public holidays, computed for any year (Easter by the Gregorian computus);
//   - the official school holidays of the commune's zone, which are data: the zone B file is
//     shipped (data/school-holidays-zone-b.csv, see data/README.md); the town hall loads the
//     years to come (the ministry's open-data file, ParseOpenData, or typed by hand), which
//     replace the shipped data of their school year (WithSchoolYears);
//   - closures the commune configures (a staff training day, a strike, a building closed).
//
// Each activity follows a weekly pattern (see Open). Days of a school year that the school data do
// not cover are reported closed with ReasonCalendarUnknown: guessing a school day would let parents
// book meals nobody cooks. Working days (IsWorkingDay) never depend on school data, so the cutoff
// rule works for any date.
//
// A Calendar is immutable once built and safe for concurrent use.
package calendar

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/preau/preau/shared/date"
)

// Activity is a school service parents book. Its value is the stable code used in keys, URLs and JSON.
type Activity string

// The activities Préau knows, in the order pages list them.
const (
	Canteen         Activity = "cantine"
	MorningCare     Activity = "periscolaire-matin"
	EveningCare     Activity = "periscolaire-soir"
	WednesdayCentre Activity = "mercredi"
	HolidayCentre   Activity = "vacances"
)

// ErrUnknownActivity is returned by ParseActivity for a code that names no activity.
var ErrUnknownActivity = errors.New("unknown activity")

// Activities returns every activity in display order.
func Activities() []Activity {
	return []Activity{Canteen, MorningCare, EveningCare, WednesdayCentre, HolidayCentre}
}

// ParseActivity reads an activity code such as "cantine".
func ParseActivity(s string) (Activity, error) {
	a := Activity(s)
	if !a.Valid() {
		return "", fmt.Errorf("activity %q: %w", s, ErrUnknownActivity)
	}
	return a, nil
}

// Valid reports whether a is one of Activities.
func (a Activity) Valid() bool {
	return slices.Contains(Activities(), a)
}

// Label is the French name parents read.
func (a Activity) Label() string {
	switch a {
	case Canteen:
		return "Restauration scolaire"
	case MorningCare:
		return "Accueil périscolaire du matin"
	case EveningCare:
		return "Accueil périscolaire du soir"
	case WednesdayCentre:
		return "Accueil de loisirs du mercredi"
	case HolidayCentre:
		return "Accueil de loisirs des vacances"
	}
	return string(a)
}

// Period is a school holiday: the days from First to Last inclusive have no school.
// Verified tells whether the dates were checked against the ministry's official calendar.
type Period struct {
	First, Last date.Date
	Name        string
	Verified    bool
}

// Contains reports whether d falls within the period.
func (p Period) Contains(d date.Date) bool {
	return !d.Before(p.First) && !d.After(p.Last)
}

// Validate checks that the period has both days, in order, and a name.
func (p Period) Validate() error {
	switch {
	case p.First.IsZero() || p.Last.IsZero():
		return errors.New("period: missing first or last day")
	case p.Last.Before(p.First):
		return fmt.Errorf("period %s: last day %s before first day %s", p.Name, p.Last, p.First)
	case p.Name == "":
		return fmt.Errorf("period %s..%s: missing name", p.First, p.Last)
	}
	return nil
}

// Closure is a day the commune closes some or all activities, at some or all of its sites (a
// strike at one school). An empty Activities list closes every activity, an empty Sites list
// every site.
//
// A closure that closes every activity at every site also makes the day a non-working day for
// the cutoff rule: DESIGN counts the commune's closure days out of the working days, and a day
// the whole service is shut is a day nobody processes bookings. A closure of only some
// activities (say the Wednesday centre) or some sites leaves the day a working day, since the
// town hall still works and other services still run.
type Closure struct {
	Day        date.Date
	Label      string
	Activities []Activity
	Sites      []string // site codes ("jules-ferry")
}

// AppliesTo reports whether the closure closes activity a at site. The site "" stands for the
// commune as a whole (the published calendar): only a closure of every site closes it there.
func (cl Closure) AppliesTo(a Activity, site string) bool {
	return (len(cl.Activities) == 0 || slices.Contains(cl.Activities, a)) &&
		(len(cl.Sites) == 0 || site != "" && slices.Contains(cl.Sites, site))
}

// Closes reports whether the closure closes activity a at one site at least.
func (cl Closure) Closes(a Activity) bool {
	return len(cl.Activities) == 0 || slices.Contains(cl.Activities, a)
}

// WholeCommune reports whether the closure closes every activity at every site.
func (cl Closure) WholeCommune() bool {
	for _, a := range Activities() {
		if !cl.AppliesTo(a, "") {
			return false
		}
	}
	return true
}

// Calendar is a commune's calendar: school holidays of its zone plus its closures.
type Calendar struct {
	periods  []Period // sorted by First
	years    map[int]bool
	closures map[date.Date][]Closure
}

// New builds a calendar from school holiday periods and commune closures. The slices are copied.
// A school year (1 September to 31 August, see SchoolYear) is covered when at least one period
// starts in it.
func New(holidays []Period, closures []Closure) *Calendar {
	c := &Calendar{
		periods:  slices.Clone(holidays),
		years:    make(map[int]bool),
		closures: make(map[date.Date][]Closure),
	}
	slices.SortStableFunc(c.periods, func(a, b Period) int { return a.First.Compare(b.First) })
	for _, p := range c.periods {
		c.years[SchoolYear(p.First)] = true
	}
	for _, cl := range closures {
		cl.Activities = slices.Clone(cl.Activities)
		cl.Sites = slices.Clone(cl.Sites)
		c.closures[cl.Day] = append(c.closures[cl.Day], cl)
	}
	return c
}

// Default returns the zone B calendar shipped with Préau, with no closures.
func Default() *Calendar { return defaultCalendar() }

// WithClosures returns a copy of c with the closures cl added to those it has.
func (c *Calendar) WithClosures(cl []Closure) *Calendar {
	return New(c.periods, append(c.Closures(), cl...))
}

// WithSchoolYears returns a copy of c in which each school year that ps has a period of is
// that of ps: the years the town hall loaded replace the shipped data of the same years, and
// years of c that ps does not touch stay. The closures are kept.
func (c *Calendar) WithSchoolYears(ps []Period) *Calendar {
	if len(ps) == 0 {
		return c
	}
	years := map[int]bool{}
	for _, p := range ps {
		years[SchoolYear(p.First)] = true
	}
	kept := slices.DeleteFunc(slices.Clone(c.periods), func(p Period) bool { return years[SchoolYear(p.First)] })
	return New(append(kept, ps...), c.Closures())
}

// Periods returns the school holiday periods, in order.
func (c *Calendar) Periods() []Period { return slices.Clone(c.periods) }

// Closures returns the commune's closures, in day order.
func (c *Calendar) Closures() []Closure {
	var out []Closure
	for _, cls := range c.closures {
		out = append(out, cls...)
	}
	slices.SortStableFunc(out, func(a, b Closure) int { return a.Day.Compare(b.Day) })
	return out
}

// SchoolYear returns the year in which d's school year starts: school years run from 1 September
// to 31 August, so SchoolYear(2027-03-01) is 2026 (school year 2026-2027).
func SchoolYear(d date.Date) int {
	if d.Month() >= time.September {
		return d.Year()
	}
	return d.Year() - 1
}

// Covers reports whether the school holiday data cover d's school year.
func (c *Calendar) Covers(d date.Date) bool { return c.years[SchoolYear(d)] }

// SchoolHoliday returns the school holiday period d falls in, if any.
func (c *Calendar) SchoolHoliday(d date.Date) (Period, bool) {
	for _, p := range c.periods {
		if p.First.After(d) {
			break
		}
		if p.Contains(d) {
			return p, true
		}
	}
	return Period{}, false
}

// ClosureOn returns the first closure on d that closes activity a at site ("": the commune as a
// whole, see Closure.AppliesTo).
func (c *Calendar) ClosureOn(a Activity, site string, d date.Date) (Closure, bool) {
	for _, cl := range c.closures[d] {
		if cl.AppliesTo(a, site) {
			return cl, true
		}
	}
	return Closure{}, false
}

// IsWorkingDay reports whether d is a jour ouvré: Monday to Friday, not a public holiday, and not a
// closure of every activity. School holidays are working days.
func (c *Calendar) IsWorkingDay(d date.Date) bool {
	if isWeekend(d) {
		return false
	}
	if _, ok := PublicHoliday(d); ok {
		return false
	}
	for _, cl := range c.closures[d] {
		if cl.WholeCommune() {
			return false
		}
	}
	return true
}

func isWeekend(d date.Date) bool {
	w := d.Weekday()
	return w == time.Saturday || w == time.Sunday
}

// Open reports whether activity a runs on day d and, when it does not, why. The reason is empty
// when the activity is open.
//
// Patterns: the canteen and the before/after-school care run on school days (Monday, Tuesday,
// Thursday and Friday outside school holidays); the Wednesday centre on Wednesdays of school
// periods; the holiday centre on weekdays of school holidays. None runs on a public holiday or on
// a closure that applies to it. Weekends, public holidays and closures are known for any date;
// the rest needs school data, and a day of an uncovered school year is closed with
// ReasonCalendarUnknown. An unknown activity is never open (ReasonUnknownActivity). site is where
// the activity runs: a closure of other sites leaves it open; "" is the commune as a whole,
// which only a closure of every site closes.
func (c *Calendar) Open(a Activity, site string, d date.Date) (bool, Reason) {
	if !a.Valid() {
		return false, ReasonUnknownActivity
	}
	if isWeekend(d) {
		return false, ReasonWeekend
	}
	if _, ok := PublicHoliday(d); ok {
		return false, ReasonPublicHoliday
	}
	if _, ok := c.ClosureOn(a, site, d); ok {
		return false, ReasonClosure
	}
	if !c.Covers(d) {
		return false, ReasonCalendarUnknown
	}
	_, holiday := c.SchoolHoliday(d)
	wednesday := d.Weekday() == time.Wednesday
	switch a {
	case HolidayCentre:
		if !holiday {
			return false, ReasonSchoolPeriod
		}
	case WednesdayCentre:
		if holiday {
			return false, ReasonSchoolHoliday
		}
		if !wednesday {
			return false, ReasonNotWednesday
		}
	default: // canteen and before/after-school care follow the school days
		if holiday {
			return false, ReasonSchoolHoliday
		}
		if wednesday {
			return false, ReasonWednesday
		}
	}
	return true, ""
}

// Explain returns, in French, why activity a is closed at site on d, naming the holiday or
// closure when there is one: "jour férié (Noël)", "vacances scolaires (Vacances d'hiver)". It
// returns "" when the activity is open.
func (c *Calendar) Explain(a Activity, site string, d date.Date) string {
	open, r := c.Open(a, site, d)
	if open {
		return ""
	}
	detail := ""
	switch r {
	case ReasonPublicHoliday:
		detail, _ = PublicHoliday(d)
	case ReasonSchoolHoliday:
		p, _ := c.SchoolHoliday(d)
		detail = p.Name
	case ReasonClosure:
		cl, _ := c.ClosureOn(a, site, d)
		detail = cl.Label
	}
	if detail == "" {
		return r.French()
	}
	return r.French() + " (" + detail + ")"
}

// OpenDays returns the days from first to last inclusive on which activity a is open at site.
func (c *Calendar) OpenDays(a Activity, site string, first, last date.Date) []date.Date {
	var days []date.Date
	for d := range date.Range(first, last) {
		if open, _ := c.Open(a, site, d); open {
			days = append(days, d)
		}
	}
	return days
}

// Reason is the stable machine code of why an activity is closed on a day, used in JSON.
type Reason string

// The reasons Open gives.
const (
	ReasonWeekend         Reason = "weekend"
	ReasonPublicHoliday   Reason = "public-holiday"
	ReasonSchoolHoliday   Reason = "school-holiday"   // school services closed in school holidays
	ReasonSchoolPeriod    Reason = "school-period"    // the holiday centre is closed in school periods
	ReasonNotWednesday    Reason = "not-wednesday"    // the Wednesday centre runs on Wednesdays only
	ReasonWednesday       Reason = "wednesday"        // no school, so no canteen or care, on Wednesdays
	ReasonClosure         Reason = "closure"          // a closure the commune configured
	ReasonCalendarUnknown Reason = "calendar-unknown" // the school calendar of that year is not loaded
	ReasonUnknownActivity Reason = "unknown-activity"
)

// French is what a parent reads for the reason, without the holiday's name (see Calendar.Explain).
func (r Reason) French() string {
	switch r {
	case ReasonWeekend:
		return "week-end"
	case ReasonPublicHoliday:
		return "jour férié"
	case ReasonSchoolHoliday:
		return "vacances scolaires"
	case ReasonSchoolPeriod:
		return "pas d'accueil de loisirs des vacances en période scolaire"
	case ReasonNotWednesday:
		return "l'accueil de loisirs du mercredi n'ouvre que le mercredi"
	case ReasonWednesday:
		return "pas d'école le mercredi"
	case ReasonClosure:
		return "fermeture exceptionnelle"
	case ReasonCalendarUnknown:
		return "calendrier scolaire pas encore connu"
	case ReasonUnknownActivity:
		return "activité inconnue"
	}
	return string(r)
}
