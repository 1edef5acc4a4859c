package billing_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/billing/billingtest"
	"github.com/preau/preau/shared/date"
)

type payFixture struct {
	ledger   *billingtest.Ledger
	payfip   *billingtest.Provider
	notifier *billingtest.Notifier
	checkout *billing.Checkout
	inv      billing.Invoice
}

// now is a day before the fixture invoice's due date.
var now = time.Date(2026, time.December, 10, 12, 0, 0, 0, date.Paris)

func newPay(t *testing.T) *payFixture {
	t.Helper()
	books := billingtest.Commune(2)
	f := &payFixture{ledger: billingtest.NewLedger(), payfip: billingtest.NewProvider(), notifier: &billingtest.Notifier{}}
	r := &billing.Runner{Books: books, Ledger: f.ledger, Notifier: &billingtest.Notifier{}, Link: func(p string) string { return "https://portail.test" + p }}
	if _, err := r.Run(context.Background(), billingtest.November, billingtest.RunAt); err != nil {
		t.Fatal(err)
	}
	f.checkout = &billing.Checkout{Invoices: f.ledger, Payments: f.ledger, Provider: f.payfip, Households: books,
		Notifier: f.notifier, Link: func(p string) string { return "https://portail.test" + p }, NumCli: "012345", Saisie: "T"}
	inv, err := f.ledger.Invoice(context.Background(), "f_001", "2026000001")
	if err != nil {
		t.Fatal(err)
	}
	f.inv = inv
	return f
}

// start begins a payment of family 1's invoice and returns its idOp.
func (f *payFixture) start(t *testing.T) string {
	t.Helper()
	u, err := f.checkout.Start(context.Background(), "f_001", "f_001@example.org", f.inv.Number, now)
	if err != nil {
		t.Fatal(err)
	}
	return u[len("https://payfip.test/tpa/paiementws.web?idop="):]
}

