package cutoff

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
)

var d = date.MustParse

// at parses an RFC 3339 instant of a test table.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// checkDeadline asserts the deadline of day under p, with its offset, and the boundary around it.
func checkDeadline(t *testing.T, cal WorkingDays, p Policy, day, want string) {
	t.Helper()
	got := Deadline(d(day), cal, p)
	if s := got.Format(time.RFC3339); s != want {
		t.Fatalf("Deadline(%s, %+v) = %s, want %s", day, p, s, want)
	}
	if got.Location() != date.Paris {
		t.Fatalf("Deadline(%s) in %s, want Europe/Paris", day, got.Location())
	}
	if !Accepts(d(day), got.Add(-time.Nanosecond), cal, p) || Accepts(d(day), got, cal, p) {
		t.Fatalf("Accepts(%s) is wrong around %s", day, want)
	}
}

func TestDeadlineExamplesFromTheRegulations(t *testing.T) {
	cal := calendar.Default()
	tests := []struct{ name, day, want string }{
		{"meal on Monday", "2026-12-07", "2026-12-03T10:00:00+01:00"},
		{"meal on Tuesday", "2026-12-08", "2026-12-04T10:00:00+01:00"},
		{"Monday after Ascension", "2027-05-10", "2027-05-05T10:00:00+02:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkDeadline(t, cal, DefaultPolicy(), tt.day, tt.want) })
	}
}

// TestDeadlineAfterEveryPublicHoliday covers the two service days right after each public holiday
// of 2026 to 2028. Expected values come from a separate computation over a hand-written list of
// the holidays, not from package calendar.
func TestDeadlineAfterEveryPublicHoliday(t *testing.T) {
	cal := calendar.Default()
	tests := []struct{ day, want string }{
		{"2026-01-02", "2025-12-30T10:00:00+01:00"}, // Fri after 2026-01-01 (Thu)
		{"2026-01-05", "2025-12-31T10:00:00+01:00"}, // Mon after 2026-01-01 (Thu)
		{"2026-04-07", "2026-04-02T10:00:00+02:00"}, // Tue after 2026-04-06 (Mon)
		{"2026-04-08", "2026-04-03T10:00:00+02:00"}, // Wed after 2026-04-06 (Mon)
		{"2026-05-04", "2026-04-29T10:00:00+02:00"}, // Mon after 2026-05-01 (Fri)
		{"2026-05-05", "2026-04-30T10:00:00+02:00"}, // Tue after 2026-05-01 (Fri)
		{"2026-05-11", "2026-05-06T10:00:00+02:00"}, // Mon after 2026-05-08 (Fri)
		{"2026-05-12", "2026-05-07T10:00:00+02:00"}, // Tue after 2026-05-08 (Fri)
		{"2026-05-15", "2026-05-12T10:00:00+02:00"}, // Fri after 2026-05-14 (Thu)
		{"2026-05-18", "2026-05-13T10:00:00+02:00"}, // Mon after 2026-05-14 (Thu)
		{"2026-05-26", "2026-05-21T10:00:00+02:00"}, // Tue after 2026-05-25 (Mon)
		{"2026-05-27", "2026-05-22T10:00:00+02:00"}, // Wed after 2026-05-25 (Mon)
		{"2026-07-15", "2026-07-10T10:00:00+02:00"}, // Wed after 2026-07-14 (Tue)
		{"2026-07-16", "2026-07-13T10:00:00+02:00"}, // Thu after 2026-07-14 (Tue)
		{"2026-08-17", "2026-08-13T10:00:00+02:00"}, // Mon after 2026-08-15 (Sat)
		{"2026-08-18", "2026-08-14T10:00:00+02:00"}, // Tue after 2026-08-15 (Sat)
		{"2026-11-02", "2026-10-29T10:00:00+01:00"}, // Mon after 2026-11-01 (Sun)
		{"2026-11-03", "2026-10-30T10:00:00+01:00"}, // Tue after 2026-11-01 (Sun)
		{"2026-11-12", "2026-11-09T10:00:00+01:00"}, // Thu after 2026-11-11 (Wed)
		{"2026-11-13", "2026-11-10T10:00:00+01:00"}, // Fri after 2026-11-11 (Wed)
		{"2026-12-28", "2026-12-23T10:00:00+01:00"}, // Mon after 2026-12-25 (Fri)
		{"2026-12-29", "2026-12-24T10:00:00+01:00"}, // Tue after 2026-12-25 (Fri)
		{"2027-01-04", "2026-12-30T10:00:00+01:00"}, // Mon after 2027-01-01 (Fri)
		{"2027-01-05", "2026-12-31T10:00:00+01:00"}, // Tue after 2027-01-01 (Fri)
		{"2027-03-30", "2027-03-25T10:00:00+01:00"}, // Tue after 2027-03-29 (Mon)
		{"2027-03-31", "2027-03-26T10:00:00+01:00"}, // Wed after 2027-03-29 (Mon)
		{"2027-05-03", "2027-04-29T10:00:00+02:00"}, // Mon after 2027-05-01 (Sat)
		{"2027-05-04", "2027-04-30T10:00:00+02:00"}, // Tue after 2027-05-01 (Sat)
		{"2027-05-07", "2027-05-04T10:00:00+02:00"}, // Fri after 2027-05-06 (Thu)
		{"2027-05-10", "2027-05-05T10:00:00+02:00"}, // Mon after 2027-05-06 (Thu)
		{"2027-05-11", "2027-05-07T10:00:00+02:00"}, // Tue after 2027-05-08 (Sat)
		{"2027-05-18", "2027-05-13T10:00:00+02:00"}, // Tue after 2027-05-17 (Mon)
		{"2027-05-19", "2027-05-14T10:00:00+02:00"}, // Wed after 2027-05-17 (Mon)
		{"2027-07-15", "2027-07-12T10:00:00+02:00"}, // Thu after 2027-07-14 (Wed)
		{"2027-07-16", "2027-07-13T10:00:00+02:00"}, // Fri after 2027-07-14 (Wed)
		{"2027-08-16", "2027-08-12T10:00:00+02:00"}, // Mon after 2027-08-15 (Sun)
		{"2027-08-17", "2027-08-13T10:00:00+02:00"}, // Tue after 2027-08-15 (Sun)
		{"2027-11-02", "2027-10-28T10:00:00+02:00"}, // Tue after 2027-11-01 (Mon)
		{"2027-11-03", "2027-10-29T10:00:00+02:00"}, // Wed after 2027-11-01 (Mon)
		{"2027-11-12", "2027-11-09T10:00:00+01:00"}, // Fri after 2027-11-11 (Thu)
		{"2027-11-15", "2027-11-10T10:00:00+01:00"}, // Mon after 2027-11-11 (Thu)
		{"2027-12-27", "2027-12-23T10:00:00+01:00"}, // Mon after 2027-12-25 (Sat)
		{"2027-12-28", "2027-12-24T10:00:00+01:00"}, // Tue after 2027-12-25 (Sat)
		{"2028-01-03", "2027-12-30T10:00:00+01:00"}, // Mon after 2028-01-01 (Sat)
		{"2028-01-04", "2027-12-31T10:00:00+01:00"}, // Tue after 2028-01-01 (Sat)
		{"2028-04-18", "2028-04-13T10:00:00+02:00"}, // Tue after 2028-04-17 (Mon)
		{"2028-04-19", "2028-04-14T10:00:00+02:00"}, // Wed after 2028-04-17 (Mon)
		{"2028-05-02", "2028-04-27T10:00:00+02:00"}, // Tue after 2028-05-01 (Mon)
		{"2028-05-03", "2028-04-28T10:00:00+02:00"}, // Wed after 2028-05-01 (Mon)
		{"2028-05-09", "2028-05-04T10:00:00+02:00"}, // Tue after 2028-05-08 (Mon)
		{"2028-05-10", "2028-05-05T10:00:00+02:00"}, // Wed after 2028-05-08 (Mon)
		{"2028-05-26", "2028-05-23T10:00:00+02:00"}, // Fri after 2028-05-25 (Thu)
		{"2028-05-29", "2028-05-24T10:00:00+02:00"}, // Mon after 2028-05-25 (Thu)
		{"2028-06-06", "2028-06-01T10:00:00+02:00"}, // Tue after 2028-06-05 (Mon)
		{"2028-06-07", "2028-06-02T10:00:00+02:00"}, // Wed after 2028-06-05 (Mon)
		{"2028-07-17", "2028-07-12T10:00:00+02:00"}, // Mon after 2028-07-14 (Fri)
		{"2028-07-18", "2028-07-13T10:00:00+02:00"}, // Tue after 2028-07-14 (Fri)
		{"2028-08-16", "2028-08-11T10:00:00+02:00"}, // Wed after 2028-08-15 (Tue)
		{"2028-08-17", "2028-08-14T10:00:00+02:00"}, // Thu after 2028-08-15 (Tue)
		{"2028-11-02", "2028-10-30T10:00:00+01:00"}, // Thu after 2028-11-01 (Wed)
		{"2028-11-03", "2028-10-31T10:00:00+01:00"}, // Fri after 2028-11-01 (Wed)
		{"2028-11-13", "2028-11-09T10:00:00+01:00"}, // Mon after 2028-11-11 (Sat)
		{"2028-11-14", "2028-11-10T10:00:00+01:00"}, // Tue after 2028-11-11 (Sat)
		{"2028-12-26", "2028-12-21T10:00:00+01:00"}, // Tue after 2028-12-25 (Mon)
		{"2028-12-27", "2028-12-22T10:00:00+01:00"}, // Wed after 2028-12-25 (Mon)
	}
	for _, tt := range tests {
		t.Run(tt.day, func(t *testing.T) { checkDeadline(t, cal, DefaultPolicy(), tt.day, tt.want) })
	}
}

func TestDeadlineAcrossDaylightSaving(t *testing.T) {
	cal := calendar.Default()
	tests := []struct{ name, day, want string }{
		// Summer time starts on Sunday 29 March 2026.
		{"Monday after the change, deadline in winter", "2026-03-30", "2026-03-26T10:00:00+01:00"},
		{"Tuesday after, deadline the Friday before", "2026-03-31", "2026-03-27T10:00:00+01:00"},
		{"Wednesday after, deadline on the Monday", "2026-04-01", "2026-03-30T10:00:00+02:00"},
		// Winter time starts on Sunday 25 October 2026.
		{"Monday after the October change", "2026-10-26", "2026-10-22T10:00:00+02:00"},
		{"Tuesday after the October change", "2026-10-27", "2026-10-23T10:00:00+02:00"},
		{"Wednesday after the October change", "2026-10-28", "2026-10-26T10:00:00+01:00"},
		// 28 March 2027 is both Easter and the change: Easter Monday follows it.
		{"Tuesday after Easter Monday 2027", "2027-03-30", "2027-03-25T10:00:00+01:00"},
		{"Thursday after Easter Monday 2027", "2027-04-01", "2027-03-30T10:00:00+02:00"},
		// 31 October 2027 is followed by All Saints' Day.
		{"Tuesday after the change and All Saints 2027", "2027-11-02", "2027-10-28T10:00:00+02:00"},
		{"Thursday after All Saints 2027", "2027-11-04", "2027-11-02T10:00:00+01:00"},
		// 2028: 26 March and 29 October.
		{"Monday 27 March 2028", "2028-03-27", "2028-03-23T10:00:00+01:00"},
		{"Wednesday 29 March 2028", "2028-03-29", "2028-03-27T10:00:00+02:00"},
		{"Monday 30 October 2028", "2028-10-30", "2028-10-26T10:00:00+02:00"},
		{"Wednesday 1 November 2028 (holiday, no meal, still a deadline)", "2028-11-01", "2028-10-30T10:00:00+01:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkDeadline(t, cal, DefaultPolicy(), tt.day, tt.want) })
	}
}

func TestAcceptsAtTheBoundary(t *testing.T) {
	cal := calendar.Default()
	day := d("2026-12-07")
	deadline := at(t, "2026-12-03T10:00:00+01:00")
	tests := []struct {
		name string
		now  time.Time
		want bool
	}{
		{"a week before", at(t, "2026-11-30T08:00:00+01:00"), true},
		{"one nanosecond before", deadline.Add(-time.Nanosecond), true},
		{"09:59:59.999999999 in UTC", at(t, "2026-12-03T08:59:59.999999999Z"), true},
		{"at the deadline", deadline, false},
		{"at the deadline in UTC", at(t, "2026-12-03T09:00:00Z"), false},
		{"one nanosecond after", deadline.Add(time.Nanosecond), false},
		{"the evening of the deadline", at(t, "2026-12-03T18:00:00+01:00"), false},
		{"on the day itself", at(t, "2026-12-07T07:00:00+01:00"), false},
		{"after the day", at(t, "2026-12-08T07:00:00+01:00"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Accepts(day, tt.now, cal, DefaultPolicy()); got != tt.want {
				t.Fatalf("Accepts(%s, %s) = %v, want %v", day, tt.now, got, tt.want)
			}
		})
	}
}

func TestDeadlineSkipsClosures(t *testing.T) {
	base := calendar.Default()
	tests := []struct {
		name     string
		closures []calendar.Closure
		day      string
		want     string
	}{
		{"no closure: Ascension bridge Friday is a working day", nil,
			"2026-05-18", "2026-05-13T10:00:00+02:00"},
		{"Ascension Thursday plus a commune closure on Friday", []calendar.Closure{{Day: d("2026-05-15"), Label: "Pont"}},
			"2026-05-18", "2026-05-12T10:00:00+02:00"},
		{"closure of the canteen only leaves a working day", []calendar.Closure{{Day: d("2026-05-15"), Label: "Grève", Activities: []calendar.Activity{calendar.Canteen}}},
			"2026-05-18", "2026-05-13T10:00:00+02:00"},
		{"closure on the Thursday before a Monday meal", []calendar.Closure{{Day: d("2026-12-03"), Label: "Fermeture"}},
			"2026-12-07", "2026-12-02T10:00:00+01:00"},
		{"a closed week", []calendar.Closure{
			{Day: d("2026-11-30")}, {Day: d("2026-12-01")}, {Day: d("2026-12-02")}, {Day: d("2026-12-03")}, {Day: d("2026-12-04")}},
			"2026-12-07", "2026-11-26T10:00:00+01:00"},
		{"closure on the Monday before a Tuesday meal", []calendar.Closure{{Day: d("2026-12-07")}},
			"2026-12-08", "2026-12-03T10:00:00+01:00"},
		{"closure on the service day itself changes nothing", []calendar.Closure{{Day: d("2026-12-08")}},
			"2026-12-08", "2026-12-04T10:00:00+01:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkDeadline(t, base.WithClosures(tt.closures), DefaultPolicy(), tt.day, tt.want)
		})
	}
}

func TestDeadlineCustomPolicies(t *testing.T) {
	cal := calendar.Default()
	tests := []struct {
		name string
		p    Policy
		day  string
		want string
	}{
		{"3 working days at 9:00", Policy{3, 9}, "2026-12-07", "2026-12-02T09:00:00+01:00"},
		{"3 working days across Ascension", Policy{3, 9}, "2027-05-10", "2027-05-04T09:00:00+02:00"},
		{"1 working day at 10:00", Policy{1, 10}, "2026-12-07", "2026-12-04T10:00:00+01:00"},
		{"1 working day after Christmas", Policy{1, 10}, "2026-12-28", "2026-12-24T10:00:00+01:00"},
		{"0: the day itself at 10:00", Policy{0, 10}, "2026-12-07", "2026-12-07T10:00:00+01:00"},
		{"0 on a Saturday: still the day itself", Policy{0, 8}, "2026-12-12", "2026-12-12T08:00:00+01:00"},
		{"0 on a public holiday", Policy{0, 10}, "2026-12-25", "2026-12-25T10:00:00+01:00"},
		{"midnight", Policy{2, 0}, "2026-12-07", "2026-12-03T00:00:00+01:00"},
		{"23:00", Policy{2, 23}, "2026-12-07", "2026-12-03T23:00:00+01:00"},
		{"the maximum notice", Policy{MaxWorkingDaysBefore, 10}, "2026-12-07", "2026-10-23T10:00:00+02:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkDeadline(t, cal, tt.p, tt.day, tt.want) })
	}
}

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		p  Policy
		ok bool
	}{
		{DefaultPolicy(), true},
		{Policy{0, 0}, true},
		{Policy{MaxWorkingDaysBefore, 23}, true},
		{Policy{-1, 10}, false},
		{Policy{MaxWorkingDaysBefore + 1, 10}, false},
		{Policy{2, -1}, false},
		{Policy{2, 24}, false},
	}
	cal := calendar.Default()
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d@%d", tt.p.WorkingDaysBefore, tt.p.Hour), func(t *testing.T) {
			err := tt.p.Validate()
			if tt.ok != (err == nil) {
				t.Fatalf("Validate() = %v, want ok=%v", err, tt.ok)
			}
			if tt.ok {
				return
			}
			if !errors.Is(err, ErrInvalidPolicy) {
				t.Fatalf("Validate() = %v, want ErrInvalidPolicy", err)
			}
			// An invalid policy fails closed.
			if _, err := DeadlineOf(d("2026-12-07"), cal, tt.p); !errors.Is(err, ErrInvalidPolicy) {
				t.Fatalf("DeadlineOf: %v", err)
			}
			if !Deadline(d("2026-12-07"), cal, tt.p).IsZero() {
				t.Fatal("Deadline: want the zero time")
			}
			if Accepts(d("2026-12-07"), at(t, "2020-01-01T00:00:00Z"), cal, tt.p) {
				t.Fatal("Accepts with an invalid policy")
			}
			if !FirstAcceptedDay(at(t, "2026-12-01T00:00:00Z"), cal, tt.p).IsZero() {
				t.Fatal("FirstAcceptedDay with an invalid policy")
			}
		})
	}
}

