package mail_test

import (
	"strings"
	"testing"

	"github.com/preau/preau/shared/mail"
)

func TestInactiveWarning(t *testing.T) {
	m := mail.New(nil, "portail-famille@laigneville.fr").ForCommune("Laigneville")
	msg, err := m.Render("account-inactive", "idle@exemple.fr", "Mme Martin", struct{ Inactive, DeleteOn, LoginLink string }{
		"3 ans", "jeudi 31 décembre 2026", "https://portail.example.fr/connexion"})
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{msg.Text, msg.HTML} {
		for _, want := range []string{"Bonjour Mme Martin", "depuis 3 ans", "le jeudi 31 décembre 2026", "https://portail.example.fr/connexion"} {
			if !strings.Contains(part, want) {
				t.Errorf("missing %q in:\n%s", want, part)
			}
		}
	}
	if msg.Subject != "Votre compte sera supprimé le jeudi 31 décembre 2026 – portail famille de Laigneville" {
		t.Errorf("subject %q", msg.Subject)
	}
}
