package accounts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/preau/preau/shared/clock"
)

// Session is a signed-in device, stored under the hash of its cookie's token.
type Session struct {
	Hash      string
	Email     string
	Stamp     string // the account's SessionStamp when the session began
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SessionReader is what resolving a session needs; *store.Store satisfies it.
type SessionReader interface {
	Session(ctx context.Context, hash string) (Session, error)
	Account(ctx context.Context, email string) (Account, error)
}

// Viewer is the signed-in parent making a request, as a live session shows them. shared/web
// calls it web.Viewer (an alias), so this package needs nothing of HTTP.
type Viewer struct {
	Email     string // the account's identifier (normalised e-mail)
	Civility  string // "M" or "Mme"
	FirstName string
	LastName  string
	FamilyID  string // "" until the account is linked with a subscriber code
	SessionID string // hash of the session token, to end this session
}

// SessionResolver finds the viewer of a live session; it satisfies web.SessionResolver.
type SessionResolver struct {
	repo SessionReader
	clk  clock.Clock
}

// NewSessionResolver returns the resolver every function gives web.Authenticate:
// accounts.NewSessionResolver(st, cfg.Clock).
func NewSessionResolver(repo SessionReader, clk clock.Clock) *SessionResolver {
	return &SessionResolver{repo: repo, clk: clk}
}

// ResolveSession returns the viewer of a live session, or (nil, nil) when the token is
// malformed, unknown, expired, ended by a password change, or its account is gone.
func (r *SessionResolver) ResolveSession(ctx context.Context, token string) (*Viewer, error) {
	if !plausibleSecret(token) {
		return nil, nil
	}
	hash := HashSecret(token)
	s, err := r.repo.Session(ctx, hash)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("resolve session: %w", err)
	}
	if !r.clk.Now().Before(s.ExpiresAt) {
		return nil, nil
	}
	a, err := r.repo.Account(ctx, s.Email)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("resolve session: %w", err)
	}
	if (a.SessionStamp != s.Stamp && !slices.Contains(a.KeptStamps, s.Stamp)) || !a.Confirmed() {
		return nil, nil
	}
	return &Viewer{Email: a.Email, Civility: a.Civility, FirstName: a.FirstName, LastName: a.LastName,
		FamilyID: a.FamilyID, SessionID: hash}, nil
}

func newStamp() string {
	s, _ := NewSecret()
	return s[:22]
}
