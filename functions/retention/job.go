package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"

	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/lambdaapp"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/retention"
)

// NewJob returns the scheduled invocation: one run of the retention job at the clock's now,
// then the sweep of lost seats over the days to come (reservations.FreeLostSeats), the night's
// other work on the data. The event (EventBridge Scheduler's, or a replay from the dead-letter
// queue) carries nothing the job needs: what is due is decided by the clock alone, so a late or
// repeated run is harmless. A failure of either is returned after both ran, so the run is
// retried.
func NewJob(j *retention.Job, seats reservations.LostSeats, clk clock.Clock) lambdaapp.Job {
	return func(ctx context.Context, _ json.RawMessage) error {
		now := clk.Now()
		_, err := j.Run(ctx, now)
		freed, serr := reservations.FreeLostSeats(ctx, seats, now)
		if freed > 0 {
			slog.InfoContext(ctx, "lost seats given back", "days", freed)
		}
		return errors.Join(err, serr)
	}
}
