package fr

import (
	"math"
	"testing"
	"time"

	"github.com/preau/preau/shared/date"
)

func TestWeekdayName(t *testing.T) {
	want := []string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
	for w := time.Sunday; w <= time.Saturday; w++ {
		t.Run(w.String(), func(t *testing.T) {
			if got := WeekdayName(w); got != want[w] {
				t.Fatalf("WeekdayName(%s) = %q, want %q", w, got, want[w])
			}
		})
	}
	if WeekdayName(7) != "" || WeekdayName(-1) != "" {
		t.Fatal("out-of-range weekday has a name")
	}
}

func TestMonthName(t *testing.T) {
	want := []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
		"septembre", "octobre", "novembre", "décembre"}
	for m := time.January; m <= time.December; m++ {
		t.Run(m.String(), func(t *testing.T) {
			if got := MonthName(m); got != want[m-1] {
				t.Fatalf("MonthName(%s) = %q, want %q", m, got, want[m-1])
			}
		})
	}
	if MonthName(0) != "" || MonthName(13) != "" {
		t.Fatal("out-of-range month has a name")
	}
}

func TestLongDate(t *testing.T) {
	tests := []struct{ day, long, withYear string }{
		{"2026-12-07", "lundi 7 décembre", "lundi 7 décembre 2026"},
		{"2026-12-01", "mardi 1er décembre", "mardi 1er décembre 2026"},
		{"2027-01-01", "vendredi 1er janvier", "vendredi 1er janvier 2027"},
		{"2026-08-15", "samedi 15 août", "samedi 15 août 2026"},
		{"2027-02-28", "dimanche 28 février", "dimanche 28 février 2027"},
		{"2026-10-31", "samedi 31 octobre", "samedi 31 octobre 2026"},
		{"2028-02-29", "mardi 29 février", "mardi 29 février 2028"},
		{"2026-12-11", "vendredi 11 décembre", "vendredi 11 décembre 2026"},
		{"2026-12-21", "lundi 21 décembre", "lundi 21 décembre 2026"},
	}
	for _, tt := range tests {
		t.Run(tt.day, func(t *testing.T) {
			d := date.MustParse(tt.day)
			if got := LongDate(d); got != tt.long {
				t.Errorf("LongDate = %q, want %q", got, tt.long)
			}
			if got := LongDateYear(d); got != tt.withYear {
				t.Errorf("LongDateYear = %q, want %q", got, tt.withYear)
			}
		})
	}
	if LongDate(date.Date{}) != "" || LongDateYear(date.Date{}) != "" {
		t.Fatal("zero date is written")
	}
}

func TestDeadlineText(t *testing.T) {
	tests := []struct{ instant, want string }{
		{"2026-12-03T10:00:00+01:00", "jeudi 3 décembre à 10h00"},
		{"2026-12-03T09:00:00Z", "jeudi 3 décembre à 10h00"},          // UTC instant, Paris text
		{"2027-05-05T08:00:00Z", "mercredi 5 mai à 10h00"},            // summer time
		{"2026-12-01T09:05:00+01:00", "mardi 1er décembre à 9h05"},    //
		{"2026-12-03T23:30:00Z", "vendredi 4 décembre à 0h30"},        // the Paris day, not the UTC one
		{"2026-10-25T01:30:00Z", "dimanche 25 octobre à 2h30"},        // after the October change
		{"2026-12-03T10:00:59.999+01:00", "jeudi 3 décembre à 10h00"}, // seconds are not shown
	}
	for _, tt := range tests {
		t.Run(tt.instant, func(t *testing.T) {
			instant, err := time.Parse(time.RFC3339Nano, tt.instant)
			if err != nil {
				t.Fatal(err)
			}
			if got := DeadlineText(instant); got != tt.want {
				t.Fatalf("DeadlineText(%s) = %q, want %q", tt.instant, got, tt.want)
			}
		})
	}
	if DeadlineText(time.Time{}) != "" {
		t.Fatal("zero time is written")
	}
}

func TestEuros(t *testing.T) {
	tests := []struct {
		cents int64
		want  string
	}{
		{1250, "12,50\u00a0€"},
		{0, "0,00\u00a0€"},
		{5, "0,05\u00a0€"},
		{99, "0,99\u00a0€"},
		{100, "1,00\u00a0€"},
		{99999, "999,99\u00a0€"},
		{100000, "1\u202f000,00\u00a0€"},
		{123450, "1\u202f234,50\u00a0€"},
		{12345678, "123\u202f456,78\u00a0€"},
		{123456789, "1\u202f234\u202f567,89\u00a0€"},
		{-1250, "-12,50\u00a0€"},
		{-5, "-0,05\u00a0€"},
		{-123450, "-1\u202f234,50\u00a0€"},
		{math.MaxInt64, "92\u202f233\u202f720\u202f368\u202f547\u202f758,07\u00a0€"},
		{math.MinInt64, "-92\u202f233\u202f720\u202f368\u202f547\u202f758,08\u00a0€"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := Euros(tt.cents); got != tt.want {
				t.Fatalf("Euros(%d) = %q, want %q", tt.cents, got, tt.want)
			}
		})
	}
}
