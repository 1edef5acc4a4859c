package export

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/preau/preau/shared/fr"
	"github.com/preau/preau/shared/messages"
	"github.com/preau/preau/shared/reminders"
)

// ThreadReader lists the threads a signed-in parent wrote to the town hall (store.Store's
// AccountThreads: through the account's own pointers, so never another parent's).
type ThreadReader interface {
	AccountThreads(ctx context.Context, email string) ([]messages.Thread, error)
}

// Messages adds the parent's messages to the town hall ("Nous contacter", written signed in)
// and the answers they got.
type Messages struct {
	Threads ThreadReader
}

type messageJSON struct {
	Thread  string  `json:"thread"`
	Subject string  `json:"subject"`
	At      *string `json:"at"`
	From    string  `json:"from"` // "vous" or "mairie"
	Body    string  `json:"body"`
}

// Sections reads the account's threads.
func (m Messages) Sections(ctx context.Context, s Subject, _ time.Time) ([]Section, error) {
	sec := Section{Key: "messages", Title: "Messages à la mairie", Columns: []string{"Objet", "Date", "De", "Message"},
		Data: []messageJSON{}}
	threads, err := m.Threads.AccountThreads(ctx, s.Account.Email)
	if err != nil {
		return nil, fmt.Errorf("messages: %w", err)
	}
	var out []messageJSON
	for _, t := range threads {
		for _, msg := range t.Messages {
			from := "vous"
			if msg.Staff {
				from = "mairie"
			}
			out = append(out, messageJSON{Thread: t.ID, Subject: t.Subject, At: RFC3339(msg.At), From: from, Body: msg.Body})
			sec.Rows = append(sec.Rows, []string{t.Subject, Paris(msg.At), from, msg.Body})
		}
	}
	if out != nil {
		sec.Data = out
	}
	return []Section{sec}, nil
}

// PreferenceReader reads a parent's reminder choices (store.Store's ReminderParent: the
// account's own partition).
type PreferenceReader interface {
	ReminderParent(ctx context.Context, email string) (reminders.Parent, error)
}

// ReminderPreferences adds the parent's reminder choices (Mes rappels), the defaults when they
// never chose.
type ReminderPreferences struct {
	Parents PreferenceReader
}

type preferencesJSON struct {
	Enabled       bool     `json:"enabled"`
	Activities    []string `json:"activities"`
	Weekdays      []string `json:"weekdays"`
	WeeklySummary bool     `json:"weeklySummary"`
}

// Sections reads the account's preferences.
func (rp ReminderPreferences) Sections(ctx context.Context, s Subject, _ time.Time) ([]Section, error) {
	p, err := rp.Parents.ReminderParent(ctx, s.Account.Email)
	if err != nil {
		return nil, fmt.Errorf("reminder preferences: %w", err)
	}
	j := preferencesJSON{Enabled: p.Preferences.Enabled, WeeklySummary: p.Preferences.WeeklySummary, Activities: []string{}, Weekdays: []string{}}
	var acts, days []string
	for _, a := range p.Preferences.Activities {
		j.Activities = append(j.Activities, string(a))
		acts = append(acts, a.Label())
	}
	for _, d := range p.Preferences.Weekdays {
		j.Weekdays = append(j.Weekdays, strings.ToLower(d.String()))
		days = append(days, fr.WeekdayName(d))
	}
	yes := map[bool]string{true: "oui", false: "non"}
	return []Section{{Key: "reminderPreferences", Title: "Rappels par e-mail",
		Columns: []string{"Rappels avant les dates limites", "Activités", "Jours", "Récapitulatif de la semaine"},
		Rows:    [][]string{{yes[j.Enabled], strings.Join(acts, ", "), strings.Join(days, ", "), yes[j.WeeklySummary]}},
		Data:    j}}, nil
}
