package mail_test

import (
	"strings"
	"testing"

	"github.com/preau/preau/shared/mail"
	"github.com/preau/preau/shared/reservations"
)

func TestLongPeriodSummary(t *testing.T) {
	m := mail.New(nil, "portail-famille@laigneville.fr").ForCommune("Laigneville")
	s := reservations.LongSummary{Action: "réservation", Period: "du lundi 7 décembre 2026 au vendredi 18 décembre 2026",
		Applied: []string{"Léa – Restauration scolaire : 7 jours"}, Skipped: []string{"jeudi 10 décembre – Léa – Restauration scolaire : fermeture exceptionnelle (<Grève>)"},
		More: 2, Link: "https://portail.example.fr/espace-famille/planning?mois=2026-12",
		Rule: "Toute demande de réservation ou d'annulation doit intervenir 2 jours ouvrés avant le jour concerné, avant 10h00."}
	msg, err := m.Render("long-period", "a@example.fr", "Anne Martin", s)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ part, got, want string }{
		{"subject", msg.Subject, "Votre demande sur une longue période – portail famille de Laigneville"},
		{"text", msg.Text, "Léa – Restauration scolaire : 7 jours"},
		{"text", msg.Text, "… et 2 autre(s) jour(s)."},
		{"text", msg.Text, s.Link},
		{"text", msg.Text, "Rappel : Toute demande de réservation ou d'annulation doit intervenir 2 jours ouvrés avant le jour concerné, avant 10h00."},
		{"html", msg.HTML, "&lt;Grève&gt;"},
		{"html", msg.HTML, `href="https://portail.example.fr/espace-famille/planning?mois=2026-12"`},
	}
	for _, tt := range tests {
		t.Run(tt.part+" "+tt.want, func(t *testing.T) {
			if !strings.Contains(tt.got, tt.want) {
				t.Fatalf("%s lacks %q:\n%s", tt.part, tt.want, tt.got)
			}
		})
	}
}
