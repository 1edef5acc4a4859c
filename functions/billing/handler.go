package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/lambdaapp"
)

// Deps is what the Billing job needs; main.go builds it once per cold start.
type Deps struct {
	Runner *billing.Runner
	Clock  clock.Clock
}

// event is the schedule's input: {"month": "2026-11"} bills that month; an EventBridge
// "Scheduled Event" (or no month) bills the month before now's.
type event struct {
	Month string `json:"month"`
}

// New returns the Billing job.
func New(d Deps) (lambdaapp.Job, error) {
	if d.Runner == nil || d.Clock == nil {
		return nil, errors.New("billing: runner and clock are required")
	}
	return func(ctx context.Context, raw json.RawMessage) error {
		var ev event
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, &ev); err != nil {
				return fmt.Errorf("billing: event: %w", err)
			}
		}
		now := d.Clock.Now()
		month := billing.MonthToBill(now)
		if ev.Month != "" {
			m, err := date.Parse(ev.Month + "-01")
			if err != nil {
				return fmt.Errorf("billing: event month %q: want YYYY-MM", ev.Month)
			}
			month = m
		}
		_, err := d.Runner.Run(ctx, month, now)
		return err
	}, nil
}