// calendarFunc makes a WorkingDays of a function, for calendars package calendar cannot express.
type calendarFunc func(date.Date) bool

func (f calendarFunc) IsWorkingDay(d date.Date) bool { return f(d) }

func TestDeadlineWithoutWorkingDays(t *testing.T) {
	never := calendarFunc(func(date.Date) bool { return false })
	longAgo := at(t, "2000-01-01T00:00:00Z")
	tests := []struct {
		name string
		cal  WorkingDays
		p    Policy
		err  error
	}{
		{"no working day ever", never, DefaultPolicy(), ErrNoWorkingDay},
		{"one working day in 2021, too far back", calendarFunc(func(d date.Date) bool { return d == date.MustParse("2021-06-01") }), Policy{1, 10}, ErrNoWorkingDay},
		{"one working day a year, within five years", calendarFunc(func(d date.Date) bool { return d.Month() == time.June && d.Day() == 1 }), Policy{2, 10}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DeadlineOf(d("2026-12-07"), tt.cal, tt.p)
			if !errors.Is(err, tt.err) {
				t.Fatalf("DeadlineOf = %s, %v; want %v", got, err, tt.err)
			}
			if tt.err == nil {
				if want := "2025-06-01T10:00:00+02:00"; got.Format(time.RFC3339) != want {
					t.Fatalf("DeadlineOf = %s, want %s", got.Format(time.RFC3339), want)
				}
				return
			}
			if !Deadline(d("2026-12-07"), tt.cal, tt.p).IsZero() || Accepts(d("2026-12-07"), longAgo, tt.cal, tt.p) {
				t.Fatal("a calendar without working days must refuse every request")
			}
		})
	}
	// The day itself needs no working day.
	if got := Deadline(d("2026-12-07"), never, Policy{0, 10}); got.Format(time.RFC3339) != "2026-12-07T10:00:00+01:00" {
		t.Fatalf("Deadline with N=0 = %s", got)
	}
}