func (f *payFixture) invoice(t *testing.T) billing.Invoice {
	t.Helper()
	inv, err := f.ledger.Invoice(context.Background(), "f_001", f.inv.Number)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func TestStartSendsWhatPayFiPNeeds(t *testing.T) {
	f := newPay(t)
	id := f.start(t)
	r := f.payfip.Request(id)
	want := billing.PaymentRequest{NumCli: "012345", Exer: 2026, RefDet: "2026000001", AmountCents: 17 * 250, Email: "f_001@example.org",
		Object: "Facture 2026000001 novembre 2026", Saisie: "T", URLNotif: "https://portail.test/paiements/payfip/notification",
		URLRedirect: "https://portail.test/espace-facturation/factures/2026000001/retour"}
	if r != want {
		t.Errorf("request = %+v\nwant %+v", r, want)
	}
	a, err := f.ledger.Attempt(context.Background(), id)
	if err != nil || a.State != billing.AttemptPending || a.FamilyID != "f_001" || a.AmountCents != want.AmountCents {
		t.Errorf("attempt = %+v, %v", a, err)
	}
	if f.invoice(t).LastIDOp != id {
		t.Error("the invoice does not remember its last attempt")
	}
	if again := f.start(t); again == id {
		t.Error("paying again reused the idOp")
	}
}

func TestStartRefusals(t *testing.T) {
	f := newPay(t)
	ctx := context.Background()
	if _, err := f.checkout.Start(ctx, "f_002", "x@example.org", f.inv.Number, now); !errors.Is(err, billing.ErrInvoiceNotFound) {
		t.Errorf("another family's invoice: %v, want not found", err)
	}
	if _, err := f.checkout.Start(ctx, "", "x@example.org", f.inv.Number, now); !errors.Is(err, billing.ErrNoFamily) {
		t.Errorf("no family: %v", err)
	}
	lastDay := time.Date(2026, time.December, 31, 23, 59, 0, 0, date.Paris)
	if _, err := f.checkout.Start(ctx, "f_001", "x@example.org", f.inv.Number, lastDay); err != nil {
		t.Errorf("on the due date: %v", err)
	}
	if _, err := f.checkout.Start(ctx, "f_001", "x@example.org", f.inv.Number, lastDay.Add(time.Minute)); !errors.Is(err, billing.ErrPastDue) {
		t.Errorf("after the due date: %v, want past due", err)
	}
	id := f.start(t)
	f.payfip.Finish(id, billing.ResultPaid, nil)
	if _, err := f.checkout.Settle(ctx, id, now); err != nil {
		t.Fatal(err)
	}
	if _, err := f.checkout.Start(ctx, "f_001", "x@example.org", f.inv.Number, now); !errors.Is(err, billing.ErrAlreadyPaid) {
		t.Errorf("a paid invoice: %v, want already paid", err)
	}
}

func TestForgedAndUnpaidNotificationsChangeNothing(t *testing.T) {
	cases := []struct {
		name   string
		result billing.Result
		change func(*billing.Detail)
		want   billing.Settlement
		state  billing.AttemptState
	}{
		{"amount mismatch", billing.ResultPaid, func(d *billing.Detail) { d.AmountCents = 1 }, billing.SettledIgnored, billing.AttemptPending},
		{"another invoice's refdet", billing.ResultPaid, func(d *billing.Detail) { d.RefDet = "2026000002" }, billing.SettledIgnored, billing.AttemptPending},
		{"another régie's numcli", billing.ResultPaid, func(d *billing.Detail) { d.NumCli = "999999" }, billing.SettledIgnored, billing.AttemptPending},
		{"another year", billing.ResultPaid, func(d *billing.Detail) { d.Exer = 2025 }, billing.SettledIgnored, billing.AttemptPending},
		{"refused R", billing.ResultRefused, nil, billing.SettledRefused, billing.AttemptRefused},
		{"refused Z", billing.ResultRefusedZ, nil, billing.SettledRefused, billing.AttemptRefused},
		{"abandoned", billing.ResultAbandoned, nil, billing.SettledAbandoned, billing.AttemptAbandoned},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newPay(t)
			id := f.start(t)
			f.payfip.Finish(id, c.result, c.change)
			got, err := f.checkout.Settle(context.Background(), id, now)
			if err != nil || got != c.want {
				t.Fatalf("Settle = %q, %v; want %q", got, err, c.want)
			}
			if f.invoice(t).Paid() {
				t.Error("the invoice was marked paid")
			}
			if a, _ := f.ledger.Attempt(context.Background(), id); a.State != c.state {
				t.Errorf("attempt state %q, want %q", a.State, c.state)
			}
			if _, receipts := f.notifier.Counts(); receipts != 0 {
				t.Errorf("%d receipts sent", receipts)
			}
		})
	}
	t.Run("unknown idOp", func(t *testing.T) {
		f := newPay(t)
		for _, id := range []string{"forged", "", string(make([]byte, 100))} {
			if got, err := f.checkout.Settle(context.Background(), id, now); err != nil || got != billing.SettledIgnored {
				t.Errorf("Settle(%q) = %q, %v", id, got, err)
			}
		}
		if f.payfip.Fetches != 0 {
			t.Errorf("an unknown idOp was fetched from PayFiP %d times", f.payfip.Fetches)
		}
	})
	t.Run("an attempt PayFiP does not know (P1)", func(t *testing.T) {
		f := newPay(t)
		a := billing.Attempt{IDOp: "ghost", FamilyID: "f_001", Number: f.inv.Number, NumCli: "012345", Exer: 2026,
			AmountCents: f.inv.TotalCents, CreatedAt: now, State: billing.AttemptPending}
		if err := f.ledger.PutAttempt(context.Background(), a); err != nil {
			t.Fatal(err)
		}
		if got, err := f.checkout.Settle(context.Background(), "ghost", now); err != nil || got != billing.SettledIgnored {
			t.Errorf("Settle = %q, %v", got, err)
		}
	})
}

func TestReplaysAndConcurrentNotificationsPayOnce(t *testing.T) {
	f := newPay(t)
	id := f.start(t)
	f.payfip.Finish(id, billing.ResultPaid, nil)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if s, err := f.checkout.Settle(context.Background(), id, now); err != nil || s != billing.SettledPaid {
				t.Errorf("Settle = %q, %v", s, err)
			}
		})
	}
	wg.Wait()
	for range 10 {
		if s, err := f.checkout.Settle(context.Background(), id, now); err != nil || s != billing.SettledPaid {
			t.Errorf("replay = %q, %v", s, err)
		}
	}
	inv := f.invoice(t)
	if len(inv.Payments) != 1 || inv.Payments[0].AmountCents != inv.TotalCents {
		t.Errorf("payments = %+v, want one", inv.Payments)
	}
	if _, receipts := f.notifier.Counts(); receipts != 1 {
		t.Errorf("%d receipts, want 1", receipts)
	}
	if inv.Status(now) != billing.StatusPaid {
		t.Errorf("status %s", inv.Status(now))
	}
}

