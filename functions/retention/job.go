package main

import (
	"context"
	"encoding/json"

	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/lambdaapp"
	"github.com/preau/preau/shared/retention"
)

// NewJob returns the scheduled invocation: one run of the retention job at the clock's now. The
// event (EventBridge Scheduler's, or a replay from the dead-letter queue) carries nothing the
// job needs: what is due is decided by the clock alone, so a late or repeated run is harmless.
func NewJob(j *retention.Job, clk clock.Clock) lambdaapp.Job {
	return func(ctx context.Context, _ json.RawMessage) error {
		_, err := j.Run(ctx, clk.Now())
		return err
	}
}
