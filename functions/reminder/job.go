package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/lambdaapp"
	"github.com/preau/preau/shared/reminders"
)

// The jobs a schedule's Input names (template.yaml).
const (
	JobReminders     = "reminders"      // 07:00 and 18:00: deadlines of the coming window
	JobWeeklySummary = "weekly-summary" // Friday 18:30: next week's bookings
)

// Event is the payload of an invocation: the schedule's Input ({"job": "reminders"}), or the
// continuation of a run that reached its time budget, which carries the run's instant so that
// the same days are due.
type Event struct {
	Job string `json:"job"`
	// At is the instant the run stands for (RFC 3339); empty: now.
	At string `json:"at,omitempty"`
	// Continuation counts the invocations before this one in the same run.
	Continuation int `json:"continuation,omitempty"`
}

// MaxContinuations bounds how many invocations one run may chain (each up to the function's
// timeout): at 14 e-mails a second, 16 invocations of 15 minutes send some 200,000 e-mails.
const MaxContinuations = 15

// Continuer starts the next invocation of a run that reached its time budget.
type Continuer interface {
	Continue(ctx context.Context, e Event) error
}

// Runner is the reminder rules; *reminders.Runner implements it.
type Runner interface {
	Remind(ctx context.Context, at, stopBy time.Time) (reminders.Report, error)
	Summarise(ctx context.Context, at, stopBy time.Time) (reminders.Report, error)
}

// Deps is what the Reminder job needs; main.go builds it once per cold start.
type Deps struct {
	Clock     clock.Clock
	Runner    Runner
	Calls     *Calls // nil: calls are not counted
	Continuer Continuer
	// Margin is the time kept at the end of an invocation to finish the e-mails under way and
	// start the continuation (default 30 seconds).
	Margin time.Duration
}

// New returns the Reminder function's job.
func New(d Deps) (lambdaapp.Job, error) {
	if d.Clock == nil || d.Runner == nil || d.Continuer == nil {
		return nil, errors.New("reminder: clock, runner and continuer are required")
	}
	if d.Calls == nil {
		d.Calls = &Calls{}
	}
	if d.Margin == 0 {
		d.Margin = 30 * time.Second
	}
	return func(ctx context.Context, raw json.RawMessage) error { return run(ctx, d, raw) }, nil
}

// errUnknownJob is an event naming no job: a schedule misconfigured in template.yaml.
var errUnknownJob = errors.New("reminder: the event names no known job")

func run(ctx context.Context, d Deps, raw json.RawMessage) error {
	var e Event
	if err := json.Unmarshal(raw, &e); err != nil {
		return fmt.Errorf("reminder: event: %w", err)
	}
	at := d.Clock.Now()
	if e.At != "" {
		t, err := time.Parse(time.RFC3339, e.At)
		if err != nil {
			return fmt.Errorf("reminder: event at: %w", err)
		}
		at = t
	}
	var stopBy time.Time
	if dl, ok := ctx.Deadline(); ok {
		stopBy = dl.Add(-d.Margin)
	}
	var f func(context.Context, time.Time, time.Time) (reminders.Report, error)
	switch e.Job {
	case JobReminders:
		f = d.Runner.Remind
	case JobWeeklySummary:
		f = d.Runner.Summarise
	default:
		return errUnknownJob
	}
	start, before := time.Now(), d.Calls.Snapshot()
	rep, err := f(ctx, at, stopBy)
	after := d.Calls.Snapshot()
	attrs := []any{"job", e.Job, "at", at.Format(time.RFC3339), "continuation", e.Continuation,
		"candidates", rep.Candidates, "sent", rep.Sent, "already_sent", rep.AlreadySent, "opted_out", rep.OptedOut,
		"failed", rep.Failed, "unfinished", rep.Unfinished,
		"dynamodb_calls", after["DynamoDB"] - before["DynamoDB"], "ses_calls", after["SESv2"] - before["SESv2"],
		"duration_ms", time.Since(start).Milliseconds(), "request_id", requestID(ctx)}
	if err != nil {
		slog.ErrorContext(ctx, "reminder run failed", append(attrs, "err", err.Error())...)
		return fmt.Errorf("reminder: %w", err)
	}
	slog.InfoContext(ctx, "reminder run", attrs...)
	if !rep.Unfinished {
		return nil
	}
	if e.Continuation >= MaxContinuations {
		return fmt.Errorf("reminder: run of %s unfinished after %d invocations", at.Format(time.RFC3339), e.Continuation+1)
	}
	next := Event{Job: e.Job, At: at.Format(time.RFC3339), Continuation: e.Continuation + 1}
	if err := d.Continuer.Continue(context.WithoutCancel(ctx), next); err != nil {
		// The next scheduled run still finds what this one left: markers make that safe.
		return fmt.Errorf("reminder: continue: %w", err)
	}
	return nil
}

func requestID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return lc.AwsRequestID
	}
	return ""
}
