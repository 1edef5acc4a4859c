package mail_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/infra/sestest"
	"github.com/preau/preau/shared/mail"
)

// The unsubscribe headers must reach the recipient: they do through SES v2 Simple.Headers.
func TestReminderCarriesOneClickUnsubscribeHeaders(t *testing.T) {
	m := newMailer(t)
	box := sestest.Mailbox(t)
	ctx := context.Background()
	unsub := "https://portail-famille.laigneville.fr/rappels/desinscription/bGVh.c2ln"
	r := mail.Reminder{FirstDeadline: "avant demain 10h00", Preferences: "https://portail-famille.laigneville.fr/mon-espace/rappels",
		Unsubscribe: unsub, Lines: []mail.ReminderLine{{Child: "Léa", Activity: "Restauration scolaire", Day: "vendredi 4 décembre",
			Deadline: "avant demain 10h00", Price: "2,50 €", Link: "https://portail-famille.laigneville.fr/espace-famille/planning?mois=2026-12#semaine-2026-11-30-c_1"}}}
	if err := m.SendReminder(ctx, "rappel-entetes@example.fr", "Mme Martin", r); err != nil {
		t.Fatal(err)
	}
	got := box.WaitFor("rappel-entetes@example.fr", "Rappel : des jours à réserver avant demain 10h00", 5*time.Second)
	if got.Headers["List-Unsubscribe"] != "<"+unsub+">" || got.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" {
		t.Errorf("headers %v", got.Headers)
	}
	for _, want := range []string{"Bonjour Mme Martin", "Léa – Restauration scolaire, vendredi 4 décembre : à réserver avant demain 10h00 (2,50 €)",
		r.Lines[0].Link, unsub, r.Preferences} {
		if !strings.Contains(got.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, got.Text)
		}
	}
	if !strings.Contains(got.HTML, "avant demain 10h00") || !strings.Contains(got.HTML, "Ne plus recevoir ces rappels") {
		t.Errorf("html:\n%s", got.HTML)
	}

	s := mail.WeeklySummary{Week: "du lundi 7 au dimanche 13 décembre", Planning: "https://x.fr/espace-famille/planning",
		Preferences: r.Preferences, Unsubscribe: unsub,
		Days: []mail.SummaryDay{{Day: "lundi 7 décembre", Lines: []string{"Léa – Restauration scolaire"}}}}
	if err := m.SendWeeklySummary(ctx, "resume-entetes@example.fr", "M. Martin", s); err != nil {
		t.Fatal(err)
	}
	got = box.WaitFor("resume-entetes@example.fr", "Vos réservations de la semaine prochaine", 5*time.Second)
	if got.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" || !strings.Contains(got.Text, "lundi 7 décembre :\n- Léa – Restauration scolaire") {
		t.Errorf("summary headers %v, text:\n%s", got.Headers, got.Text)
	}
}