func TestFirstAcceptedDay(t *testing.T) {
	cal := calendar.Default()
	tests := []struct {
		name, now, want string
		p               Policy
	}{
		// Days are service days whatever is open: Saturday 5 December closes with Monday 7.
		{"Thursday before 10:00: from Saturday on", "2026-12-03T09:59:59+01:00", "2026-12-05", DefaultPolicy()},
		{"Thursday at 10:00: Monday closed, Tuesday open", "2026-12-03T10:00:00+01:00", "2026-12-08", DefaultPolicy()},
		{"Friday after 10:00: Wednesday", "2026-12-04T10:30:00+01:00", "2026-12-09", DefaultPolicy()},
		{"Wednesday 23 December after 10:00: past Christmas", "2026-12-23T11:00:00+01:00", "2026-12-29", DefaultPolicy()},
		{"N=0 before the hour: today", "2026-12-07T09:00:00+01:00", "2026-12-07", Policy{0, 10}},
		{"N=0 after the hour: tomorrow", "2026-12-07T10:00:00+01:00", "2026-12-08", Policy{0, 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := at(t, tt.now)
			got := FirstAcceptedDay(now, cal, tt.p)
			if got != d(tt.want) {
				t.Fatalf("FirstAcceptedDay(%s) = %s, want %s", tt.now, got, tt.want)
			}
			if Accepts(got.AddDays(-1), now, cal, tt.p) {
				t.Fatalf("the day before %s is still accepted", got)
			}
		})
	}
}

