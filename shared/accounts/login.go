package accounts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/preau/preau/shared/fault"
)

// SessionWriter opens and ends sessions; *store.Store satisfies it.
type SessionWriter interface {
	PutSession(ctx context.Context, s Session) error
	// DeleteSession ends a session (idempotent).
	DeleteSession(ctx context.Context, hash string) error
}

// LoginStore is the storage a login needs; *store.Store satisfies it.
type LoginStore interface {
	AccountReader
	AttemptTaker
	ProofSpender
	PasswordWriter
	SessionWriter
	// RecordLogin notes the account's last sign-in: the retention policy's measure of an
	// account in use (shared/retention).
	RecordLogin(ctx context.Context, email string, at time.Time) error
}

// Logins checks credentials and opens sessions (Account function, and the portal's home form).
type Logins struct {
	Config
	Store LoginStore
}

// LoginInput is a login form.
type LoginInput struct {
	Email      string
	Password   string
	ClientAddr string // the caller's IP address (only its keyed hash is stored)
	// Proof is needed only past the limits (ErrProofRequired): a solved challenge, or on
	// the page the answer to its question.
	Proof Proof
}

// LoginResult is a new session: the cookie's token and when it ends.
type LoginResult struct {
	Token     string
	ExpiresAt time.Time
}

// Login checks the credentials of a confirmed account and opens a session. Input is checked
// before any storage call. Then the attempt is taken from the account's and the address's
// limits (one conditional write each) before the password is looked at, so however many
// logins race, no more than the limit are ever evaluated per window. Past a limit the login is
// not refused for good: it asks for a proof of work (ErrProofRequired), so the owner who knows
// the password still gets in, and each further guess costs the guesser that work.
func (l *Logins) Login(ctx context.Context, in LoginInput) (LoginResult, error) {
	now := l.Clock.Now()
	email := NormaliseEmail(in.Email)
	var f fault.Fields
	if m := checkEmail(email); m != "" {
		f.Add("email", m)
	}
	if in.Password == "" {
		f.Add("password", "Saisissez votre mot de passe.")
	} else if len(in.Password) > maxPasswordLength {
		f.Add("password", "Le mot de passe est trop long (256 caractères au plus).")
	}
	if len(in.Proof.Challenge) > maxChallengeLength || len(in.Proof.Solution) > 20 || len(in.Proof.Answer) > 20 {
		f.Add("antiRobot", "La vérification anti-robot est invalide : rechargez la page et recommencez.")
	}
	if err := f.Err(); err != nil {
		return LoginResult{}, err
	}
	if err := l.takeAttempt(ctx, email, in, now); err != nil {
		return LoginResult{}, err
	}
	acc, err := l.Store.Account(ctx, email)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return LoginResult{}, fmt.Errorf("login: %w", err)
	}
	hash := acc.PasswordHash
	if errors.Is(err, ErrNotFound) {
		hash = dummyHash(l.hasher())
	}
	ok, rehash, verr := l.hasher().Verify(in.Password, hash)
	if verr != nil {
		return LoginResult{}, fmt.Errorf("login: %w", verr)
	}
	if !ok || errors.Is(err, ErrNotFound) {
		return LoginResult{}, ErrBadCredentials
	}
	if !acc.Confirmed() {
		return LoginResult{}, ErrNotConfirmed
	}
	if rehash {
		if h, err := l.hasher().Hash(in.Password); err == nil {
			// Conditioned on the stamp read: a reset landing meanwhile keeps its new password.
			if err := l.Store.SetPassword(ctx, email, acc.SessionStamp, PasswordWrite{Hash: h}); err != nil && !errors.Is(err, ErrStale) {
				slog.ErrorContext(ctx, "rehash", "err", err.Error())
			}
		}
	}
	if err := l.Store.RecordLogin(ctx, acc.Email, now); err != nil {
		// The sign-in stands; at worst the account looks idle a day longer.
		slog.ErrorContext(ctx, "record login", "err", err.Error())
	}
	return openSession(ctx, l.Store, acc, now)
}

// takeAttempt counts the login against the account's and the address's limits; past either,
// it lets the attempt through only with a valid proof.
func (l *Logins) takeAttempt(ctx context.Context, email string, in LoginInput, now time.Time) error {
	okAccount, retryAccount, err := loginPerAccount.take(ctx, l.Store, email, now)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	addr, err := l.addressKey(ctx, in.ClientAddr)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	okAddress, retryAddress, err := loginPerAddress.take(ctx, l.Store, addr, now)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	if okAccount && okAddress {
		return nil
	}
	if l.AntiRobot == nil {
		retryAt := retryAccount
		if retryAddress.After(retryAt) {
			retryAt = retryAddress
		}
		return Throttled(retryAt, now)
	}
	if in.Proof.Challenge == "" {
		return ErrProofRequired
	}
	reason, err := l.checkProof(ctx, l.Store, in.Proof, in.ClientAddr, now)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	if reason != "" {
		return ErrProofRequired.WithDetail(reason)
	}
	return nil
}

// Logout ends the session whose hash is sessionID (idempotent).
func (l *Logins) Logout(ctx context.Context, sessionID string) error {
	return logout(ctx, l.Store, sessionID)
}

func logout(ctx context.Context, st SessionWriter, sessionID string) error {
	if sessionID == "" {
		return nil
	}
	if err := st.DeleteSession(ctx, sessionID); err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}

func openSession(ctx context.Context, st SessionWriter, acc Account, now time.Time) (LoginResult, error) {
	secret, hash := NewSecret()
	sess := Session{Hash: hash, Email: acc.Email, Stamp: acc.SessionStamp, CreatedAt: now, ExpiresAt: now.Add(SessionLifetime)}
	if err := st.PutSession(ctx, sess); err != nil {
		return LoginResult{}, fmt.Errorf("open session: %w", err)
	}
	return LoginResult{Token: secret, ExpiresAt: sess.ExpiresAt}, nil
}

// reauthenticate checks the signed-in parent's password again before a sensitive change
// (password change, deletion). It counts against the same limit as a login on the account,
// taken before the password is looked at; past it the change is refused until the window ends.
func (c Config) reauthenticate(ctx context.Context, st AttemptTaker, acc Account, password, field string, now time.Time) error {
	if password == "" {
		return fieldErr(field, "Saisissez votre mot de passe actuel.")
	}
	if len(password) > maxPasswordLength {
		return fieldErr(field, "Le mot de passe actuel est incorrect.")
	}
	ok, retryAt, err := loginPerAccount.take(ctx, st, acc.Email, now)
	if err != nil {
		return fmt.Errorf("re-authenticate: %w", err)
	}
	if !ok {
		return Throttled(retryAt, now)
	}
	match, _, err := c.hasher().Verify(password, acc.PasswordHash)
	if err != nil {
		return fmt.Errorf("re-authenticate: %w", err)
	}
	if !match {
		return fieldErr(field, "Le mot de passe actuel est incorrect.")
	}
	return nil
}
