package mail_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/infra/sestest"
	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/mail"
)

// The account rules send their e-mails through this package.
var (
	_ accounts.SignupMail          = (*mail.Mailer)(nil)
	_ accounts.ResetMail           = (*mail.Mailer)(nil)
	_ accounts.MembershipMail      = (*mail.Mailer)(nil)
	_ accounts.PasswordChangedMail = (*mail.Mailer)(nil)
)

// newMailer sends to the SES emulator for the commune of Laigneville.
func newMailer(t *testing.T) *mail.Mailer {
	t.Helper()
	return mail.New(sestest.Client(t), "portail-famille@laigneville.fr").ForCommune("Laigneville")
}

func TestAccountMails(t *testing.T) {
	m := newMailer(t)
	box := sestest.Mailbox(t)
	ctx := context.Background()
	link := "https://portail-famille.laigneville.fr/confirm?token=abc-_123"
	cases := []struct {
		name    string
		send    func(to string) error
		subject string
		want    []string
	}{
		{"confirmation", func(to string) error {
			return m.SendConfirmation(ctx, to, "Mme Martin", link, accounts.ConfirmLinkLifetime)
		},
			"Confirmez votre compte", []string{"Laigneville", link, "48 heures", "Bonjour Mme Martin"}},
		{"already registered", func(to string) error {
			return m.SendAlreadyRegistered(ctx, to, "M Durand", "https://x.fr/", "https://x.fr/mot-de-passe-oublie")
		}, "déjà un compte", []string{"Laigneville", "https://x.fr/mot-de-passe-oublie"}},
		{"reset", func(to string) error {
			return m.SendPasswordReset(ctx, to, "M Durand", link, accounts.ResetLinkLifetime)
		},
			"Réinitialisation", []string{"1 heure", link}},
		{"changed", func(to string) error {
			return m.SendPasswordChanged(ctx, to, "M Durand", "https://x.fr/mot-de-passe-oublie")
		},
			"a été modifié", []string{"autres connexions", "https://x.fr/mot-de-passe-oublie"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			to := strings.ToLower(family.NewID("mail-")) + "@example.org"
			if err := c.send(to); err != nil {
				t.Fatal(err)
			}
			got := box.WaitFor(to, c.subject, 5*time.Second)
			if !strings.Contains(got.Subject, "Laigneville") {
				t.Errorf("subject %q lacks the commune", got.Subject)
			}
			if got.From != "portail-famille@laigneville.fr" {
				t.Errorf("from %q", got.From)
			}
			for _, w := range c.want {
				if !strings.Contains(got.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, got.Text)
				}
				if !strings.Contains(got.HTML, strings.ReplaceAll(w, "'", "&#39;")) {
					t.Errorf("html lacks %q:\n%s", w, got.HTML)
				}
			}
			if !strings.Contains(got.HTML, `<html lang="fr">`) {
				t.Errorf("html is not the French layout")
			}
		})
	}
}

func TestRenderEscapesHTML(t *testing.T) {
	m := mail.New(nil, "x@y.fr").ForCommune("Saint-<b>")
	msg, err := m.Render("confirmation", "a@b.fr", "M <script>", struct{ Link, ValidFor string }{"https://x.fr/?a=1&b=2", "48 heures"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(msg.HTML, "<script>") || strings.Contains(msg.HTML, "Saint-<b>") {
		t.Errorf("unescaped HTML: %s", msg.HTML)
	}
	if !strings.Contains(msg.Text, "M <script>") {
		t.Errorf("text part should be plain: %s", msg.Text)
	}
	if _, err := m.Render("nope", "a@b.fr", "x", nil); err == nil {
		t.Error("unknown template rendered")
	}
}
