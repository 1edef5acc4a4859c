package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/preau/preau/infra/eventstest"
	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/billing/billingtest"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/date"
)

// TestSampleEventsReconcile replays events/*.json: a payment whose notification was lost is
// settled by the job, once.
func TestSampleEventsReconcile(t *testing.T) {
	eventstest.ReplayJob(t, "events", func(t *testing.T, raw json.RawMessage) {
		ctx := context.Background()
		books, ledger, pf, n := billingtest.Commune(1), billingtest.NewLedger(), billingtest.NewProvider(), &billingtest.Notifier{}
		link := func(p string) string { return "https://portail.test" + p }
		if _, err := (&billing.Runner{Books: books, Ledger: ledger, Notifier: n, Link: link}).Run(ctx, billingtest.November, billingtest.RunAt); err != nil {
			t.Fatal(err)
		}
		co := &billing.Checkout{Invoices: ledger, Payments: ledger, Provider: pf, Households: books, Notifier: n, Link: link, NumCli: "012345", Saisie: "T"}
		now := time.Date(2026, 12, 2, 9, 0, 0, 0, date.Paris)
		u, err := co.Start(ctx, "f_001", "f_001@example.org", "2026000001", now)
		if err != nil {
			t.Fatal(err)
		}
		pf.Finish(u[len("https://payfip.test/tpa/paiementws.web?idop="):], billing.ResultPaid, nil)
		job, err := New(Deps{Reconciler: co, Clock: clock.NewFixed(now.Add(10 * time.Minute))})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := job(ctx, raw); err != nil {
				t.Fatal(err)
			}
		}
		if inv, _ := ledger.Invoice(ctx, "f_001", "2026000001"); !inv.Paid() {
			t.Error("the lost notification's payment was not applied")
		}
		if _, receipts := n.Counts(); receipts != 1 {
			t.Errorf("%d receipts, want 1", receipts)
		}
	})
}
