package billing_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/billing/billingtest"
	"github.com/preau/preau/shared/fault"
)

// journal keeps what the desk records.
type journal struct {
	mu      sync.Mutex
	entries []string
}

func (j *journal) Record(_ context.Context, who string, _ time.Time, action, target, before, after string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.entries = append(j.entries, who+" | "+action+" | "+target+" | "+before+" → "+after)
	return nil
}

func newOffice(t *testing.T) (*billing.Office, *billingtest.Ledger, *journal, *billingtest.Notifier) {
	t.Helper()
	l, n, j := billingtest.NewLedger(), &billingtest.Notifier{}, &journal{}
	r := &billing.Runner{Books: billingtest.Commune(2), Ledger: l, Notifier: n, Link: func(p string) string { return "https://portail.test" + p }}
	return &billing.Office{Runner: r, Invoices: l, Desk: l, Journal: j}, l, j, n
}

func TestParseCents(t *testing.T) {
	for in, want := range map[string]int64{"57,50": 5750, "57.5": 5750, "57": 5700, " 1 234,05 € ": 123405, "0,07": 7} {
		if got, ok := billing.ParseCents(in); !ok || got != want {
			t.Errorf("ParseCents(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "-5", "5,505", "abc", "1e3", ",50", "12,5x", "99999999"} {
		if got, ok := billing.ParseCents(in); ok {
			t.Errorf("ParseCents(%q) = %d, accepted", in, got)
		}
	}
}

func TestRunMonthFromTheDeskIsTheScheduledRun(t *testing.T) {
	o, l, j, n := newOffice(t)
	ctx := context.Background()
	if _, err := o.RunMonth(ctx, "agent@mairie.fr", billingtest.November.AddMonths(1), billingtest.RunAt); !errors.Is(err, billing.ErrMonthNotOver) {
		t.Fatalf("running December on 1 December: %v, want ErrMonthNotOver", err)
	}
	for range 2 {
		rep, err := o.RunMonth(ctx, "agent@mairie.fr", billingtest.November, billingtest.RunAt)
		if err != nil || rep.Invoices != 2 {
			t.Fatalf("run = %+v, %v", rep, err)
		}
	}
	if invs := l.All(); len(invs) != 2 || invs[1].Number != "2026000002" {
		t.Fatalf("invoices = %+v", invs)
	}
	if sent, _ := n.Counts(); sent != 2 {
		t.Errorf("%d invoice e-mails after two runs, want 2", sent)
	}
	if len(j.entries) != 2 || !strings.Contains(j.entries[0], "Facturation du mois lancée | novembre 2026 | 0 facture(s) → 2 facture(s), dont 2 nouvelle(s)") ||
		!strings.Contains(j.entries[1], "2 facture(s) → 2 facture(s), dont 0 nouvelle(s)") {
		t.Errorf("journal = %q", j.entries)
	}
}

func TestCounterPayment(t *testing.T) {
	o, l, j, _ := newOffice(t)
	ctx := context.Background()
	if _, err := o.Runner.Run(ctx, billingtest.November, billingtest.RunAt); err != nil {
		t.Fatal(err)
	}
	const token = "0123456789abcdef0123456789abcdef"
	valid := billing.CounterPayment{FamilyID: "f_001", Number: "2026000001", Method: billing.MethodCheque, Amount: "42,50",
		Reference: "CHQ 0012345", Token: token}

	refusals := map[string]func(*billing.CounterPayment){
		"amount":    func(p *billing.CounterPayment) { p.Amount = "42" },
		"method":    func(p *billing.CounterPayment) { p.Method = billing.MethodPayFiP },
		"reference": func(p *billing.CounterPayment) { p.Reference = " " },
	}
	for field, change := range refusals {
		in := valid
		change(&in)
		_, err := o.CounterPaymentFor(ctx, "agent@mairie.fr", in, now)
		if f, ok := fault.As(err); !ok || f.Kind != fault.Invalid || len(f.Fields) != 1 || f.Fields[0].Field != field {
			t.Errorf("%s wrong: %v", field, err)
		}
	}
	bad := valid
	bad.Token = "forged"
	if _, err := o.CounterPaymentFor(ctx, "agent@mairie.fr", bad, now); err == nil {
		t.Error("a payment without the form's token was recorded")
	}
	other := valid
	other.FamilyID = "f_002" // another family's number
	if _, err := o.CounterPaymentFor(ctx, "agent@mairie.fr", other, now); !errors.Is(err, billing.ErrInvoiceNotFound) {
		t.Errorf("another family's invoice: %v", err)
	}

	for range 2 { // the form submitted twice
		inv, err := o.CounterPaymentFor(ctx, "agent@mairie.fr", valid, now)
		if err != nil || inv.Status(now) != billing.StatusPaid {
			t.Fatalf("counter payment = %+v, %v", inv, err)
		}
	}
	inv, _ := l.Invoice(ctx, "f_001", "2026000001")
	if p, _ := inv.PaidBy(); len(inv.Payments) != 1 || p.Via() != billing.MethodCheque || p.Via().How() != "à la régie (chèque)" {
		t.Fatalf("payments = %+v", inv.Payments)
	}
	if len(j.entries) != 1 || !strings.Contains(j.entries[0], "Paiement au guichet enregistré | Facture 2026000001 – Famille 001 | à payer, 42,50\u00a0€ → payée à la régie (chèque), 42,50\u00a0€, réf. CHQ 0012345") {
		t.Errorf("journal = %q", j.entries)
	}
	cash := valid
	cash.Method, cash.Reference, cash.Token = billing.MethodCash, "", "ffffffffffffffffffffffffffffffff"
	if _, err := o.CounterPaymentFor(ctx, "agent@mairie.fr", cash, now); !errors.Is(err, billing.ErrAlreadyPaid) {
		t.Errorf("paying a paid invoice again at the counter: %v", err)
	}
	// Cash needs no reference.
	cash.Number, cash.FamilyID = "2026000002", "f_002"
	if _, err := o.CounterPaymentFor(ctx, "agent@mairie.fr", cash, now); err != nil {
		t.Errorf("cash without reference: %v", err)
	}
}

func TestRefundOnce(t *testing.T) {
	o, l, j, _ := newOffice(t)
	ctx := context.Background()
	if err := l.RecordOverpayment(ctx, billing.Overpayment{IDOp: "op2", FamilyID: "f_001", Number: "2026000001", AmountCents: 4250, At: now}); err != nil {
		t.Fatal(err)
	}
	over, _ := l.Overpayments(ctx)
	if _, err := o.Refunded(ctx, "agent@mairie.fr", over[0].Key, "virement du 3 décembre", now); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Refunded(ctx, "agent@mairie.fr", over[0].Key, "", now); !errors.Is(err, billing.ErrAlreadyRefunded) {
		t.Fatalf("second refund: %v", err)
	}
	if len(j.entries) != 1 || !strings.Contains(j.entries[0], "Trop-perçu remboursé | Facture 2026000001, 42,50\u00a0€ | à rembourser → remboursé (virement du 3 décembre)") {
		t.Errorf("journal = %q", j.entries)
	}
}
