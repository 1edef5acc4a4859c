package calendar_test

import (
	"testing"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
)

// TestWithSchoolYearsReplacesTheYearsItHas: loaded periods replace the shipped ones of their
// school year only, open an uncovered year, and keep the closures.
func TestWithSchoolYearsReplacesTheYearsItHas(t *testing.T) {
	d := date.MustParse
	base := calendar.Default().WithClosures([]calendar.Closure{{Day: d("2026-12-08"), Label: "Grève"}})
	september := d("2027-09-06") // a Monday of 2027-2028
	if open, r := base.Open(calendar.Canteen, "", september); open || r != calendar.ReasonCalendarUnknown {
		t.Fatalf("before: %v %s", open, r)
	}
	loaded := base.WithSchoolYears([]calendar.Period{
		{First: d("2027-10-23"), Last: d("2027-11-07"), Name: "Vacances de la Toussaint"},
		// a correction of 2026-2027: its winter holidays one week later
		{First: d("2027-02-27"), Last: d("2027-03-14"), Name: "Vacances d'hiver"},
	})
	for _, c := range []struct {
		day  date.Date
		open bool
		why  calendar.Reason
	}{
		{september, true, ""},
		{d("2027-10-25"), false, calendar.ReasonSchoolHoliday},
		{d("2027-02-22"), true, ""},                            // no longer in the winter holidays
		{d("2027-03-08"), false, calendar.ReasonSchoolHoliday}, // now in them
		{d("2026-12-21"), true, ""},                            // 2026-2027's Christmas is gone with the year replaced
		{d("2026-12-08"), false, calendar.ReasonClosure},
	} {
		open, r := loaded.Open(calendar.Canteen, "", c.day)
		if open != c.open || r != c.why {
			t.Errorf("%s: open %v (%s), want %v (%s)", c.day, open, r, c.open, c.why)
		}
	}
	if n := len(base.Periods()); n != len(calendar.Default().Periods()) {
		t.Fatalf("the base calendar changed: %d periods", n)
	}
}
