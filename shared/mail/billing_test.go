package mail_test

import (
	"strings"
	"testing"

	"github.com/preau/preau/shared/mail"
)

func TestInvoiceAndReceipt(t *testing.T) {
	m := mail.New(nil, "portail-famille@laigneville.fr").ForCommune("Laigneville")
	link := "https://portail.example.fr/espace-facturation/factures/2026000001"
	inv, err := m.Render("invoice", "a@example.fr", "Famille Martin", mail.InvoiceNotice{Period: "novembre 2026",
		Number: "2026000001", Amount: "57,50\u00a0€", DueDate: "jeudi 31 décembre 2026", Link: link})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := m.Render("receipt", "a@example.fr", "Famille Martin", mail.InvoiceNotice{Period: "novembre 2026",
		Number: "2026000001", Amount: "57,50\u00a0€", PaidOn: "mardi 1er décembre 2026 à 9h05", Link: link})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ part, got, want string }{
		{"invoice subject", inv.Subject, "Votre facture de novembre 2026 : 57,50\u00a0€ – portail famille de Laigneville"},
		{"invoice text", inv.Text, "au plus tard le jeudi 31 décembre 2026"},
		{"invoice text", inv.Text, "57,50\u00a0€"},
		{"invoice text", inv.Text, link},
		{"invoice text", inv.Text, "Famille Martin"},
		{"invoice html", inv.HTML, `href="` + link + `"`},
		{"invoice html", inv.HTML, "jeudi 31 décembre 2026"},
		{"receipt subject", rec.Subject, "Paiement reçu : facture n° 2026000001"},
		{"receipt text", rec.Text, "le mardi 1er décembre 2026 à 9h05"},
		{"receipt html", rec.HTML, `href="` + link + `"`},
	}
	for _, tt := range tests {
		t.Run(tt.part+" "+tt.want, func(t *testing.T) {
			if !strings.Contains(tt.got, tt.want) {
				t.Fatalf("%s lacks %q:\n%s", tt.part, tt.want, tt.got)
			}
		})
	}
}
