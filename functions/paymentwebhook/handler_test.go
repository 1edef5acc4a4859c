package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/preau/preau/infra/eventstest"
	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/billing/billingtest"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/date"
)

type fixture struct {
	h      http.Handler
	ledger *billingtest.Ledger
	payfip *billingtest.Provider
	mails  *billingtest.Notifier
	co     *billing.Checkout
}

var now = time.Date(2026, 12, 2, 9, 0, 0, 0, date.Paris)

func setup(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	books := billingtest.Commune(2)
	f := &fixture{ledger: billingtest.NewLedger(), payfip: billingtest.NewProvider(), mails: &billingtest.Notifier{}}
	link := func(p string) string { return "https://portail.test" + p }
	if _, err := (&billing.Runner{Books: books, Ledger: f.ledger, Notifier: &billingtest.Notifier{}, Link: link}).Run(ctx, billingtest.November, billingtest.RunAt); err != nil {
		t.Fatal(err)
	}
	f.co = &billing.Checkout{Invoices: f.ledger, Payments: f.ledger, Provider: f.payfip, Households: books, Notifier: f.mails,
		Link: link, NumCli: "012345", Saisie: "T"}
	h, err := New(Deps{Settler: f.co, Clock: clock.NewFixed(now)})
	if err != nil {
		t.Fatal(err)
	}
	f.h = h
	return f
}

// pay starts a payment of family 1's invoice and has PayFiP answer result for it.
func (f *fixture) pay(t *testing.T, result billing.Result) string {
	t.Helper()
	u, err := f.co.Start(context.Background(), "f_001", "f_001@example.org", "2026000001", now)
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimPrefix(u, "https://payfip.test/tpa/paiementws.web?idop=")
	f.payfip.Finish(id, result, nil)
	return id
}

func (f *fixture) notify(t *testing.T, field, idOp string) int {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, billing.NotificationPath, strings.NewReader(url.Values{field: {idOp}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w.Code
}

func TestSampleEvents(t *testing.T) {
	eventstest.Replay(t, "events", func(t *testing.T) http.Handler { return setup(t).h })
}

func TestReplayedAndConcurrentNotificationsPayOnce(t *testing.T) {
	f := setup(t)
	id := f.pay(t, billing.ResultPaid)
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			field := "idOp"
			if i%2 == 1 {
				field = "idop" // PayFiP's two spellings
			}
			if code := f.notify(t, field, id); code != http.StatusOK {
				t.Errorf("status %d", code)
			}
		})
	}
	wg.Wait()
	for range 10 {
		if code := f.notify(t, "idOp", id); code != http.StatusOK {
			t.Errorf("replay status %d", code)
		}
	}
	inv, _ := f.ledger.Invoice(context.Background(), "f_001", "2026000001")
	if len(inv.Payments) != 1 {
		t.Errorf("%d payments, want 1", len(inv.Payments))
	}
	if _, receipts := f.mails.Counts(); receipts != 1 {
		t.Errorf("%d receipts, want 1", receipts)
	}
}

func TestNotificationsThatChangeNothing(t *testing.T) {
	cases := []struct {
		name  string
		idOp  func(f *fixture) string
		field string
	}{
		{"unknown idOp", func(*fixture) string { return "forged" }, "idOp"},
		{"no idOp", func(*fixture) string { return "" }, "idOp"},
		{"refused", func(f *fixture) string { return f.pay(t, billing.ResultRefused) }, "idOp"},
		{"abandoned", func(f *fixture) string { return f.pay(t, billing.ResultAbandoned) }, "idop"},
		{"still in progress", func(f *fixture) string {
			u, _ := f.co.Start(context.Background(), "f_001", "f_001@example.org", "2026000001", now)
			return strings.TrimPrefix(u, "https://payfip.test/tpa/paiementws.web?idop=")
		}, "idOp"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := setup(t)
			if code := f.notify(t, c.field, c.idOp(f)); code != http.StatusOK {
				t.Errorf("status %d", code)
			}
			if inv, _ := f.ledger.Invoice(context.Background(), "f_001", "2026000001"); inv.Paid() {
				t.Error("invoice marked paid")
			}
			if _, receipts := f.mails.Counts(); receipts != 0 {
				t.Errorf("%d receipts", receipts)
			}
		})
	}
}
