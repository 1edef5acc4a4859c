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

func setup(t *testing.T, now time.Time) (func(context.Context, json.RawMessage) error, *billingtest.Ledger, *billingtest.Notifier) {
	t.Helper()
	l, n := billingtest.NewLedger(), &billingtest.Notifier{}
	job, err := New(Deps{Runner: &billing.Runner{Books: billingtest.Commune(3), Ledger: l, Notifier: n,
		Link: func(p string) string { return "https://portail.test" + p }}, Clock: clock.NewFixed(now)})
	if err != nil {
		t.Fatal(err)
	}
	return job, l, n
}

// TestScheduledEventBillsThePreviousMonth replays every sample of events/ (EventBridge Scheduler
// payloads) on 1 December 2026: each bills November, once.
func TestScheduledEventBillsThePreviousMonth(t *testing.T) {
	eventstest.ReplayJob(t, "events", func(t *testing.T, raw json.RawMessage) {
		job, l, n := setup(t, billingtest.RunAt)
		for range 2 {
			if err := job(context.Background(), raw); err != nil {
				t.Fatal(err)
			}
		}
		invs := l.All()
		if len(invs) != 3 || invs[0].Month != date.New(2026, time.November, 1) || invs[2].Number != "2026000003" {
			t.Fatalf("invoices = %+v", invs)
		}
		if sent, _ := n.Counts(); sent != 3 {
			t.Errorf("%d e-mails, want 3", sent)
		}
	})
}

func TestEventNamesTheMonth(t *testing.T) {
	job, l, _ := setup(t, billingtest.RunAt.AddDate(0, 2, 0))
	if err := job(context.Background(), json.RawMessage(`{"month":"2026-11"}`)); err != nil {
		t.Fatal(err)
	}
	if invs := l.All(); len(invs) != 3 || invs[0].Number != "2027000001" {
		t.Fatalf("invoices = %+v (issued in 2027, numbered in 2027's sequence)", invs)
	}
	if err := job(context.Background(), json.RawMessage(`{"month":"novembre"}`)); err == nil {
		t.Error("a malformed month was accepted")
	}
}
