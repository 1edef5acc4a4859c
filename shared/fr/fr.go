// Package fr writes dates, deadlines and amounts the way French parents read them:
// "lundi 7 décembre", "jeudi 3 décembre à 10h00", "12,50 €". Everything here is for display;
// machine formats (ISO dates, integer cents) stay elsewhere.
package fr

import (
	"strconv"
	"strings"
	"time"

	"github.com/preau/preau/shared/date"
)

const (
	nbsp       = "\u00a0" // no-break space, before €
	narrowNbsp = "\u202f" // narrow no-break space, between thousands
)

var weekdays = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}

var months = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
	"septembre", "octobre", "novembre", "décembre"}

// WeekdayName returns the French name of a weekday, in lower case: "lundi".
func WeekdayName(w time.Weekday) string {
	if w < time.Sunday || w > time.Saturday {
		return ""
	}
	return weekdays[w]
}

// MonthName returns the French name of a month, in lower case: "décembre".
func MonthName(m time.Month) string {
	if m < time.January || m > time.December {
		return ""
	}
	return months[m-1]
}

// dayOfMonth writes the day of the month as French does: "1er" for the first, plain numbers after.
func dayOfMonth(n int) string {
	if n == 1 {
		return "1er"
	}
	return strconv.Itoa(n)
}

// LongDate writes a day without its year: "lundi 7 décembre", "mardi 1er décembre".
func LongDate(d date.Date) string {
	if d.IsZero() {
		return ""
	}
	return WeekdayName(d.Weekday()) + " " + dayOfMonth(d.Day()) + " " + MonthName(d.Month())
}

// LongDateYear writes a day with its year: "lundi 7 décembre 2026".
func LongDateYear(d date.Date) string {
	if d.IsZero() {
		return ""
	}
	return LongDate(d) + " " + strconv.Itoa(d.Year())
}

// Clock writes the Paris time of day of t: "10h00", "9h30".
func Clock(t time.Time) string {
	p := t.In(date.Paris)
	return strconv.Itoa(p.Hour()) + "h" + twoDigits(p.Minute())
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// DeadlineText writes an instant as a parent reads a deadline, in Paris time:
// "jeudi 3 décembre à 10h00". The zero time (no deadline could be computed) gives "".
func DeadlineText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return LongDate(date.Of(t)) + " à " + Clock(t)
}

// Euros writes an amount in cents as French prices read: 1250 gives "12,50 €", 123450 gives
// "1 234,50 €" (narrow no-break spaces between thousands, a no-break space before €), -1250 gives
// "-12,50 €".
func Euros(cents int64) string {
	var b strings.Builder
	u := uint64(cents) // two's complement: correct magnitude for math.MinInt64 too
	if cents < 0 {
		b.WriteString("-")
		u = -u
	}
	units := strconv.FormatUint(u/100, 10)
	for i, r := range units {
		if i > 0 && (len(units)-i)%3 == 0 {
			b.WriteString(narrowNbsp)
		}
		b.WriteRune(r)
	}
	b.WriteString(",")
	b.WriteString(twoDigits(int(u % 100)))
	b.WriteString(nbsp + "€")
	return b.String()
}