// policiesUnderTest are the policies the property tests run with.
var policiesUnderTest = []Policy{DefaultPolicy(), {1, 10}, {3, 9}, {0, 10}, {5, 0}, {2, 23}}

// checkProperties asserts what must hold of any deadline: it is at Hour:00 Paris, on a working day
// with exactly N-1 working days between it and the service day (on the day itself for N=0), and
// the boundary around it is exact.
func checkProperties(t testing.TB, cal WorkingDays, p Policy, day date.Date) time.Time {
	t.Helper()
	dl, err := DeadlineOf(day, cal, p)
	if err != nil {
		t.Fatalf("DeadlineOf(%s, %+v): %v", day, p, err)
	}
	local := dl.In(date.Paris)
	if local.Minute() != 0 || local.Second() != 0 || local.Nanosecond() != 0 {
		t.Fatalf("%s %+v: deadline %s not on the hour", day, p, local)
	}
	if local.Hour() != p.Hour {
		// Only allowed when Hour:00 does not exist: the spring-forward gap, where the deadline is
		// the instant of the change.
		_, before := dl.Add(-time.Nanosecond).In(date.Paris).Zone()
		_, after := local.Zone()
		if before == after || local.Hour() != p.Hour+1 {
			t.Fatalf("%s %+v: deadline %s not at %d:00 Paris", day, p, local, p.Hour)
		}
	}
	dd := date.Of(dl)
	if p.WorkingDaysBefore == 0 {
		if dd != day {
			t.Fatalf("%s N=0: deadline on %s", day, dd)
		}
	} else {
		if !dl.Before(day.At(0, 0, date.Paris)) {
			t.Fatalf("%s %+v: deadline %s not before the day", day, p, local)
		}
		if !cal.IsWorkingDay(dd) {
			t.Fatalf("%s %+v: deadline on %s, not a working day", day, p, dd)
		}
		between := 0
		for x := dd.AddDays(1); x.Before(day); x = x.AddDays(1) {
			if cal.IsWorkingDay(x) {
				between++
			}
		}
		if between != p.WorkingDaysBefore-1 {
			t.Fatalf("%s %+v: %d working days between the deadline %s and the day", day, p, between, dd)
		}
	}
	if !Accepts(day, dl.Add(-time.Nanosecond), cal, p) || Accepts(day, dl, cal, p) {
		t.Fatalf("%s %+v: boundary not exact at %s", day, p, local)
	}
	return dl
}

