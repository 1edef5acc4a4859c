package fr

import (
	"strconv"

	"github.com/preau/preau/shared/cutoff"
)

// Cutoff says when a cutoff policy closes requests for a day, as every page and e-mail states
// it: "2 jours ouvrés avant le jour concerné, avant 10h00", "1 jour ouvré avant le jour
// concerné, avant 12h00", "le jour même avant 8h00". "La veille" is said only where it is true
// whatever the day: with no working day and 0h00, requests close as the day begins. One working
// day before is not "la veille" (Monday's is the Friday before), so it is never written so.
func Cutoff(p cutoff.Policy) string {
	hour := strconv.Itoa(p.Hour) + "h00"
	switch {
	case p.WorkingDaysBefore == 0 && p.Hour == 0:
		return "au plus tard la veille"
	case p.WorkingDaysBefore == 0:
		return "le jour même avant " + hour
	case p.WorkingDaysBefore == 1:
		return "1 jour ouvré avant le jour concerné, avant " + hour
	}
	return strconv.Itoa(p.WorkingDaysBefore) + " jours ouvrés avant le jour concerné, avant " + hour
}

// CutoffRule is a policy as the sentence of the commune's regulations: « Toute demande de
// réservation ou d'annulation doit intervenir 2 jours ouvrés avant le jour concerné, avant
// 10h00. »
func CutoffRule(p cutoff.Policy) string {
	return "Toute demande de réservation ou d'annulation doit intervenir " + Cutoff(p) + "."
}
