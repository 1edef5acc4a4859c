package staff

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/fault"
)

// Refusals a staff member may see.
var (
	ErrBadCredentials = fault.New(fault.Unauthenticated, "staff-bad-credentials", "Identifiants incorrects",
		"L'adresse e-mail ou le mot de passe est incorrect.")
	ErrThrottled = fault.New(fault.TooManyRequests, "staff-throttled", "Trop de tentatives",
		"Trop de tentatives de connexion : réessayez dans 15 minutes.")
	ErrBadCode = fault.New(fault.Unauthenticated, "staff-bad-code", "Code incorrect",
		"Le code à 6 chiffres est incorrect ou a déjà servi : saisissez le code affiché maintenant par votre application.")
	ErrSessionEnded = fault.New(fault.Unauthenticated, "staff-session-ended", "Connexion à refaire",
		"Votre connexion a expiré ou a été interrompue : saisissez à nouveau votre mot de passe.")
)

// Service holds the staff use cases: create a member, log in, give the second factor,
// resolve and end sessions.
type Service struct {
	Members  Members
	Sessions Sessions
	Attempts Attempts
	Issuer   string // shown by authenticator apps: "Préau Laigneville"
	// Passwords hashes and checks passwords: argon2id.Default(), as for parents.
	Passwords accounts.Hasher
	// TOTP draws and checks second-factor secrets: totp.Authenticator{} (required to log in).
	TOTP TOTP
	// Box seals the TOTP secrets at rest (required to log in; creating a member needs none).
	Box *SecretBox
	// Journal records the logins: each complete login, each wrong password of a member, each
	// wrong code, each blocked login (nil: not recorded, as for the staffadmin command).
	Journal Journal
}

// TOTP draws and checks the secrets of the second factor (package staff/totp). It is given by
// the Gestion function's main.go, so that no other function links an authenticator library.
type TOTP interface {
	// NewSecret draws a secret for email's authenticator app.
	NewSecret(issuer, email string) (string, error)
	// Match returns the time step (of now's and the one either side) whose code is code, or 0.
	Match(secret, code string, now time.Time) int64
}

// Wiring mistakes: logins need the key that seals second factors, the TOTP that checks them and
// the hasher that checks passwords.
var (
	errNoBox       = errors.New("staff: no SecretBox to seal TOTP secrets")
	errNoTOTP      = errors.New("staff: no TOTP to check second factors")
	errNoPasswords = errors.New("staff: no password hasher")
)

// wired returns the first wiring mistake of a Service that logs members in, or nil.
func (s *Service) wired() error {
	switch {
	case s.Box == nil:
		return errNoBox
	case s.TOTP == nil:
		return errNoTOTP
	case s.Passwords == nil:
		return errNoPasswords
	}
	return nil
}

// record writes a login event to the journal, when there is one.
func (s *Service) record(ctx context.Context, who string, now time.Time, action, target, before, after string) error {
	if s.Journal == nil {
		return nil
	}
	return Recorder{Journal: s.Journal}.Record(ctx, who, now, action, target, before, after)
}

// Directory lists every staff member (the back-office's staff page), by e-mail.
func (s *Service) Directory(ctx context.Context) ([]Member, error) {
	return s.Members.Members(ctx)
}

// NewMember validates and creates a staff account (the staffadmin command).
func (s *Service) NewMember(ctx context.Context, email, name, password string, now time.Time) (Member, error) {
	var f fault.Fields
	email = NormaliseEmail(email)
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
		f.Add("email", "Saisissez une adresse e-mail valide.")
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		f.Add("name", "Saisissez un nom (100 caractères au plus).")
	}
	if why := accounts.CheckPassword(password); why != "" {
		f.Add("password", why)
	}
	if err := f.Err(); err != nil {
		return Member{}, err
	}
	if s.Passwords == nil {
		return Member{}, errNoPasswords
	}
	hash, err := s.Passwords.Hash(password)
	if err != nil {
		return Member{}, fmt.Errorf("new member: %w", err)
	}
	stamp, _ := newSecret()
	m := Member{Email: email, Name: name, PasswordHash: hash, Stamp: stamp[:22], CreatedAt: now}
	if err := s.Members.CreateMember(ctx, m); err != nil {
		return Member{}, fmt.Errorf("new member: %w", err)
	}
	return m, nil
}

