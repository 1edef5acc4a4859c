package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/infra/eventstest"
	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/billing/billingtest"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/web"
)

// sessions is a fake session resolver: the cookie's value names the parent.
type sessions map[string]*web.Viewer

func (s sessions) ResolveSession(_ context.Context, token string) (*web.Viewer, error) {
	return s[token], nil
}

var parents = sessions{
	"parent-1": {Email: "f_001@example.org", FirstName: "Anne", LastName: "Martin", FamilyID: "f_001"},
	"parent-2": {Email: "f_002@example.org", FirstName: "Bruno", FamilyID: "f_002"},
	"unlinked": {Email: "u@example.org", FirstName: "Ugo"},
}

type fixture struct {
	h      http.Handler
	clock  *clock.Fixed
	ledger *billingtest.Ledger
	payfip *billingtest.Provider
	mails  *billingtest.Notifier
}

// beforeDue is a day before the fixture invoices' due date (31 December 2026).
var beforeDue = time.Date(2026, 12, 10, 12, 0, 0, 0, date.Paris)

func setup(t testing.TB) *fixture {
	t.Helper()
	books := billingtest.Commune(2)
	f := &fixture{clock: clock.NewFixed(beforeDue), ledger: billingtest.NewLedger(), payfip: billingtest.NewProvider(), mails: &billingtest.Notifier{}}
	link := func(p string) string { return "https://portail.test" + p }
	if _, err := (&billing.Runner{Books: books, Ledger: f.ledger, Notifier: &billingtest.Notifier{}, Link: link}).Run(context.Background(), billingtest.November, billingtest.RunAt); err != nil {
		t.Fatal(err)
	}
	co := &billing.Checkout{Invoices: f.ledger, Payments: f.ledger, Provider: f.payfip, Households: books, Notifier: f.mails,
		Link: link, NumCli: "012345", Saisie: "T"}
	h, err := New(Deps{Commune: "Laigneville", PaymentOrigin: "https://payfip.test", Regie: Regie{Name: "Régie enfance-jeunesse", Address: "1 place de la Mairie"},
		Invoices: f.ledger, Payer: co, Clock: f.clock, Sessions: parents, Cookies: web.Cookies{Insecure: true}})
	if err != nil {
		t.Fatal(err)
	}
	f.h = h
	return f
}

func (f *fixture) do(t *testing.T, method, path, who string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	if method == http.MethodPost && !strings.HasPrefix(path, "/api/") {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if who != "" {
		r.AddCookie(&http.Cookie{Name: "preau_session", Value: who})
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}

func TestSampleEvents(t *testing.T) {
	eventstest.Replay(t, "events", func(t *testing.T) http.Handler { return setup(t).h })
}

func TestEspaceFacturation(t *testing.T) {
	f := setup(t)
	list := f.do(t, http.MethodGet, "/espace-facturation", "parent-1")
	if list.Code != http.StatusOK {
		t.Fatalf("list %d", list.Code)
	}
	for _, want := range []string{"n° 2026000001", "novembre 2026", "42,50\u00a0€", "à payer", "jeudi 31 décembre 2026", `aria-current="page">Espace facturation`} {
		if !strings.Contains(list.Body.String(), want) {
			t.Errorf("list lacks %q", want)
		}
	}
	if strings.Contains(list.Body.String(), "2026000002") {
		t.Error("the list shows another family's invoice")
	}
	detail := f.do(t, http.MethodGet, "/espace-facturation/factures/2026000001", "parent-1")
	if csp := detail.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' https://payfip.test;") {
		t.Errorf("the invoice page's form cannot redirect to PayFiP: %s", csp)
	}
	for _, want := range []string{"Facture n° 2026000001", "Enfant – Restauration scolaire", "17", "2,50\u00a0€", "Payer en ligne", `action="/espace-facturation/factures/2026000001/paiement"`} {
		if !strings.Contains(detail.Body.String(), want) {
			t.Errorf("detail lacks %q", want)
		}
	}
	if code := f.do(t, http.MethodGet, "/espace-facturation", "unlinked").Code; code != http.StatusOK {
		t.Errorf("unlinked parent: %d", code)
	}
	if code := f.do(t, http.MethodGet, "/espace-facturation", "").Code; code != http.StatusSeeOther {
		t.Errorf("anonymous: %d, want a redirect to log in", code)
	}
}

func TestAnotherFamilysInvoiceIsNotFound(t *testing.T) {
	f := setup(t)
	for _, path := range []string{"/espace-facturation/factures/2026000002", "/espace-facturation/factures/2026000002/pdf",
		"/api/v1/invoices/2026000002", "/api/v1/invoices/2026000002/pdf", "/api/v1/invoices/..%2f..%2fetc", "/api/v1/invoices/2026000099"} {
		if code := f.do(t, http.MethodGet, path, "parent-1").Code; code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, code)
		}
	}
	w := f.do(t, http.MethodPost, "/api/v1/invoices/2026000002/payments", "parent-1")
	if w.Code != http.StatusNotFound || !strings.Contains(w.Header().Get("Content-Type"), "problem+json") {
		t.Errorf("paying another family's invoice = %d %s", w.Code, w.Header().Get("Content-Type"))
	}
}

