package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/retention"
)

// nothingDue is a retention store with no account and no day due; read fails when told to.
type nothingDue struct{ read error }

func (n nothingDue) RetentionRead(context.Context, date.Date) ([]retention.Account, []reservations.Slot, error) {
	return nil, nil, n.read
}
func (nothingDue) RetentionPurged(context.Context, date.Date) error                  { return nil }
func (nothingDue) MarkWarned(context.Context, string, time.Time, time.Time) error    { return nil }
func (nothingDue) UnmarkWarned(context.Context, string, time.Time) error             { return nil }
func (nothingDue) DeleteInactiveAccount(context.Context, string, time.Time) error    { return nil }
func (nothingDue) DeleteUnconfirmedAccount(context.Context, string, time.Time) error { return nil }
func (nothingDue) DeleteDays(context.Context, []reservations.Slot) (int, error)      { return 0, nil }

// oneSite has the canteen at one site, with a capacity; it records the months swept.
type oneSite struct{ swept []string }

func (o *oneSite) Activities(context.Context) ([]family.Activity, error) {
	return []family.Activity{{Activity: calendar.Canteen, Site: "jules-ferry", Capacity: 100}}, nil
}

func (o *oneSite) FreeLostSeats(_ context.Context, _ calendar.Activity, _ string, month, from date.Date, _ int, _ time.Time) (int, error) {
	o.swept = append(o.swept, month.MonthKey()+" from "+from.String())
	return 0, nil
}

// TestNightlyRunSweepsLostSeats: the nightly invocation runs the retention job, then sweeps the
// months to come from today for lost seats, even when the retention failed (whose error is
// returned, so the run is retried).
func TestNightlyRunSweepsLostSeats(t *testing.T) {
	now := time.Date(2026, 11, 29, 2, 30, 0, 0, time.UTC)
	for _, readErr := range []error{nil, errors.New("throttled")} {
		seats := &oneSite{}
		job := NewJob(&retention.Job{Store: nothingDue{read: readErr}}, seats, clock.NewFixed(now))
		err := job(context.Background(), []byte(`{}`))
		if !errors.Is(err, readErr) || (readErr == nil) != (err == nil) {
			t.Errorf("retention failing with %v: the run returned %v", readErr, err)
		}
		if len(seats.swept) != reservations.SweepMonths || seats.swept[0] != "2026-11 from 2026-11-29" ||
			seats.swept[12] != "2027-11 from 2026-11-29" {
			t.Errorf("retention failing with %v: swept %v", readErr, seats.swept)
		}
	}
}
