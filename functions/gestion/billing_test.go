package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/billing"
)

// formToken reads the counter payment form's token from a page.
func formToken(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`name="cle" value="([0-9a-f]{32})"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no counter payment form:\n%.3000s", body)
	}
	return m[1]
}

func journalOf(t *testing.T, f *fixture) string {
	t.Helper()
	entries, err := f.mem.Entries(context.Background(), "2026-12")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		b.WriteString(e.Who + " | " + e.Action + " | " + e.Target + " | " + e.Before + " → " + e.After + "\n")
	}
	return b.String()
}

func TestRunAMonthFromTheDesk(t *testing.T) {
	f := newFixture(t)
	full := f.signIn(t)
	res, body := f.do(t, "POST", "/gestion/facturation/lancer", url.Values{"mois": {"2026-12"}}, full)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "une fois terminé") {
		t.Fatalf("running the current month: %d\n%.2000s", res.StatusCode, body)
	}
	for range 2 {
		res, _ = f.do(t, "POST", "/gestion/facturation/lancer", url.Values{"mois": {"2026-11"}}, full)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/gestion/facturation?mois=2026-11" {
			t.Fatalf("run: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
	}
	res, body = f.do(t, "GET", "/gestion/facturation?mois=2026-11", nil, full)
	if res.StatusCode != 200 || strings.Count(body, "Famille 00") != 2 || !strings.Contains(body, "2026000002") {
		t.Fatalf("November's invoices: %d\n%.3000s", res.StatusCode, body)
	}
	if j := journalOf(t, f); strings.Count(j, "Facturation du mois lancée | novembre 2026") != 2 {
		t.Errorf("journal:\n%s", j)
	}
	_, body = f.do(t, "GET", "/gestion/facturation?mois=2026-11&etat=payee", nil, full)
	if strings.Contains(body, "2026000002") || !strings.Contains(body, "Aucune facture « payée »") {
		t.Errorf("filter payée lists unpaid invoices:\n%.3000s", body)
	}
}

func TestCounterPaymentAtTheDesk(t *testing.T) {
	f := newFixture(t)
	full := f.signIn(t)
	page := "/gestion/facturation/familles/f_e9s741y99c/factures/2026009999"
	res, body := f.do(t, "GET", page, nil, full)
	if res.StatusCode != 200 || !strings.Contains(body, "à payer") && !strings.Contains(body, "échue") {
		t.Fatalf("invoice page: %d\n%.2000s", res.StatusCode, body)
	}
	token := formToken(t, body)
	form := url.Values{"method": {"cheque"}, "amount": {"57,50"}, "reference": {"CHQ 7654321"}, "cle": {token}}

	wrong := url.Values{"method": {"cheque"}, "amount": {"50"}, "reference": {""}, "cle": {token}}
	res, body = f.do(t, "POST", page+"/guichet", wrong, full)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "57,50") || !strings.Contains(body, "numéro du chèque") {
		t.Fatalf("wrong amount and no reference: %d\n%.3000s", res.StatusCode, body)
	}
	for range 2 { // a double submit
		res, _ = f.do(t, "POST", page+"/guichet", form, full)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page {
			t.Fatalf("counter payment: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
	}
	inv, err := f.ledger.Invoice(context.Background(), "f_e9s741y99c", "2026009999")
	if err != nil || len(inv.Payments) != 1 || inv.Payments[0].Via() != billing.MethodCheque || inv.Status(f.clk.Now()) != billing.StatusPaid {
		t.Fatalf("invoice = %+v, %v", inv, err)
	}
	if j := journalOf(t, f); strings.Count(j, "Paiement au guichet enregistré | Facture 2026009999 – Famille Martin") != 1 ||
		!strings.Contains(j, agentEmail) || !strings.Contains(j, "payée à la régie (chèque)") {
		t.Errorf("journal:\n%s", j)
	}
	_, body = f.do(t, "GET", page, nil, full)
	if !strings.Contains(body, "payée") || !strings.Contains(body, "CHQ 7654321") || strings.Contains(body, `name="cle"`) {
		t.Errorf("paid invoice page:\n%.3000s", body)
	}
	_, body = f.do(t, "GET", "/gestion/facturation?mois=2026-10", nil, full)
	if !strings.Contains(body, "chèque") || !strings.Contains(body, "CHQ 7654321") {
		t.Errorf("the month's payments do not list the cheque:\n%.4000s", body)
	}
	// A second payment with a new form is refused: the invoice is paid.
	form.Set("cle", strings.Repeat("a", 32))
	if res, _ = f.do(t, "POST", page+"/guichet", form, full); res.StatusCode != http.StatusConflict {
		t.Errorf("paying a paid invoice again: %d", res.StatusCode)
	}
	if res, _ = f.do(t, "GET", "/gestion/facturation/familles/f_autre/factures/2026009999", nil, full); res.StatusCode != http.StatusNotFound {
		t.Errorf("an invoice under another family: %d", res.StatusCode)
	}
}

func TestOverpaymentsRefunded(t *testing.T) {
	f := newFixture(t)
	full := f.signIn(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	if err := f.ledger.RecordOverpayment(ctx, billing.Overpayment{IDOp: "op2", FamilyID: "f_e9s741y99c", Number: "2026009999", AmountCents: 5750, At: at}); err != nil {
		t.Fatal(err)
	}
	res, body := f.do(t, "GET", "/gestion/facturation/trop-percus", nil, full)
	if res.StatusCode != 200 || !strings.Contains(body, "2026009999") || !strings.Contains(body, "Marquer remboursé") {
		t.Fatalf("overpayments: %d\n%.3000s", res.StatusCode, body)
	}
	key := regexp.MustCompile(`name="cle" value="([^"]+)"`).FindStringSubmatch(body)[1]
	res, _ = f.do(t, "POST", "/gestion/facturation/trop-percus/rembourser", url.Values{"cle": {key}, "note": {"virement"}}, full)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("refund: %d", res.StatusCode)
	}
	res, _ = f.do(t, "POST", "/gestion/facturation/trop-percus/rembourser", url.Values{"cle": {key}}, full)
	if res.StatusCode != http.StatusConflict {
		t.Errorf("second refund: %d", res.StatusCode)
	}
	_, body = f.do(t, "GET", "/gestion/facturation/trop-percus", nil, full)
	if !strings.Contains(body, "Remboursé le") || strings.Contains(body, "Marquer remboursé") {
		t.Errorf("after the refund:\n%.3000s", body)
	}
	if j := journalOf(t, f); !strings.Contains(j, "Trop-perçu remboursé | Facture 2026009999") {
		t.Errorf("journal:\n%s", j)
	}
}