// Login checks the password and opens a pending session (second factor still to give). It
// returns the session's token.
func (s *Service) Login(ctx context.Context, email, password string, now time.Time) (string, error) {
	if err := s.wired(); err != nil {
		return "", err
	}
	email = NormaliseEmail(email)
	if email == "" || len(email) > 254 || password == "" || len(password) > 256 {
		return "", ErrBadCredentials
	}
	window := now.Truncate(loginWindow)
	key := hashSecret(email)
	if n, err := s.Attempts.Attempts(ctx, "staff-login", key, window); err != nil {
		return "", fmt.Errorf("login: %w", err)
	} else if n >= maxFailedLogins {
		// Journaled for a member only: anyone may type addresses, and the journal is not theirs to fill.
		if _, err := s.Members.Member(ctx, email); err == nil {
			if err := s.record(ctx, email, now, "Connexion bloquée", "gestion", "", "trop de mots de passe faux : 15 minutes d'attente"); err != nil {
				return "", fmt.Errorf("login: %w", err)
			}
		}
		return "", ErrThrottled
	}
	m, err := s.Members.Member(ctx, email)
	ok := false
	switch {
	case errors.Is(err, ErrNotFound):
		// Hash anyway, so an unknown address costs what a known one does.
		_, _ = s.Passwords.Hash(password)
	case err != nil:
		return "", fmt.Errorf("login: %w", err)
	default:
		ok, _, err = s.Passwords.Verify(password, m.PasswordHash)
		if err != nil {
			return "", fmt.Errorf("login: %w", err)
		}
	}
	if !ok {
		n, err := s.Attempts.AddAttempt(ctx, "staff-login", key, window, window.Add(2*loginWindow))
		if err != nil {
			return "", fmt.Errorf("login: %w", err)
		}
		if m.Email != "" { // a member's password was wrong (never the password itself in the journal)
			if err := s.record(ctx, m.Email, now, "Connexion refusée", "gestion", "",
				fmt.Sprintf("mot de passe incorrect (%d sur %d)", n, maxFailedLogins)); err != nil {
				return "", fmt.Errorf("login: %w", err)
			}
		}
		return "", ErrBadCredentials
	}
	sess := Session{Email: m.Email, Stamp: m.Stamp, CreatedAt: now, ExpiresAt: now.Add(pendingLifetime)}
	if !m.Enrolled() {
		issuer := s.Issuer
		if issuer == "" {
			issuer = "Préau"
		}
		secret, err := s.TOTP.NewSecret(issuer, m.Email)
		if err != nil {
			return "", fmt.Errorf("login: %w", err)
		}
		if sess.PendingSecret, err = s.Box.Seal(ctx, m.Email, secret); err != nil {
			return "", fmt.Errorf("login: %w", err)
		}
	}
	token, hash := newSecret()
	sess.Hash = hash
	if err := s.Sessions.PutStaffSession(ctx, sess); err != nil {
		return "", fmt.Errorf("login: %w", err)
	}
	return token, nil
}

// live returns the session of token and its member, or ErrSessionEnded.
func (s *Service) live(ctx context.Context, token string, now time.Time) (Session, Member, error) {
	if !plausibleToken(token) {
		return Session{}, Member{}, ErrSessionEnded
	}
	sess, err := s.Sessions.StaffSession(ctx, hashSecret(token))
	if errors.Is(err, ErrNotFound) {
		return Session{}, Member{}, ErrSessionEnded
	}
	if err != nil {
		return Session{}, Member{}, fmt.Errorf("staff session: %w", err)
	}
	if !now.Before(sess.ExpiresAt) {
		return Session{}, Member{}, ErrSessionEnded
	}
	m, err := s.Members.Member(ctx, sess.Email)
	if errors.Is(err, ErrNotFound) {
		return Session{}, Member{}, ErrSessionEnded
	}
	if err != nil {
		return Session{}, Member{}, fmt.Errorf("staff session: %w", err)
	}
	if m.Stamp != sess.Stamp {
		return Session{}, Member{}, ErrSessionEnded
	}
	return sess, m, nil
}

// Resolve returns the viewer of a live session, or (nil, nil) when there is none.
func (s *Service) Resolve(ctx context.Context, token string, now time.Time) (*Viewer, error) {
	sess, m, err := s.live(ctx, token, now)
	if errors.Is(err, ErrSessionEnded) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &Viewer{Email: m.Email, Name: m.Name, Verified: sess.Verified, Enrolling: !sess.Verified && sess.PendingSecret != "",
		SessionID: sess.Hash}, nil
}

