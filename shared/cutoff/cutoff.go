// Package cutoff is the booking deadline rule, the heart of Préau:
//
//	« Toute demande de réservation ou d'annulation doit intervenir 2 jours ouvrés avant 10h00,
//	avant le jour de restauration. »
//
// A booking or a cancellation for service day D is accepted if and only if it arrives before
// Deadline(D): 10:00 Europe/Paris on the 2nd working day strictly before D. The number of working
// days and the hour are a commune's Policy, which an activity may override.
//
// The rule is pure: it reads no clock (callers pass now, taken from the server clock, never from
// the client) and knows working days only through the WorkingDays interface, which
// calendar.Calendar implements. It can therefore be tested at the exact nanosecond of the
// deadline, across daylight-saving changes and every public holiday.
package cutoff

import (
	"errors"
	"fmt"
	"time"

	"github.com/preau/preau/shared/date"
)

// MaxWorkingDaysBefore bounds Policy.WorkingDaysBefore: six weeks of working days is already more
// notice than any commune asks.
const MaxWorkingDaysBefore = 30

// searchDays bounds the backward search for working days, so that a calendar with no working day
// (a misconfiguration) cannot hang a request: five years of days.
const searchDays = 5 * 366

// ErrInvalidPolicy is returned by Policy.Validate and DeadlineOf for a policy out of range.
var ErrInvalidPolicy = errors.New("invalid cutoff policy")

// ErrNoWorkingDay is returned by DeadlineOf when the calendar has too few working days before the
// service day (none in five years): the calendar is misconfigured.
var ErrNoWorkingDay = errors.New("no working day before the service day")

// Policy is when requests close: at Hour:00 (Europe/Paris) on the WorkingDaysBefore-th working
// day strictly before the service day. A commune sets one, and may override it per activity.
//
// WorkingDaysBefore 0 means the day itself: requests close at Hour:00 on the service day, whether
// or not it is a working day.
type Policy struct {
	WorkingDaysBefore int
	Hour              int
}

// DefaultPolicy is the rule of the commune's regulations: 2 working days before, at 10:00.
func DefaultPolicy() Policy { return Policy{WorkingDaysBefore: 2, Hour: 10} }

// Validate checks 0 ≤ WorkingDaysBefore ≤ MaxWorkingDaysBefore and 0 ≤ Hour ≤ 23.
func (p Policy) Validate() error {
	if p.WorkingDaysBefore < 0 || p.WorkingDaysBefore > MaxWorkingDaysBefore {
		return fmt.Errorf("%w: %d working days before, want 0 to %d", ErrInvalidPolicy, p.WorkingDaysBefore, MaxWorkingDaysBefore)
	}
	if p.Hour < 0 || p.Hour > 23 {
		return fmt.Errorf("%w: hour %d, want 0 to 23", ErrInvalidPolicy, p.Hour)
	}
	return nil
}

// WorkingDays tells which days are jours ouvrés: Monday to Friday, not a public holiday, not a
// closure of the commune. calendar.Calendar implements it.
type WorkingDays interface {
	IsWorkingDay(date.Date) bool
}

// Deadline returns the instant requests for service day `day` close: Hour:00 Europe/Paris on the
// p.WorkingDaysBefore-th working day strictly before day (on day itself when WorkingDaysBefore
// is 0). The offset is the one in force on the deadline's own date (+01:00 in winter, +02:00 in
// summer), whatever the service day's. Should Hour:00 not exist on that date (the spring-forward
// gap: Hour 2 on the last Sunday of March, which a calendar of weekdays reaches only with
// WorkingDaysBefore 0), the deadline is the instant of the change, 03:00 summer time.
//
// Deadline fails closed: for an invalid policy, or a calendar with no working day in the five
// years before day, it returns the zero time, before every real instant, so Accepts refuses
// everything. Use DeadlineOf to get the reason; validate policies when they are configured.
func Deadline(day date.Date, cal WorkingDays, p Policy) time.Time {
	t, err := DeadlineOf(day, cal, p)
	if err != nil {
		return time.Time{}
	}
	return t
}

// DeadlineOf is Deadline with the reason it cannot be computed: ErrInvalidPolicy or ErrNoWorkingDay.
func DeadlineOf(day date.Date, cal WorkingDays, p Policy) (time.Time, error) {
	if err := p.Validate(); err != nil {
		return time.Time{}, err
	}
	d := day
	for left, steps := p.WorkingDaysBefore, 0; left > 0; {
		if steps == searchDays {
			return time.Time{}, fmt.Errorf("deadline of %s: %w (%d found in %d days)", day, ErrNoWorkingDay, p.WorkingDaysBefore-left, searchDays)
		}
		d = d.AddDays(-1)
		steps++
		if cal.IsWorkingDay(d) {
			left--
		}
	}
	return d.At(p.Hour, 0, date.Paris), nil
}

// Accepts reports whether a booking or cancellation for service day `day`, received at now, is on
// time: now is strictly before the deadline. At the deadline itself it is too late.
func Accepts(day date.Date, now time.Time, cal WorkingDays, p Policy) bool {
	deadline := Deadline(day, cal, p)
	return !deadline.IsZero() && now.Before(deadline)
}

// FirstAcceptedDay returns the earliest service day whose requests are still accepted at now.
// Deadlines never decrease as the service day advances, so every later day is accepted too: it is
// where a planning can start offering changes. It returns the zero Date when no deadline can be
// computed (see Deadline).
func FirstAcceptedDay(now time.Time, cal WorkingDays, p Policy) date.Date {
	if p.Validate() != nil {
		return date.Date{}
	}
	// The deadline of a day is never after the day's own Hour:00, so no day before today is
	// accepted; WorkingDaysBefore working days take at most searchDays calendar days.
	start := date.Of(now)
	for day, steps := start, 0; steps <= searchDays; day, steps = day.AddDays(1), steps+1 {
		if Accepts(day, now, cal, p) {
			return day
		}
	}
	return date.Date{}
}
