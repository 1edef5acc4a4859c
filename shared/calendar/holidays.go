package calendar

import (
	"time"

	"github.com/preau/preau/shared/date"
)

// PublicHoliday reports whether d is one of the eleven French public holidays (jours fériés) of
// metropolitan France outside Alsace-Moselle, and returns its French name.
func PublicHoliday(d date.Date) (name string, ok bool) {
	switch m, day := d.Month(), d.Day(); {
	case m == time.January && day == 1:
		return "Jour de l'an", true
	case m == time.May && day == 1:
		return "Fête du Travail", true
	case m == time.May && day == 8:
		return "Victoire 1945", true
	case m == time.July && day == 14:
		return "Fête nationale", true
	case m == time.August && day == 15:
		return "Assomption", true
	case m == time.November && day == 1:
		return "Toussaint", true
	case m == time.November && day == 11:
		return "Armistice 1918", true
	case m == time.December && day == 25:
		return "Noël", true
	}
	switch Easter(d.Year()).DaysUntil(d) {
	case 1:
		return "Lundi de Pâques", true
	case 39:
		return "Ascension", true
	case 50:
		return "Lundi de Pentecôte", true
	}
	return "", false
}

// PublicHolidays returns the public holidays of a year, in date order.
func PublicHolidays(year int) []date.Date {
	var days []date.Date
	for d := range date.Range(date.New(year, time.January, 1), date.New(year, time.December, 31)) {
		if _, ok := PublicHoliday(d); ok {
			days = append(days, d)
		}
	}
	return days
}

// Easter returns Easter Sunday of a Gregorian year (anonymous Gregorian algorithm, also known as
// Meeus/Jones/Butcher).
func Easter(year int) date.Date {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return date.New(year, time.Month(month), day)
}
