package reminders

import (
	"context"
	"sync"
	"time"
)

// Pacer spaces e-mails out so a run never exceeds SES's send rate.
type Pacer interface {
	// Wait returns when the next e-mail may go (or ctx's error).
	Wait(ctx context.Context) error
}

// Rate paces to perSecond e-mails a second; 0 or less does not pace (benchmarks, tests). It
// measures real time, not the commune's clock: the rate is SES's, not a rule's.
func Rate(perSecond float64) Pacer {
	if perSecond <= 0 {
		return unpaced{}
	}
	return &rate{every: time.Duration(float64(time.Second) / perSecond)}
}

type unpaced struct{}

func (unpaced) Wait(ctx context.Context) error { return ctx.Err() }

type rate struct {
	every time.Duration
	mu    sync.Mutex
	next  time.Time
}

func (r *rate) Wait(ctx context.Context) error {
	r.mu.Lock()
	now := time.Now()
	at := r.next
	if at.Before(now) {
		at = now
	}
	r.next = at.Add(r.every)
	r.mu.Unlock()
	wait := time.Until(at)
	if wait <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