// PendingSecret returns the TOTP secret a pending session is enrolling ("" when the member
// has one already), to draw its QR code.
func (s *Service) PendingSecret(ctx context.Context, token string, now time.Time) (string, error) {
	if s.Box == nil {
		return "", errNoBox
	}
	sess, _, err := s.live(ctx, token, now)
	if err != nil {
		return "", err
	}
	if sess.Verified || sess.PendingSecret == "" {
		return "", nil
	}
	secret, _, err := s.Box.Open(ctx, sess.Email, sess.PendingSecret)
	return secret, err
}

// SecondFactor checks the code of a pending session (enrolling the secret at the first
// login) and replaces the session with a verified one, whose token it returns. After
// maxFailedCodes wrong codes the pending session is ended.
func (s *Service) SecondFactor(ctx context.Context, token, code string, now time.Time) (string, error) {
	if err := s.wired(); err != nil {
		return "", err
	}
	sess, m, err := s.live(ctx, token, now)
	if err != nil {
		return "", err
	}
	if sess.Verified {
		return token, nil
	}
	code = strings.Join(strings.Fields(code), "")
	stored, reseal := m.TOTPSecret, ""
	if !m.Enrolled() {
		stored = sess.PendingSecret
	}
	secret, clear, err := s.Box.Open(ctx, m.Email, stored)
	if err != nil {
		return "", fmt.Errorf("second factor: %w", err)
	}
	if clear && m.Enrolled() {
		// a secret stored in clear is sealed by its next use
		if reseal, err = s.Box.Seal(ctx, m.Email, secret); err != nil {
			return "", fmt.Errorf("second factor: %w", err)
		}
	}
	step := int64(0)
	if secret != "" {
		step = s.TOTP.Match(secret, code, now)
	}
	if step != 0 {
		if m.Enrolled() {
			err = s.Members.UseStep(ctx, m.Email, step, reseal)
		} else {
			var sealed string
			if sealed, err = s.Box.Seal(ctx, m.Email, secret); err == nil {
				err = s.Members.EnrolSecondFactor(ctx, m.Email, m.Stamp, sealed, step, now)
			}
		}
		if errors.Is(err, ErrStale) {
			step = 0
		} else if err != nil {
			return "", fmt.Errorf("second factor: %w", err)
		}
	}
	if step == 0 {
		window := sess.CreatedAt.Truncate(time.Second)
		n, err := s.Attempts.AddAttempt(ctx, "staff-code", sess.Hash, window, sess.ExpiresAt)
		if err != nil {
			return "", fmt.Errorf("second factor: %w", err)
		}
		if n >= maxFailedCodes {
			if err := s.Sessions.DeleteStaffSession(ctx, sess.Hash); err != nil {
				return "", fmt.Errorf("second factor: %w", err)
			}
			if err := s.record(ctx, m.Email, now, "Connexion interrompue", "gestion", "",
				fmt.Sprintf("%d codes de second facteur faux : mot de passe à ressaisir", n)); err != nil {
				return "", fmt.Errorf("second factor: %w", err)
			}
			return "", ErrSessionEnded
		}
		if err := s.record(ctx, m.Email, now, "Code de second facteur refusé", "gestion", "",
			fmt.Sprintf("code incorrect ou déjà utilisé (%d sur %d)", n, maxFailedCodes)); err != nil {
			return "", fmt.Errorf("second factor: %w", err)
		}
		return "", ErrBadCode
	}
	newToken, hash := newSecret()
	full := Session{Hash: hash, Email: m.Email, Stamp: m.Stamp, Verified: true, CreatedAt: now, ExpiresAt: now.Add(SessionLifetime)}
	if err := s.Sessions.PutStaffSession(ctx, full); err != nil {
		return "", fmt.Errorf("second factor: %w", err)
	}
	if err := s.Sessions.DeleteStaffSession(ctx, sess.Hash); err != nil {
		return "", fmt.Errorf("second factor: %w", err)
	}
	if err := s.Members.RecordStaffLogin(ctx, m.Email, now); err != nil {
		return "", fmt.Errorf("second factor: %w", err)
	}
	after := "mot de passe et second facteur vérifiés"
	if !m.Enrolled() {
		after = "mot de passe vérifié, second facteur enrôlé"
	}
	before := "jamais connecté"
	if !m.LastLoginAt.IsZero() {
		before = "dernière connexion " + m.LastLoginAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	if err := s.record(ctx, m.Email, now, "Connexion", "gestion", before, after); err != nil {
		return "", fmt.Errorf("second factor: %w", err)
	}
	return newToken, nil
}

// Logout ends the session of token (idempotent).
func (s *Service) Logout(ctx context.Context, token string) error {
	if !plausibleToken(token) {
		return nil
	}
	if err := s.Sessions.DeleteStaffSession(ctx, hashSecret(token)); err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}