func TestAPI(t *testing.T) {
	f := setup(t)
	w := f.do(t, http.MethodGet, "/api/v1/invoices", "parent-1")
	var list struct {
		Invoices []struct {
			ID, Status, Month, DueOn string
			TotalCents               int64
			PayableOnline            bool
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil || w.Code != 200 || len(list.Invoices) != 1 {
		t.Fatalf("list = %d %s", w.Code, w.Body)
	}
	if got := list.Invoices[0]; got.ID != "2026000001" || got.Status != "a-payer" || got.TotalCents != 4250 || !got.PayableOnline || got.DueOn != "2026-12-31" || got.Month != "2026-11" {
		t.Errorf("invoice = %+v", got)
	}
	w = f.do(t, http.MethodGet, "/api/v1/invoices/2026000001", "parent-1")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"days":17`) || !strings.Contains(w.Body.String(), `"unitCents":250`) {
		t.Errorf("detail = %d %s", w.Code, w.Body)
	}

	w = f.do(t, http.MethodPost, "/api/v1/invoices/2026000001/payments", "parent-1")
	var pay struct{ RedirectURL string }
	if err := json.Unmarshal(w.Body.Bytes(), &pay); err != nil || w.Code != http.StatusCreated ||
		!strings.HasPrefix(pay.RedirectURL, "https://payfip.test/tpa/paiementws.web?idop=") {
		t.Fatalf("payment = %d %s", w.Code, w.Body)
	}

	// After the due date (Paris), the API refuses and the page explains.
	f.clock.Set(time.Date(2027, 1, 1, 0, 0, 0, 0, date.Paris))
	w = f.do(t, http.MethodPost, "/api/v1/invoices/2026000001/payments", "parent-1")
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "/problems/invoice-past-due") ||
		w.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("after the due date = %d %s", w.Code, w.Body)
	}
	page := f.do(t, http.MethodGet, "/espace-facturation/factures/2026000001", "parent-1").Body.String()
	if strings.Contains(page, "Payer en ligne") || !strings.Contains(page, "Comment payer cette facture") ||
		!strings.Contains(page, "avis des sommes à payer") || !strings.Contains(page, "échue") {
		t.Errorf("the page after the due date does not explain how to pay:\n%s", page)
	}
	form := f.do(t, http.MethodPost, "/espace-facturation/factures/2026000001/paiement", "parent-1")
	if form.Code != http.StatusSeeOther || form.Header().Get("Location") != "/espace-facturation/factures/2026000001" {
		t.Errorf("form after due date = %d %s", form.Code, form.Header().Get("Location"))
	}
}

func TestPayFromThePageAndComeBack(t *testing.T) {
	f := setup(t)
	w := f.do(t, http.MethodPost, "/espace-facturation/factures/2026000001/paiement", "parent-1")
	loc := w.Header().Get("Location")
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "https://payfip.test/tpa/paiementws.web?idop=") {
		t.Fatalf("pay form = %d %s", w.Code, loc)
	}
	id := strings.TrimPrefix(loc, "https://payfip.test/tpa/paiementws.web?idop=")
	back := f.do(t, http.MethodGet, "/espace-facturation/factures/2026000001/retour?resultrans=P&idop="+id, "parent-1").Body.String()
	if !strings.Contains(back, "Paiement en cours") {
		t.Errorf("before PayFiP's answer the page does not say en cours (it must not believe the browser's parameters)")
	}
	f.payfip.Finish(id, billing.ResultPaid, nil)
	back = f.do(t, http.MethodGet, "/espace-facturation/factures/2026000001/retour", "parent-1").Body.String()
	if !strings.Contains(back, "Paiement reçu") || !strings.Contains(back, "payée") {
		t.Errorf("after paying the page does not say payée:\n%s", back)
	}
	if _, receipts := f.mails.Counts(); receipts != 1 {
		t.Errorf("%d receipts", receipts)
	}
	w = f.do(t, http.MethodPost, "/api/v1/invoices/2026000001/payments", "parent-1")
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "/problems/invoice-paid") {
		t.Errorf("paying a paid invoice = %d %s", w.Code, w.Body)
	}
}

// TestPDFReadsBack renders the invoice's PDF and reads it back with pdftotext (poppler-utils).
func TestPDFReadsBack(t *testing.T) {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext is needed (apt-get install poppler-utils)")
	}
	f := setup(t)
	w := f.do(t, http.MethodGet, "/api/v1/invoices/2026000001/pdf", "parent-1")
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/pdf" || !strings.HasPrefix(w.Body.String(), "%PDF-") {
		t.Fatalf("pdf = %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	path := filepath.Join(t.TempDir(), "facture.pdf")
	if err := os.WriteFile(path, w.Body.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, want := range []string{"Mairie de Laigneville", "Régie enfance-jeunesse", "Facture n° 2026000001", "Famille 001",
		"novembre 2026", "Enfant – Restauration scolaire", "17 2,50 € 42,50 €", "Total 42,50 €", "jeudi 31 décembre 2026",
		"Comment payer", "avis des sommes à payer"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, text)
		}
	}
	if page := f.do(t, http.MethodGet, "/espace-facturation/factures/2026000001/pdf", "parent-1"); page.Code != 200 ||
		!strings.Contains(page.Header().Get("Content-Disposition"), "facture-2026000001.pdf") {
		t.Errorf("page PDF = %d %v", page.Code, page.Header())
	}
}

// TestPaidAtTheCounter: an invoice the régie recorded as paid at its counter is "payée" in
// Espace facturation, says how, and offers no online payment.
func TestPaidAtTheCounter(t *testing.T) {
	f := setup(t)
	p := billing.Payment{IDOp: billing.CounterKey("0123456789abcdef0123456789abcdef"), AmountCents: 4250, At: beforeDue,
		Method: billing.MethodCash, RecordedBy: "agent@mairie.fr"}
	if _, _, err := f.ledger.RecordCounterPayment(context.Background(), "f_001", "2026000001", p); err != nil {
		t.Fatal(err)
	}
	body := f.do(t, http.MethodGet, "/espace-facturation/factures/2026000001", "parent-1").Body.String()
	if !strings.Contains(body, "payée à la régie (espèces) le jeudi 10 décembre 2026") || strings.Contains(body, "Payer en ligne</button>") {
		t.Errorf("invoice paid at the counter:\n%s", body)
	}
	if w := f.do(t, http.MethodPost, "/espace-facturation/factures/2026000001/paiement", "parent-1"); w.Header().Get("Location") != "/espace-facturation/factures/2026000001" {
		t.Errorf("paying online an invoice paid at the counter: %d %s", w.Code, w.Header().Get("Location"))
	}
}

// Pages are parsed when first shown: every one of them must parse.
func TestPagesParse(t *testing.T) {
	if err := web.CheckPages(escaped); err != nil {
		t.Fatal(err)
	}
}
