// Package clock gives the services the current instant. Rules never read the clock: a service
// (accounts, reservations, the session resolver) or the portal's handler holds a Clock, reads
// now once per operation and passes it to the rules (cutoff, deadlines, expiries) as an input,
// so tests can stand exactly on a deadline with a Fixed clock.
//
// Locally (and only locally) LOCAL_CLOCK=<RFC 3339> starts the clock at that instant; it then
// runs. LOCAL_CLOCK_BASE (RFC 3339, set once by the local stack) is the real instant at which
// LOCAL_CLOCK was true, so that every local function process agrees on the time.
package clock

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// System is the server's clock.
type System struct{}

// Now returns time.Now().
func (System) Now() time.Time { return time.Now() }

// Offset is a clock that runs at real speed from a chosen start.
type Offset struct{ D time.Duration }

// Now returns the real instant shifted by D.
func (o Offset) Now() time.Time { return time.Now().Add(o.D) }

// Fixed is a clock for tests: it stays where it is set.
type Fixed struct {
	mu sync.Mutex
	t  time.Time
}

// NewFixed returns a clock stopped at t.
func NewFixed(t time.Time) *Fixed { return &Fixed{t: t} }

// Now returns the set instant.
func (f *Fixed) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

// Set moves the clock to t.
func (f *Fixed) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = t
}

// Add moves the clock by d.
func (f *Fixed) Add(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
}

// InLambda reports whether the process runs in AWS Lambda proper (not in the local stack).
func InLambda() bool { return os.Getenv("LAMBDA_TASK_ROOT") != "" }

// ErrLocalOnly is returned when a local-only setting is found in Lambda.
var ErrLocalOnly = errors.New("LOCAL_CLOCK is a local-only setting and is refused in Lambda")

// FromEnv returns the system clock, or the local clock when LOCAL_CLOCK is set outside Lambda.
func FromEnv() (Clock, error) {
	v := os.Getenv("LOCAL_CLOCK")
	if v == "" {
		return System{}, nil
	}
	if InLambda() {
		return nil, ErrLocalOnly
	}
	start, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return nil, fmt.Errorf("LOCAL_CLOCK=%q: want RFC 3339 like 2026-12-03T09:59:00+01:00", v)
	}
	base := time.Now()
	if b := os.Getenv("LOCAL_CLOCK_BASE"); b != "" {
		if base, err = time.Parse(time.RFC3339Nano, b); err != nil {
			return nil, fmt.Errorf("LOCAL_CLOCK_BASE=%q: want RFC 3339", b)
		}
	}
	return Offset{D: start.Sub(base)}, nil
}
