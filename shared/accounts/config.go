package accounts

import (
	"context"
	"sync"
	"time"

	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/secret"
)

// Config is what every account use case shares; main.go builds it once per cold start.
type Config struct {
	Clock      clock.Clock
	Link       func(pathAndQuery string) string // absolute link on the portal (config.Link)
	CodePrefix string
	AntiRobot  *AntiRobot  // nil: anti-robot check off (local automated runs only)
	Secret     *secret.Key // keys the client-address hashes of throttle counters
	Passwords  Hasher      // nil: every password is refused (functions that take none)
	// MailRequestFloor is the shortest time a reset or resend request takes, and a sign-up
	// once its password is hashed (see padTo).
	MailRequestFloor time.Duration
}

// DefaultMailRequestFloor is above an SES send's usual latency, so that the request that sends
// a link and the one that cannot (unknown address) last the same; it bounds the added wait.
const DefaultMailRequestFloor = 400 * time.Millisecond

// NewConfig returns the settings with the documented request floor. passwords is
// argon2id.Default() where passwords are taken, nil elsewhere.
func NewConfig(clk clock.Clock, link func(string) string, codePrefix string, antiRobot *AntiRobot, key *secret.Key,
	passwords Hasher) Config {
	return Config{Clock: clk, Link: link, CodePrefix: codePrefix, AntiRobot: antiRobot, Secret: key,
		Passwords: passwords, MailRequestFloor: DefaultMailRequestFloor}
}

// hasher returns c.Passwords, or one that refuses every password when there is none.
func (c Config) hasher() Hasher {
	if c.Passwords == nil {
		return noHasher{}
	}
	return c.Passwords
}

// AccountReader reads an account by its normalised e-mail (ErrNotFound when there is none).
type AccountReader interface {
	Account(ctx context.Context, email string) (Account, error)
}

// dummyHashes holds, per hasher (a comparable value, such as argon2id.Hasher), a hash verified
// when no account matches, so that a login costs the same either way. Made on first use: a
// cold start must not pay a hash.
var dummyHashes sync.Map

func dummyHash(h Hasher) string {
	if d, ok := dummyHashes.Load(h); ok {
		return d.(string)
	}
	d, _ := h.Hash("preau-dummy-password-1A")
	actual, _ := dummyHashes.LoadOrStore(h, d)
	return actual.(string)
}

// padTo waits until c.MailRequestFloor has passed since start. Requests for a link do the same
// storage calls whether or not the address has an account (see decoyToken), but only a real
// one calls SES: the floor hides that call's latency. A sign-up with an existing address makes
// a few more storage calls than a new one: the floor hides those too. It measures elapsed
// time, not business time, so it reads the monotonic clock rather than the injected one; the
// wait is bounded by the floor and ends with the request's context.
func (c Config) padTo(ctx context.Context, start time.Time) {
	wait := c.MailRequestFloor - time.Since(start)
	if wait <= 0 {
		return
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
