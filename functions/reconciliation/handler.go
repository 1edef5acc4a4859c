package main

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/lambdaapp"
)

// Reconciler settles the pending payment attempts; *billing.Checkout implements it.
type Reconciler interface {
	Reconcile(ctx context.Context, now time.Time) (int, error)
}

// Deps is what the Reconciliation job needs; main.go builds it once per cold start.
type Deps struct {
	Reconciler Reconciler
	Clock      clock.Clock
}

// New returns the Reconciliation job. Its event carries nothing it needs.
func New(d Deps) (lambdaapp.Job, error) {
	if d.Reconciler == nil || d.Clock == nil {
		return nil, errors.New("reconciliation: reconciler and clock are required")
	}
	return func(ctx context.Context, _ json.RawMessage) error {
		_, err := d.Reconciler.Reconcile(ctx, d.Clock.Now())
		return err
	}, nil
}
