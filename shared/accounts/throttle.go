package accounts

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/fault"
)

// AttemptTaker counts attempts against a limit; *store.Store satisfies it.
type AttemptTaker interface {
	// TakeAttempt counts one attempt of scope/key in the fixed window starting at window,
	// provided fewer than max were counted there: one conditional write, so however many
	// requests race, at most max are ever counted. false (and nothing counted) once the limit
	// is reached. expires is when the counter may be forgotten.
	TakeAttempt(ctx context.Context, scope, key string, max int, window, expires time.Time) (bool, error)
}

// Limits (see the package doc): attempts, right or wrong, per fixed window.
const (
	ThrottleWindow     = 15 * time.Minute // the window of the login limits
	MaxAttemptsAccount = 5                // logins and re-authentications per account
	MaxAttemptsAddress = 20               // logins per client address
	// Per hour.
	MaxSignupsPerAddress      = 20
	MaxLinkRequestsPerAddress = 20 // resend and reset requests
	MaxAnswersPerAddress      = 10 // answers to the no-JavaScript question
	MaxCodesPerAccount        = 5
	MaxCodesPerAddress        = 20
)

// throttleKeptAfterEnd keeps a counter a while after its window, then DynamoDB's TTL drops it.
const throttleKeptAfterEnd = time.Hour

// limit is at most max attempts of one kind per key in each fixed window.
type limit struct {
	scope  string
	max    int
	window time.Duration
}

// The limits of the account use cases (the package doc says why each exists).
var (
	loginPerAccount = limit{"login-account", MaxAttemptsAccount, ThrottleWindow}
	loginPerAddress = limit{"login-address", MaxAttemptsAddress, ThrottleWindow}
	// mailsPerRecipient bounds the e-mails an anonymous caller can have sent to one address.
	mailsPerRecipient = limit{"mail", 5, time.Hour}
	signupsPerAddress = limit{"signup-address", MaxSignupsPerAddress, time.Hour}
	// linkRequestsPerAddress covers "resend my confirmation" and "forgot my password".
	linkRequestsPerAddress = limit{"link-request-address", MaxLinkRequestsPerAddress, time.Hour}
	// answersPerAddress bounds the answers to the no-JavaScript question: its answer is a
	// small number, cheap to guess without the proof of work.
	answersPerAddress = limit{"question-address", MaxAnswersPerAddress, time.Hour}
	codesPerAccount   = limit{"code-account", MaxCodesPerAccount, time.Hour}
	codesPerAddress   = limit{"code-address", MaxCodesPerAddress, time.Hour}
)

// take counts one attempt for key at now. ok is false when the limit was already reached;
// retryAt is when the window ends.
func (l limit) take(ctx context.Context, st AttemptTaker, key string, now time.Time) (ok bool, retryAt time.Time, err error) {
	start := now.Truncate(l.window)
	retryAt = start.Add(l.window)
	ok, err = st.TakeAttempt(ctx, l.scope, key, l.max, start, retryAt.Add(throttleKeptAfterEnd))
	if err != nil {
		return false, retryAt, fmt.Errorf("%s limit: %w", l.scope, err)
	}
	return ok, retryAt, nil
}

// enforce is take with the refusal made of detail (a French sentence before "réessayez…")
// when the limit is reached.
func (l limit) enforce(ctx context.Context, st AttemptTaker, key string, now time.Time, detail string) error {
	ok, retryAt, err := l.take(ctx, st, key, now)
	if err != nil {
		return err
	}
	if !ok {
		return tooMany(detail, retryAt, now)
	}
	return nil
}

// addressKey is the keyed hash under which a client address is counted: the address itself
// is never stored. It fails (secret.ErrUnavailable) only while the key cannot be had.
func (c Config) addressKey(ctx context.Context, addr string) (string, error) {
	key, err := c.Secret.Bytes(ctx)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("preau-address:" + addr))
	return hex.EncodeToString(m.Sum(nil))[:32], nil
}

// Throttled returns the refusal of a login or re-authentication tried too often, saying when
// to retry.
func Throttled(retryAt, now time.Time) *fault.Error {
	return tooMany("Trop de tentatives de connexion infructueuses.", retryAt, now)
}

func tooMany(detail string, retryAt, now time.Time) *fault.Error {
	t := retryAt.In(date.Paris)
	detail = fmt.Sprintf("%s Par sécurité, réessayez à partir de %d h %02d.", detail, t.Hour(), t.Minute())
	secs := int(retryAt.Sub(now).Seconds()) + 1
	return errThrottled.WithDetail(detail).With("retryAt", retryAt.In(date.Paris).Format(time.RFC3339)).With("retryAfterSeconds", secs)
}
