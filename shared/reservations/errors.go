package reservations

import (
	"strings"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/fr"
)

// The refusals of the reservation rules. Their Type is stable: API clients switch on it.
var (
	// ErrDeadlinePassed: the request arrived at or after the day's deadline (409, ext "deadline").
	ErrDeadlinePassed = fault.New(fault.Conflict, "deadline-passed", "Délai dépassé",
		"Le délai pour modifier ce jour est dépassé.")
	// ErrClosed: the activity does not run that day (409, ext "reason").
	ErrClosed = fault.New(fault.Conflict, "closed", "Activité fermée ce jour-là",
		"L'activité n'a pas lieu ce jour-là.")
	// ErrNotEnrolled: the child is not enrolled in the activity on that day (409).
	ErrNotEnrolled = fault.New(fault.Conflict, "not-enrolled", "Enfant non inscrit",
		"Votre enfant n'est pas inscrit à cette activité pour ce jour. Adressez-vous à la mairie pour l'inscrire.")
	// ErrFull: every seat of the day is taken (409).
	ErrFull = fault.New(fault.Conflict, "full", "Complet",
		"Il n'y a plus de place ce jour-là pour cette activité.")
	// ErrTooManyChanges: the child's day has had MaxChangesPerDay changes already (409).
	ErrTooManyChanges = fault.New(fault.Conflict, "too-many-changes", "Trop de modifications",
		"Trop de modifications pour cette journée : contactez la mairie.")
	// ErrChildNotFound: no such child in the caller's family — also the answer for another
	// family's child, whose existence is never revealed (404).
	ErrChildNotFound = fault.New(fault.NotFound, "child-not-found", "Enfant introuvable",
		"Cet enfant ne fait pas partie de votre famille.")
	// ErrNoFamily: the account is not linked to a family yet (409).
	ErrNoFamily = fault.New(fault.Conflict, "no-family", "Compte non rattaché à une famille",
		"Votre compte n'est pas encore rattaché à une famille : saisissez votre code abonné dans Mon espace citoyen.")
	// ErrInvalidDate: a date that is not YYYY-MM-DD (400).
	ErrInvalidDate = fault.New(fault.Invalid, "invalid-date", "Date invalide",
		"La date doit être au format AAAA-MM-JJ, par exemple 2026-12-07.")
	// ErrInvalidActivity: an activity code Préau does not know (400).
	ErrInvalidActivity = fault.New(fault.Invalid, "invalid-activity", "Activité inconnue",
		"L'activité demandée n'existe pas.")
	// ErrInvalidRange: a period that is reversed or too long (400).
	ErrInvalidRange = fault.New(fault.Invalid, "invalid-range", "Période invalide",
		"La période demandée est invalide.")
	// ErrInvalidAction: a long-period action other than book or cancel (400).
	ErrInvalidAction = fault.New(fault.Invalid, "invalid-action", "Action invalide",
		`L'action doit être « book » (réserver) ou « cancel » (annuler).`)
)

// ParseDay reads a service day "2026-12-07", refusing anything else as invalid-date.
func ParseDay(s string) (date.Date, error) {
	d, err := date.Parse(s)
	if err != nil {
		return date.Date{}, ErrInvalidDate.WithDetail("La date « " + clip(s) + " » n'est pas au format AAAA-MM-JJ.")
	}
	return d, nil
}

// ParseActivity reads an activity code "cantine", refusing unknown codes as invalid-activity.
func ParseActivity(s string) (calendar.Activity, error) {
	a, err := calendar.ParseActivity(s)
	if err != nil {
		return "", ErrInvalidActivity
	}
	return a, nil
}

// clip shortens what a client sent to 20 characters for a message, cutting between
// characters, never inside one (a cut UTF-8 sequence would print as garbage).
func clip(s string) string {
	const limit = 20
	n := 0
	for i := range s {
		if n == limit {
			return strings.ToValidUTF8(s[:i], "\uFFFD") + "…"
		}
		n++
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

func deadlinePassed(day date.Date, a calendar.Activity, deadline time.Time) error {
	return ErrDeadlinePassed.
		WithDetail("Le délai pour modifier « "+a.Label()+" » du "+fr.LongDate(day)+
			" est dépassé : il fallait le faire avant le "+fr.DeadlineText(deadline)+".").
		With("deadline", deadline.Format(time.RFC3339))
}

func closed(cal *calendar.Calendar, day date.Date, a calendar.Activity, site string, r calendar.Reason) error {
	return ErrClosed.
		WithDetail("« "+a.Label()+" » n'a pas lieu le "+fr.LongDate(day)+" : "+cal.Explain(a, site, day)+".").
		With("reason", string(r))
}
