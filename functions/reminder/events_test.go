package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/date"
)

// TestSampleEvents runs each events/*.json (what EventBridge Scheduler sends: the schedule's
// Input, or a continuation) through the job, on the demo family's fixture. infra/local replays
// them through the real binary too.
func TestSampleEvents(t *testing.T) {
	samples, _ := filepath.Glob("events/*.json")
	if len(samples) == 0 {
		t.Fatal("no sample event")
	}
	for _, path := range samples {
		t.Run(filepath.Base(path), func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, _, _, job := martin(t, clock.NewFixed(time.Date(2026, 12, 1, 18, 0, 0, 0, date.Paris)))
			if err := job(context.Background(), raw); err != nil {
				t.Errorf("%s: %v", path, err)
			}
		})
	}
}
