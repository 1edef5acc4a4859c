package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/preau/preau/infra/eventstest"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/date"
)

// TestSampleEvents runs each events/*.json (what EventBridge Scheduler sends: the schedule's
// Input, or a continuation) through the job, on the demo family's fixture. infra/local replays
// them through the real binary too.
func TestSampleEvents(t *testing.T) {
	eventstest.ReplayJob(t, "events", func(t *testing.T, raw json.RawMessage) {
		_, _, _, job := martin(t, clock.NewFixed(time.Date(2026, 12, 1, 18, 0, 0, 0, date.Paris)))
		if err := job(context.Background(), raw); err != nil {
			t.Error(err)
		}
	})
}