func TestTwoTabsPayingRecordAnOverpayment(t *testing.T) {
	f := newPay(t)
	first, second := f.start(t), f.start(t)
	f.payfip.Finish(first, billing.ResultPaid, nil)
	f.payfip.Finish(second, billing.ResultPaid, nil)
	if s, err := f.checkout.Settle(context.Background(), first, now); err != nil || s != billing.SettledPaid {
		t.Fatalf("first = %q, %v", s, err)
	}
	if s, err := f.checkout.Settle(context.Background(), second, now); err != nil || s != billing.SettledOverpayment {
		t.Fatalf("second = %q, %v", s, err)
	}
	inv := f.invoice(t)
	if p, _ := inv.PaidBy(); p.IDOp != first || len(inv.Overpayments()) != 1 || inv.Overpayments()[0].IDOp != second {
		t.Errorf("payments = %+v", inv.Payments)
	}
	if over, _ := f.ledger.Overpayments(context.Background()); len(over) != 1 || over[0].IDOp != second || over[0].AmountCents != inv.TotalCents {
		t.Errorf("overpayments for the town hall = %+v", over)
	}
	if _, receipts := f.notifier.Counts(); receipts != 1 {
		t.Errorf("%d receipts, want 1 (the overpayment is refunded, not receipted)", receipts)
	}
}

func TestReconciliationSettlesALostNotification(t *testing.T) {
	f := newPay(t)
	id := f.start(t)
	if s, _ := f.checkout.Settle(context.Background(), id, now); s != billing.SettledPending {
		t.Fatalf("P5: %q, want pending", s)
	}
	if n, err := f.checkout.Reconcile(context.Background(), now.Add(10*time.Minute)); err != nil || n != 0 {
		t.Fatalf("reconcile while in progress = %d, %v", n, err)
	}
	f.payfip.Finish(id, billing.ResultPaid, nil) // paid; its notification is lost
	if n, err := f.checkout.Reconcile(context.Background(), now.Add(20*time.Minute)); err != nil || n != 1 {
		t.Fatalf("reconcile = %d, %v", n, err)
	}
	if !f.invoice(t).Paid() {
		t.Fatal("not paid after reconciliation")
	}
	if _, receipts := f.notifier.Counts(); receipts != 1 {
		t.Errorf("%d receipts", receipts)
	}
	// An attempt older than a day is left alone.
	u, err := f.checkout.Start(context.Background(), "f_002", "f_002@example.org", "2026000002", now)
	if err != nil {
		t.Fatal(err)
	}
	f.payfip.Finish(u[len("https://payfip.test/tpa/paiementws.web?idop="):], billing.ResultRefused, nil)
	if n, _ := f.checkout.Reconcile(context.Background(), now.Add(25*time.Hour)); n != 0 {
		t.Errorf("an attempt of more than 24 h was reconciled")
	}
}

func TestReturnStatusIsFetchedNotBelieved(t *testing.T) {
	f := newPay(t)
	ctx := context.Background()
	if _, s, err := f.checkout.ReturnStatus(ctx, "f_001", f.inv.Number, now); err != nil || s != billing.PaymentNone {
		t.Fatalf("before any attempt: %q, %v", s, err)
	}
	id := f.start(t)
	if _, s, _ := f.checkout.ReturnStatus(ctx, "f_001", f.inv.Number, now); s != billing.PaymentInProgress {
		t.Errorf("while PayFiP says P5: %q", s)
	}
	f.payfip.Finish(id, billing.ResultPaid, nil)
	inv, s, err := f.checkout.ReturnStatus(ctx, "f_001", f.inv.Number, now)
	if err != nil || s != billing.PaymentPaid || !inv.Paid() {
		t.Fatalf("after paying: %q, %v, paid %v", s, err, inv.Paid())
	}
	if _, _, err := f.checkout.ReturnStatus(ctx, "f_002", f.inv.Number, now); !errors.Is(err, billing.ErrInvoiceNotFound) {
		t.Errorf("another family: %v", err)
	}
	g := newPay(t)
	gid := g.start(t)
	g.payfip.Finish(gid, billing.ResultRefused, nil)
	if _, s, _ := g.checkout.ReturnStatus(ctx, "f_001", g.inv.Number, now); s != billing.PaymentRefused {
		t.Errorf("refused: %q", s)
	}
}
