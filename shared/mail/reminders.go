package mail

import "context"

// The reminder e-mails. Each carries the one-click unsubscribe headers of RFC 8058, so mail
// clients offer "Se désabonner" and may POST the link themselves (SES signs them with DKIM).

// ReminderLine is one day to book, already in French.
type ReminderLine struct {
	Child    string // "Léa"
	Activity string // "Restauration scolaire"
	Day      string // "vendredi 4 décembre"
	Deadline string // "avant demain 10h00"
	Price    string // "2,50 €", or "" when the activity has no price for the family
	Link     string // that week of the planning
}

// Reminder is what a reminder says, already in French.
type Reminder struct {
	FirstDeadline string // the earliest deadline, for the subject: "avant demain 10h00"
	Lines         []ReminderLine
	Preferences   string // Mon espace → Rappels
	Unsubscribe   string // the signed one-click link
}

// SummaryDay is one day of a weekly summary.
type SummaryDay struct {
	Day   string   // "lundi 7 décembre"
	Lines []string // "Léa – Restauration scolaire"
}

// WeeklySummary is next week's bookings, already in French.
type WeeklySummary struct {
	Week        string // "du lundi 7 au dimanche 13 décembre"
	Days        []SummaryDay
	Planning    string
	Preferences string
	Unsubscribe string
}

// unsubscribeHeaders are RFC 2369's List-Unsubscribe with RFC 8058's one-click POST.
func unsubscribeHeaders(link string) []Header {
	return []Header{
		{Name: "List-Unsubscribe", Value: "<" + link + ">"},
		{Name: "List-Unsubscribe-Post", Value: "List-Unsubscribe=One-Click"},
	}
}

// SendReminder tells a parent which days close soon unbooked.
func (m *Mailer) SendReminder(ctx context.Context, to, name string, r Reminder) error {
	msg, err := m.Render("reminder", to, name, r)
	if err != nil {
		return err
	}
	msg.Headers = unsubscribeHeaders(r.Unsubscribe)
	return m.Send(ctx, msg)
}

// SendWeeklySummary tells a parent next week's bookings.
func (m *Mailer) SendWeeklySummary(ctx context.Context, to, name string, s WeeklySummary) error {
	msg, err := m.Render("weekly-summary", to, name, s)
	if err != nil {
		return err
	}
	msg.Headers = unsubscribeHeaders(s.Unsubscribe)
	return m.Send(ctx, msg)
}