func TestDeadlineProperties(t *testing.T) {
	cals := map[string]WorkingDays{
		"zone B": calendar.Default(),
		"with closures": calendar.Default().WithClosures([]calendar.Closure{
			{Day: d("2026-05-15")}, {Day: d("2027-05-07")}, {Day: d("2027-12-24")}, {Day: d("2027-12-31")},
			{Day: d("2028-03-27")}, {Day: d("2028-10-30")}, {Day: d("2028-10-31")},
		}),
	}
	for name, cal := range cals {
		for _, p := range policiesUnderTest {
			t.Run(fmt.Sprintf("%s/%d@%d", name, p.WorkingDaysBefore, p.Hour), func(t *testing.T) {
				var prev time.Time
				for day := range date.Range(d("2026-01-01"), d("2028-12-31")) {
					dl := checkProperties(t, cal, p, day)
					if dl.Before(prev) {
						t.Fatalf("deadline of %s (%s) before the previous day's (%s)", day, dl, prev)
					}
					prev = dl
				}
			})
		}
	}
}

// fuzzCalendar closes pseudo-random days of the zone B calendar, chosen by seed.
type fuzzCalendar struct {
	base *calendar.Calendar
	seed uint64
}

func (c fuzzCalendar) IsWorkingDay(d date.Date) bool {
	if !c.base.IsWorkingDay(d) {
		return false
	}
	if c.seed == 0 {
		return true
	}
	h := uint64(date.MustParse("2000-01-01").DaysUntil(d))*0x9E3779B97F4A7C15 ^ c.seed
	h ^= h >> 29
	return h%5 != 0 // about one working day in five closed
}

