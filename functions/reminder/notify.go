package main

import (
	"context"

	"github.com/preau/preau/shared/childday"
	"github.com/preau/preau/shared/fr"
	"github.com/preau/preau/shared/mail"
	"github.com/preau/preau/shared/reminders"
)

// Mailer sends the reminder e-mails; *mail.Mailer implements it.
type Mailer interface {
	SendReminder(ctx context.Context, to, name string, r mail.Reminder) error
	SendWeeklySummary(ctx context.Context, to, name string, s mail.WeeklySummary) error
}

// Notifier writes the reminders in French, with absolute links, and sends them
// (reminders.Notifier).
type Notifier struct {
	Mailer Mailer
	Link   func(pathAndQuery string) string // absolute URL on the portal
}

// The pages a reminder links to.
const (
	preferencesPath = "/mon-espace/rappels"
	unsubscribePath = "/rappels/desinscription/"
)

// SendReminder tells the parent each day to book, its deadline relative to the run, its price
// and the week of the planning where it is booked.
func (n Notifier) SendReminder(ctx context.Context, no reminders.Notice) error {
	r := mail.Reminder{Preferences: n.Link(preferencesPath), Unsubscribe: n.Link(unsubscribePath + no.Unsubscribe)}
	for i, it := range no.Items {
		line := mail.ReminderLine{Child: it.Child.FirstName, Activity: it.Activity.Label(), Day: fr.LongDate(it.Day),
			Deadline: fr.BeforeDeadline(it.Deadline, no.At), Link: n.Link(childday.PlanningWeekURL(it.Child.ID, it.Day))}
		if it.Priced {
			line.Price = fr.Euros(it.PriceCents)
		}
		if i == 0 {
			r.FirstDeadline = line.Deadline
		}
		r.Lines = append(r.Lines, line)
	}
	return n.Mailer.SendReminder(ctx, no.To, no.Greeting, r)
}

// SendWeeklySummary lists next week's bookings day by day.
func (n Notifier) SendWeeklySummary(ctx context.Context, s reminders.Summary) error {
	ws := mail.WeeklySummary{Week: "du " + fr.LongDate(s.Monday) + " au " + fr.LongDate(s.Monday.AddDays(6)),
		Planning:    n.Link("/espace-famille/planning?mois=" + s.Monday.MonthKey()),
		Preferences: n.Link(preferencesPath), Unsubscribe: n.Link(unsubscribePath + s.Unsubscribe)}
	for _, b := range s.Bookings {
		day := fr.LongDate(b.Day)
		if len(ws.Days) == 0 || ws.Days[len(ws.Days)-1].Day != day {
			ws.Days = append(ws.Days, mail.SummaryDay{Day: day})
		}
		d := &ws.Days[len(ws.Days)-1]
		d.Lines = append(d.Lines, b.Child.FirstName+" – "+b.Activity.Label())
	}
	return n.Mailer.SendWeeklySummary(ctx, s.To, s.Greeting, ws)
}
