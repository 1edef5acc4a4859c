package staff

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// SessionLifetime is how long a staff session lasts after login, shorter than a parent's.
const SessionLifetime = 4 * time.Hour

// pendingLifetime bounds the time between the password and the second factor.
const pendingLifetime = 10 * time.Minute

// Throttles of the login and of the second factor.
const (
	maxFailedLogins = 5
	loginWindow     = 15 * time.Minute
	maxFailedCodes  = 5
)

// Member is a staff account.
type Member struct {
	Email        string // normalised (lower case), the identifier
	Name         string // "Claire Lemaire", shown in the journal and the header
	PasswordHash string // argon2id PHC string (shared/accounts)
	Stamp        string // renewed on a password change: sessions made before it end
	CreatedAt    time.Time
	// TOTPSecret is the second-factor secret as stored: sealed by SecretBox ("v1:…"), or a
	// base32 secret in clear written before secrets were sealed; "" until enrolled.
	TOTPSecret string
	EnrolledAt time.Time
	// LastStep is the last TOTP time step accepted (a code is accepted once).
	LastStep int64
	// LastLoginAt is the member's last complete login (password and second factor).
	LastLoginAt time.Time
}

// Enrolled reports whether the member has a second factor.
func (m Member) Enrolled() bool { return m.TOTPSecret != "" }

// Session is a signed-in staff device, stored under the hash of its token.
type Session struct {
	Hash     string
	Email    string
	Stamp    string // the member's Stamp at login
	Verified bool   // false until the second factor is given
	// PendingSecret is the TOTP secret being enrolled, sealed by SecretBox (pending sessions of
	// a member without a second factor only).
	PendingSecret string
	CreatedAt     time.Time
	ExpiresAt     time.Time
}

// Viewer is the staff member behind a request's session.
type Viewer struct {
	Email     string
	Name      string
	Verified  bool   // the second factor was given: the back-office is open
	Enrolling bool   // pending and the member has no second factor yet: show the QR code
	SessionID string // hash of the session token
}

// Errors of storage that the rules read.
var (
	ErrNotFound = errors.New("staff: not found")
	ErrExists   = errors.New("staff: already exists")
	ErrStale    = errors.New("staff: state changed meanwhile")
)

// NormaliseEmail makes an e-mail comparable: trimmed, lower case.
func NormaliseEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// newSecret returns a fresh session token (32 random bytes, base64url) and its storage hash.
func newSecret() (secret, hash string) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	secret = base64.RawURLEncoding.EncodeToString(b[:])
	return secret, hashSecret(secret)
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// plausibleToken reports whether s has the shape newSecret makes, so junk never reaches storage.
func plausibleToken(s string) bool {
	if len(s) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// Members stores staff accounts.
type Members interface {
	// CreateMember stores a new member; ErrExists when the e-mail has one.
	CreateMember(ctx context.Context, m Member) error
	// Member reads a member; ErrNotFound when there is none.
	Member(ctx context.Context, email string) (Member, error)
	// Members lists every member (the back-office's list of staff).
	Members(ctx context.Context) ([]Member, error)
	// EnrolSecondFactor sets the member's TOTP secret if it has none and its stamp is still
	// stamp, and records step as used; ErrStale otherwise.
	EnrolSecondFactor(ctx context.Context, email, stamp, secret string, step int64, at time.Time) error
	// UseStep records step as the last TOTP step used if it is later than the one stored;
	// ErrStale otherwise (a replayed code). A non-empty reseal replaces the stored secret in the
	// same write (a secret stored in clear, sealed on its first use).
	UseStep(ctx context.Context, email string, step int64, reseal string) error
	// RecordStaffLogin records at as the member's last complete login.
	RecordStaffLogin(ctx context.Context, email string, at time.Time) error
}

// Sessions stores staff sessions (immutable once written).
type Sessions interface {
	PutStaffSession(ctx context.Context, s Session) error
	// StaffSession reads a session by its hash; ErrNotFound when absent. The caller checks
	// ExpiresAt (TTL deletion is lazy).
	StaffSession(ctx context.Context, hash string) (Session, error)
	DeleteStaffSession(ctx context.Context, hash string) error
}

// Attempts counts failures in fixed windows (the store's throttle counters).
type Attempts interface {
	Attempts(ctx context.Context, scope, key string, window time.Time) (int, error)
	AddAttempt(ctx context.Context, scope, key string, window, expires time.Time) (int, error)
}
