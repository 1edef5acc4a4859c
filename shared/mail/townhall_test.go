package mail_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/mail"
	"github.com/preau/preau/shared/townhall"
)

type kept struct{ msgs []mail.Message }

func (k *kept) Deliver(_ context.Context, _ string, m mail.Message) error {
	k.msgs = append(k.msgs, m)
	return nil
}

func TestClosureNotice(t *testing.T) {
	k := &kept{}
	m := mail.NewWithTransport(k, "portail-famille@laigneville.fr").ForCommune("Laigneville")
	n := townhall.ClosureNotice{Day: date.New(2026, time.December, 7), Label: "Grève : <mouvement> national",
		Lines: []string{"Léa : Restauration scolaire (École Jules Ferry)"}, Link: "https://portail.example.fr/espace-famille/planning?mois=2026-12"}
	if err := m.SendClosureNotice(context.Background(), "anne@martin.fr", "Famille Martin", n); err != nil {
		t.Fatal(err)
	}
	msg := k.msgs[0]
	for _, c := range []struct{ part, got, want string }{
		{"subject", msg.Subject, "Fermeture le lundi 7 décembre 2026 : réservations annulées – portail famille de Laigneville"},
		{"text", msg.Text, "Bonjour Famille Martin,"},
		{"text", msg.Text, "- Léa : Restauration scolaire (École Jules Ferry)"},
		{"text", msg.Text, "ne vous seront pas facturées"},
		{"text", msg.Text, n.Link},
		{"html", msg.HTML, "&lt;mouvement&gt;"},
		{"html", msg.HTML, `href="https://portail.example.fr/espace-famille/planning?mois=2026-12"`},
	} {
		if !strings.Contains(c.got, c.want) {
			t.Errorf("%s lacks %q:\n%s", c.part, c.want, c.got)
		}
	}
	if msg.To != "anne@martin.fr" {
		t.Errorf("to %q", msg.To)
	}
}