func FuzzDeadline(f *testing.F) {
	f.Add(int32(9837), uint8(2), uint8(10), uint64(0))  // 2026-12-07
	f.Add(int32(10017), uint8(2), uint8(10), uint64(0)) // 2027-05-10
	f.Add(int32(9584), uint8(3), uint8(9), uint64(7))   // 2026-03-30
	f.Add(int32(9794), uint8(0), uint8(0), uint64(42))  // 2026-10-25
	f.Add(int32(-3000), uint8(30), uint8(23), uint64(1))
	base := calendar.Default()
	epoch := d("2000-01-01")
	f.Fuzz(func(t *testing.T, offset int32, n, hour uint8, seed uint64) {
		day := epoch.AddDays(int(offset % 40000)) // about 1890 to 2109
		p := Policy{WorkingDaysBefore: int(n) % (MaxWorkingDaysBefore + 1), Hour: int(hour) % 24}
		cal := fuzzCalendar{base: base, seed: seed}
		dl := checkProperties(t, cal, p, day)
		if next := checkProperties(t, cal, p, day.AddDays(1)); next.Before(dl) {
			t.Fatalf("deadline of %s (%s) before that of %s (%s)", day.AddDays(1), next, day, dl)
		}
	})
}

func BenchmarkDeadline(b *testing.B) {
	cal := calendar.Default()
	day := d("2026-12-07")
	for b.Loop() {
		Deadline(day, cal, DefaultPolicy())
	}
}

func BenchmarkFirstAcceptedDay(b *testing.B) {
	cal := calendar.Default()
	now := at(b, "2026-12-23T11:00:00+01:00")
	for b.Loop() {
		FirstAcceptedDay(now, cal, DefaultPolicy())
	}
}

func TestDeadlineInTheSpringForwardGap(t *testing.T) {
	// 02:00 does not exist on Sunday 29 March 2026: the clocks go from 01:59:59 +01:00 to 03:00 +02:00.
	never := calendarFunc(func(date.Date) bool { return false })
	got := Deadline(d("2026-03-29"), never, Policy{0, 2})
	if want := at(t, "2026-03-29T03:00:00+02:00"); !got.Equal(want) {
		t.Fatalf("Deadline = %s, want %s", got, want)
	}
	if !Accepts(d("2026-03-29"), at(t, "2026-03-29T01:59:59.999999999+01:00"), never, Policy{0, 2}) {
		t.Fatal("the last instant before the change is refused")
	}
}
