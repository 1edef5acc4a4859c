package accounts

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/fault"
)

// Repo is the storage the account rules need; *store.Store satisfies it. Lookups of absent
// items return ErrNotFound; CreateAccount returns ErrExists when the e-mail has an account;
// UseToken and SpendProof return ErrSpent the second time.
type Repo interface {
	SessionReader
	CreateAccount(ctx context.Context, a Account) error
	// ReplaceUnconfirmed overwrites the sign-up choices of an unconfirmed account (civility,
	// names, password hash, pending code, session stamp); ErrExists once it is confirmed.
	ReplaceUnconfirmed(ctx context.Context, a Account) error
	UpdateProfile(ctx context.Context, email, civility, lastName, firstName string) error
	// SetPassword stores a new hash and, when stamp is not "", a new session stamp and
	// changedAt as the account's PasswordChangedAt, provided the account's session stamp is
	// still oldStamp: ErrStale otherwise (or when the account is gone).
	SetPassword(ctx context.Context, email, oldStamp, hash, stamp string, changedAt time.Time) error
	// ConfirmAccount confirms the account provided its session stamp is stamp and it is not
	// confirmed yet, and returns the account as written; ErrStale otherwise (or when gone).
	ConfirmAccount(ctx context.Context, email, stamp string, at time.Time) (Account, error)
	// LinkFamily sets the account's family (ErrNotFound when the account is gone).
	LinkFamily(ctx context.Context, email, familyID string) error
	DeleteAccount(ctx context.Context, email string) error

	PutToken(ctx context.Context, t Token) error
	Token(ctx context.Context, hash string) (Token, error)
	UseToken(ctx context.Context, hash string, at time.Time) error

	PutSession(ctx context.Context, s Session) error
	DeleteSession(ctx context.Context, hash string) error

	// Attempts counts the events of scope/key in the window starting at window.
	Attempts(ctx context.Context, scope, key string, window time.Time) (int, error)
	// AddAttempt counts one more and returns the new count.
	AddAttempt(ctx context.Context, scope, key string, window, expires time.Time) (int, error)
	SpendProof(ctx context.Context, nonce string, expires time.Time) error

	IssuedCode(ctx context.Context, code string) (family.SubscriberCode, error)
	// FamilyOfMember reads the family and its children when email is its member (ErrNotFound
	// otherwise: a parent the town hall removed from the family sees it no more).
	FamilyOfMember(ctx context.Context, familyID, email string) (family.Family, []family.Child, error)
	AddMember(ctx context.Context, familyID, email string, at time.Time) error
	RemoveMember(ctx context.Context, familyID, email string) error
}

// Notifier sends the account e-mails; shared/mail's AccountMail satisfies it. to is the
// address, name how to greet, links absolute.
type Notifier interface {
	SendConfirmation(ctx context.Context, to, name, link string, validFor time.Duration) error
	SendAlreadyRegistered(ctx context.Context, to, name, loginLink, resetLink string) error
	SendPasswordReset(ctx context.Context, to, name, link string, validFor time.Duration) error
	SendPasswordChanged(ctx context.Context, to, name, resetLink string) error
}

// Throttling limits (see the package doc).
const (
	ThrottleWindow       = 15 * time.Minute
	MaxFailuresAccount   = 5
	MaxFailuresAddress   = 20
	mailWindow           = time.Hour
	maxMailsPerHour      = 5
	scopeLoginAccount    = "login-account"
	scopeLoginAddress    = "login-address"
	scopeMail            = "mail"
	throttleKeptAfterEnd = time.Hour
)

// DefaultMailRequestFloor is above an SES send's usual latency, so that the request that sends
// a link and the one that cannot (unknown address) last the same; it bounds the added wait.
const DefaultMailRequestFloor = 400 * time.Millisecond

// Service carries out the account use cases for the Signup and Account functions.
type Service struct {
	Repo       Repo
	Mail       Notifier
	Clock      clock.Clock
	Link       func(pathAndQuery string) string // absolute link on the portal (config.Link)
	CodePrefix string
	AntiRobot  *AntiRobot // nil: anti-robot check off (local automated runs only)
	Secret     []byte     // keys the client-address hashes of throttle counters
	Hash       HashParams
	// MailRequestFloor is the shortest time a reset or resend request takes, and a sign-up
	// once its password is hashed (see padTo).
	MailRequestFloor time.Duration
	// dummyHash is verified when no account matches, so a login costs the same either way. It is
	// made on first use, not at start: a cold start of Signup or Account must not pay a hash.
	dummyOnce sync.Once
	dummyHash string
}

// NewService returns a Service with the documented hash parameters.
func NewService(repo Repo, mail Notifier, clk clock.Clock, link func(string) string, codePrefix string, antiRobot *AntiRobot, secret []byte) *Service {
	s := &Service{Repo: repo, Mail: mail, Clock: clk, Link: link, CodePrefix: codePrefix, AntiRobot: antiRobot,
		Secret: secret, Hash: DefaultHashParams, MailRequestFloor: DefaultMailRequestFloor}
	return s
}

// dummy returns a hash with the service's parameters, verified in place of a missing account's.
func (s *Service) dummy() string {
	s.dummyOnce.Do(func() { s.dummyHash, _ = HashPassword("preau-dummy-password-1A", s.Hash) })
	return s.dummyHash
}

func (s *Service) confirmLink(secret string) string {
	return s.Link("/confirm?token=" + url.QueryEscape(secret))
}
func (s *Service) resetLink(secret string) string {
	return s.Link("/reinitialiser?token=" + url.QueryEscape(secret))
}

// Challenge issues an anti-robot challenge (zero when the check is off).
func (s *Service) Challenge() Challenge {
	if s.AntiRobot == nil {
		return Challenge{}
	}
	return s.AntiRobot.Issue(s.Clock.Now())
}

// Signup creates an account and sends the confirmation e-mail. For valid input it answers nil
// whether or not the e-mail already had an account (the owner then gets an e-mail saying so).
// Both paths hash the password and send at most one e-mail, but an existing account costs a
// few more storage calls (and a throttled address no e-mail): from the hash on, the request
// lasts at least MailRequestFloor, so its duration does not tell the paths apart. Invalid input
// is refused with field errors, before anything is stored or sent.
func (s *Service) Signup(ctx context.Context, in SignupInput) error {
	now := s.Clock.Now()
	in, f := ValidateSignup(in, s.CodePrefix)
	if s.AntiRobot != nil {
		// The proof is spent before its answer is looked at: one challenge, one attempt.
		nonce, proofExpires, reason := s.AntiRobot.Verify(Proof{Challenge: in.AntiRobotChallenge, Solution: in.AntiRobotSolution, Answer: in.AntiRobotAnswer}, now)
		if nonce != "" {
			if err := s.Repo.SpendProof(ctx, nonce, proofExpires); errors.Is(err, ErrSpent) {
				reason = "Cette vérification anti-robot a déjà servi : rechargez la page et recommencez."
			} else if err != nil {
				return fmt.Errorf("signup: %w", err)
			}
		}
		if reason != "" {
			f.Add("antiRobot", reason)
		}
	}
	var pendingCode string
	// The code is looked up only for a caller who passed the anti-robot check: otherwise the
	// form would tell anyone, as fast as they can post, which codes exist.
	if in.SubscriberCode != "" && !f.Has("subscriberCode") && !f.Has("antiRobot") {
		_, msg, err := s.checkCode(ctx, in.SubscriberCode)
		if err != nil {
			return err
		}
		if msg != "" {
			f.Add("subscriberCode", msg)
		}
		pendingCode = in.SubscriberCode
	}
	if err := f.Err(); err != nil {
		return err
	}

	hash, err := HashPassword(in.Password, s.Hash)
	if err != nil {
		return fmt.Errorf("signup: %w", err)
	}
	// The hash costs the same on every path; what follows does not (see padTo).
	defer s.padTo(ctx, time.Now())
	acc := Account{Email: in.Email, Civility: in.Civility, LastName: in.LastName, FirstName: in.FirstName,
		PasswordHash: hash, CreatedAt: now, PendingCode: pendingCode, SessionStamp: newStamp()}
	err = s.Repo.CreateAccount(ctx, acc)
	if errors.Is(err, ErrExists) {
		return s.signupExisting(ctx, acc, now)
	}
	if err != nil {
		return fmt.Errorf("signup: %w", err)
	}
	slog.InfoContext(ctx, "account created")
	return s.sendConfirmation(ctx, acc, now)
}

// signupExisting handles a sign-up with the address of an existing account. An unconfirmed
// account takes the new sign-up's choices (names, password, code) and a new stamp, and its
// owner gets a fresh confirmation link: whoever signed up first without owning the address
// (to sit on it, then use the owner's confirmation) is overwritten, and the links sent for
// them stop working. A confirmed account is not touched: its owner gets an "already
// registered" notice.
func (s *Service) signupExisting(ctx context.Context, acc Account, now time.Time) error {
	existing, err := s.Repo.Account(ctx, acc.Email)
	if err != nil {
		return fmt.Errorf("signup existing: %w", err)
	}
	if !s.mailAllowed(ctx, acc.Email, now) {
		return nil
	}
	if !existing.Confirmed() {
		err := s.Repo.ReplaceUnconfirmed(ctx, acc)
		if err == nil {
			slog.InfoContext(ctx, "unconfirmed account replaced by a new sign-up")
			return s.sendConfirmation(ctx, acc, now)
		}
		if !errors.Is(err, ErrExists) {
			return fmt.Errorf("signup existing: %w", err)
		}
		// Confirmed meanwhile: the owner is told as below.
	}
	if err := s.Mail.SendAlreadyRegistered(ctx, existing.Email, existing.DisplayName(), s.Link("/"), s.Link("/mot-de-passe-oublie")); err != nil {
		return fmt.Errorf("already-registered e-mail: %w", err)
	}
	return nil
}

func (s *Service) sendConfirmation(ctx context.Context, a Account, now time.Time) error {
	secret, tok := newToken(PurposeConfirm, a.Email, a.SessionStamp, now, ConfirmLinkLifetime)
	if err := s.Repo.PutToken(ctx, tok); err != nil {
		return fmt.Errorf("confirmation token: %w", err)
	}
	if err := s.Mail.SendConfirmation(ctx, a.Email, a.DisplayName(), s.confirmLink(secret), ConfirmLinkLifetime); err != nil {
		return fmt.Errorf("confirmation e-mail: %w", err)
	}
	return nil
}

// mailAllowed limits e-mails an anonymous caller can have sent to one address (resend, reset,
// repeated sign-ups) to maxMailsPerHour, so the portal cannot be used to flood someone.
func (s *Service) mailAllowed(ctx context.Context, email string, now time.Time) bool {
	window := now.Truncate(mailWindow)
	n, err := s.Repo.AddAttempt(ctx, scopeMail, email, window, window.Add(mailWindow+throttleKeptAfterEnd))
	if err != nil {
		slog.ErrorContext(ctx, "mail throttle", "err", err.Error())
		return true
	}
	return n <= maxMailsPerHour
}

// checkCode looks up a normalised code of valid shape: the family it links to, or the French
// reason it is refused.
func (s *Service) checkCode(ctx context.Context, code string) (familyID, reason string, err error) {
	c, err := s.Repo.IssuedCode(ctx, code)
	if errors.Is(err, ErrNotFound) {
		return "", "Ce code abonné est inconnu. Vérifiez-le sur le courrier de la mairie ou contactez le service enfance.", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("code: %w", err)
	}
	if c.Revoked {
		return "", "Ce code abonné n'est plus valable. Contactez le service enfance de la mairie pour en obtenir un nouveau.", nil
	}
	return c.FamilyID, "", nil
}

// ConfirmResult tells what following a confirmation link did.
type ConfirmResult struct {
	// FamilyLinked is true when the code given at sign-up linked the account to its family.
	FamilyLinked bool
	// CodeRefused is the French reason the code given at sign-up was not linked (revoked or
	// withdrawn since), "" otherwise. The account is confirmed all the same.
	CodeRefused string
}

// Confirm follows a confirmation link: it confirms the account and links the family of the
// code given at sign-up, checked again now: a code revoked since sign-up links nothing, and
// the result says why. Refusals: ErrLinkUnknown, ErrLinkExpired, ErrAlreadyConfirmed.
func (s *Service) Confirm(ctx context.Context, secret string) (ConfirmResult, error) {
	now := s.Clock.Now()
	tok, err := s.liveToken(ctx, secret, PurposeConfirm, now)
	if errors.Is(err, ErrLinkUsed) {
		return ConfirmResult{}, ErrAlreadyConfirmed
	}
	if err != nil {
		return ConfirmResult{}, err
	}
	acc, err := s.Repo.Account(ctx, tok.Email)
	if errors.Is(err, ErrNotFound) {
		return ConfirmResult{}, ErrLinkUnknown
	}
	if err != nil {
		return ConfirmResult{}, fmt.Errorf("confirm: %w", err)
	}
	if err := s.Repo.UseToken(ctx, tok.Hash, now); errors.Is(err, ErrSpent) {
		return ConfirmResult{}, ErrAlreadyConfirmed
	} else if err != nil {
		return ConfirmResult{}, fmt.Errorf("confirm: %w", err)
	}
	if acc.Confirmed() {
		return ConfirmResult{}, ErrAlreadyConfirmed
	}
	if tok.Stamp != acc.SessionStamp {
		// A later sign-up with this address replaced the account this link was sent for.
		return ConfirmResult{}, ErrLinkExpired
	}
	// The write itself requires the link's stamp: a sign-up replacing the account since the
	// read above must not be confirmed by this link, and the family linked is the one of the
	// code stored with that stamp, hence the account as written, not as read.
	acc, err = s.Repo.ConfirmAccount(ctx, acc.Email, tok.Stamp, now)
	if errors.Is(err, ErrStale) {
		return ConfirmResult{}, s.confirmRefusal(ctx, tok.Email)
	}
	if err != nil {
		return ConfirmResult{}, fmt.Errorf("confirm: %w", err)
	}
	var res ConfirmResult
	if acc.PendingCode != "" && acc.FamilyID == "" {
		famID, reason, err := s.checkCode(ctx, acc.PendingCode)
		if err != nil {
			return ConfirmResult{}, fmt.Errorf("confirm: %w", err)
		}
		if reason != "" {
			res.CodeRefused = codeRefusedAtConfirmation
			slog.InfoContext(ctx, "pending code refused at confirmation")
		} else {
			if err := s.link(ctx, acc, famID, now); err != nil {
				return ConfirmResult{}, fmt.Errorf("confirm: %w", err)
			}
			res.FamilyLinked = true
		}
	}
	slog.InfoContext(ctx, "account confirmed")
	return res, nil
}

// confirmRefusal tells why a confirmation conditioned on a link's stamp did not land, from the
// account as it is now: confirmed already (the parent may simply log in), gone, or replaced by
// a later sign-up (the link has expired; the page offers a new one).
func (s *Service) confirmRefusal(ctx context.Context, email string) error {
	acc, err := s.Repo.Account(ctx, email)
	switch {
	case errors.Is(err, ErrNotFound):
		return ErrLinkUnknown
	case err != nil:
		return fmt.Errorf("confirm: %w", err)
	case acc.Confirmed():
		return ErrAlreadyConfirmed
	}
	return ErrLinkExpired
}

// codeRefusedAtConfirmation tells a parent whose sign-up code was revoked (or withdrawn)
// before they confirmed.
const codeRefusedAtConfirmation = "Votre compte n'a pas été rattaché à votre famille : le code abonné indiqué à l'inscription n'est plus valable. " +
	"Contactez le service enfance de la mairie pour en obtenir un nouveau, puis saisissez-le dans Mon espace citoyen."

// CheckConfirmLink tells, without using it, whether a confirmation link would confirm an
// account (for the page that asks the parent to press "Confirmer mon compte": mail scanners
// open links, and must not confirm on the parent's behalf). Refusals are Confirm's.
func (s *Service) CheckConfirmLink(ctx context.Context, secret string) error {
	tok, err := s.liveToken(ctx, secret, PurposeConfirm, s.Clock.Now())
	if errors.Is(err, ErrLinkUsed) {
		return ErrAlreadyConfirmed
	}
	if err != nil {
		return err
	}
	acc, err := s.Repo.Account(ctx, tok.Email)
	if errors.Is(err, ErrNotFound) {
		return ErrLinkUnknown
	}
	if err != nil {
		return fmt.Errorf("confirm link: %w", err)
	}
	if acc.Confirmed() {
		return ErrAlreadyConfirmed
	}
	if tok.Stamp != acc.SessionStamp {
		return ErrLinkExpired
	}
	return nil
}

// liveToken finds the token behind secret and checks it is of purpose p, unused and valid.
func (s *Service) liveToken(ctx context.Context, secret string, p Purpose, now time.Time) (Token, error) {
	if !plausibleSecret(secret) {
		return Token{}, ErrLinkUnknown
	}
	tok, err := s.Repo.Token(ctx, HashSecret(secret))
	if errors.Is(err, ErrNotFound) || (err == nil && tok.Purpose != p) {
		return Token{}, ErrLinkUnknown
	}
	if err != nil {
		return Token{}, fmt.Errorf("token: %w", err)
	}
	if !tok.UsedAt.IsZero() {
		return tok, ErrLinkUsed
	}
	if !now.Before(tok.ValidUntil) {
		return tok, ErrLinkExpired
	}
	return tok, nil
}

// ResendConfirmation sends a new confirmation link to an unconfirmed account, found by its
// e-mail or by an earlier (possibly expired) confirmation link. It answers nil in every case
// but malformed input, so nobody learns whether an address has an account.
func (s *Service) ResendConfirmation(ctx context.Context, email, oldSecret string) error {
	now := s.Clock.Now()
	if oldSecret != "" {
		tok, err := s.liveToken(ctx, oldSecret, PurposeConfirm, now)
		if err != nil && !errors.Is(err, ErrLinkExpired) && !errors.Is(err, ErrLinkUsed) {
			if errors.Is(err, ErrLinkUnknown) {
				return nil
			}
			return err
		}
		email = tok.Email
	} else {
		email = NormaliseEmail(email)
		if m := checkEmail(email); m != "" {
			return fieldErr("email", m)
		}
	}
	defer s.padTo(ctx, time.Now())
	acc, send, err := s.linkRecipient(ctx, "resend", email, now, ConfirmLinkLifetime,
		func(a Account) bool { return !a.Confirmed() })
	if err != nil || !send {
		return err
	}
	return s.sendConfirmation(ctx, acc, now)
}

// linkRecipient decides whether a link request for email sends an e-mail: only when the
// address has an account that wants the link, and the address's mail throttle allows it.
// Unknown or not, wanted or not, the request makes the same throttle write and token write (a
// decoy when nothing is sent), so neither the answer nor its storage work tells whether the
// address has an account. send false with a nil error means "answer as if sent".
func (s *Service) linkRecipient(ctx context.Context, op, email string, now time.Time, life time.Duration,
	wants func(Account) bool) (acc Account, send bool, err error) {
	acc, err = s.Repo.Account(ctx, email)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Account{}, false, fmt.Errorf("%s: %w", op, err)
	}
	if !s.mailAllowed(ctx, email, now) {
		return Account{}, false, nil
	}
	if err != nil || !wants(acc) {
		return Account{}, false, s.decoyToken(ctx, now, life)
	}
	return acc, true, nil
}

// decoyToken writes a token no link carries, for a request that sends no e-mail: the same
// PutItem as a real link, kept only until it would have expired, with no address in it.
func (s *Service) decoyToken(ctx context.Context, now time.Time, life time.Duration) error {
	_, tok := newToken(purposeDecoy, "", "", now, life)
	tok.ExpiresAt = tok.ValidUntil
	if err := s.Repo.PutToken(ctx, tok); err != nil {
		return fmt.Errorf("decoy token: %w", err)
	}
	return nil
}

// padTo waits until MailRequestFloor has passed since start. Requests for a link do the same
// storage calls whether or not the address has an account (see decoyToken), but only a real
// one calls SES: the floor hides that call's latency. A sign-up with an existing address makes
// a few more storage calls than a new one: the floor hides those too. It measures elapsed time, not business
// time, so it reads the monotonic clock rather than the injected one; the wait is bounded by
// the floor and ends with the request's context.
func (s *Service) padTo(ctx context.Context, start time.Time) {
	wait := s.MailRequestFloor - time.Since(start)
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

// LoginResult is a new session: the cookie's token and when it ends.
type LoginResult struct {
	Token     string
	ExpiresAt time.Time
}

// Login checks the credentials of a confirmed account, within the throttling limits, and
// opens a session. clientAddr is the caller's IP address (only its keyed hash is stored).
func (s *Service) Login(ctx context.Context, email, password, clientAddr string) (LoginResult, error) {
	now := s.Clock.Now()
	email = NormaliseEmail(email)
	var f fault.Fields
	if email == "" {
		f.Add("email", "Saisissez votre adresse e-mail.")
	}
	if password == "" {
		f.Add("password", "Saisissez votre mot de passe.")
	}
	if err := f.Err(); err != nil {
		return LoginResult{}, err
	}
	if len(password) > maxPasswordLength {
		return LoginResult{}, ErrBadCredentials
	}
	window := now.Truncate(ThrottleWindow)
	retryAt := window.Add(ThrottleWindow)
	addrKey := s.addressKey(clientAddr)
	for _, c := range []struct {
		scope, key string
		max        int
	}{{scopeLoginAccount, email, MaxFailuresAccount}, {scopeLoginAddress, addrKey, MaxFailuresAddress}} {
		n, err := s.Repo.Attempts(ctx, c.scope, c.key, window)
		if err != nil {
			return LoginResult{}, fmt.Errorf("login: %w", err)
		}
		if n >= c.max {
			return LoginResult{}, Throttled(retryAt, now)
		}
	}
	acc, err := s.Repo.Account(ctx, email)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return LoginResult{}, fmt.Errorf("login: %w", err)
	}
	hash := acc.PasswordHash
	if errors.Is(err, ErrNotFound) {
		hash = s.dummy()
	}
	ok, rehash, verr := VerifyPassword(password, hash, s.Hash)
	if verr != nil {
		return LoginResult{}, fmt.Errorf("login: %w", verr)
	}
	if !ok || errors.Is(err, ErrNotFound) {
		expires := retryAt.Add(throttleKeptAfterEnd)
		if _, err := s.Repo.AddAttempt(ctx, scopeLoginAccount, email, window, expires); err != nil {
			return LoginResult{}, fmt.Errorf("login: %w", err)
		}
		if _, err := s.Repo.AddAttempt(ctx, scopeLoginAddress, addrKey, window, expires); err != nil {
			return LoginResult{}, fmt.Errorf("login: %w", err)
		}
		return LoginResult{}, ErrBadCredentials
	}
	if !acc.Confirmed() {
		return LoginResult{}, ErrNotConfirmed
	}
	if rehash {
		if h, err := HashPassword(password, s.Hash); err == nil {
			// Conditioned on the stamp read: a reset landing meanwhile keeps its new password.
			if err := s.Repo.SetPassword(ctx, email, acc.SessionStamp, h, "", time.Time{}); err != nil && !errors.Is(err, ErrStale) {
				slog.ErrorContext(ctx, "rehash", "err", err.Error())
			}
		}
	}
	return s.openSession(ctx, acc, now)
}

func (s *Service) openSession(ctx context.Context, acc Account, now time.Time) (LoginResult, error) {
	secret, hash := NewSecret()
	sess := Session{Hash: hash, Email: acc.Email, Stamp: acc.SessionStamp, CreatedAt: now, ExpiresAt: now.Add(SessionLifetime)}
	if err := s.Repo.PutSession(ctx, sess); err != nil {
		return LoginResult{}, fmt.Errorf("open session: %w", err)
	}
	return LoginResult{Token: secret, ExpiresAt: sess.ExpiresAt}, nil
}

func (s *Service) addressKey(addr string) string {
	m := hmac.New(sha256.New, s.Secret)
	m.Write([]byte("preau-address:" + addr))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// Logout ends the session whose hash is sessionID (idempotent).
func (s *Service) Logout(ctx context.Context, sessionID string) error {
	if sessionID == "" {
		return nil
	}
	if err := s.Repo.DeleteSession(ctx, sessionID); err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}

// RequestReset sends a reset link when the e-mail has an account; it answers nil either way.
func (s *Service) RequestReset(ctx context.Context, email string) error {
	now := s.Clock.Now()
	email = NormaliseEmail(email)
	if m := checkEmail(email); m != "" {
		return fieldErr("email", m)
	}
	defer s.padTo(ctx, time.Now())
	acc, send, err := s.linkRecipient(ctx, "reset request", email, now, ResetLinkLifetime,
		func(Account) bool { return true })
	if err != nil || !send {
		return err
	}
	secret, tok := newToken(PurposeReset, acc.Email, acc.SessionStamp, now, ResetLinkLifetime)
	if err := s.Repo.PutToken(ctx, tok); err != nil {
		return fmt.Errorf("reset token: %w", err)
	}
	if err := s.Mail.SendPasswordReset(ctx, acc.Email, acc.DisplayName(), s.resetLink(secret), ResetLinkLifetime); err != nil {
		return fmt.Errorf("reset e-mail: %w", err)
	}
	return nil
}

// CheckResetLink tells whether a reset link can still be used (for the page showing the form).
func (s *Service) CheckResetLink(ctx context.Context, secret string) error {
	tok, err := s.liveToken(ctx, secret, PurposeReset, s.Clock.Now())
	if err != nil {
		return err
	}
	acc, err := s.Repo.Account(ctx, tok.Email)
	if errors.Is(err, ErrNotFound) {
		return ErrLinkUnknown
	}
	if err != nil {
		return fmt.Errorf("reset link: %w", err)
	}
	return resetLinkOutdated(tok, acc)
}

// resetLinkOutdated refuses a reset link made for another session stamp than the account's:
// a reset (or change) renews the stamp, so it ends every other outstanding reset link, as it
// ends every session; so does a sign-up replacing an unconfirmed account.
func resetLinkOutdated(tok Token, acc Account) error {
	if tok.Stamp != acc.SessionStamp {
		return ErrLinkExpired
	}
	return nil
}

// ResetPassword sets a new password with a reset link. The link proves the e-mail, so an
// unconfirmed account becomes confirmed; every session of the account ends.
func (s *Service) ResetPassword(ctx context.Context, secret, password, confirmation string) error {
	now := s.Clock.Now()
	var f fault.Fields
	ValidateNewPassword(password, confirmation, "password", "passwordConfirmation", &f)
	if err := f.Err(); err != nil {
		return err
	}
	tok, err := s.liveToken(ctx, secret, PurposeReset, now)
	if err != nil {
		return err
	}
	acc, err := s.Repo.Account(ctx, tok.Email)
	if errors.Is(err, ErrNotFound) {
		return ErrLinkUnknown
	}
	if err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	if err := resetLinkOutdated(tok, acc); err != nil {
		return err
	}
	hash, err := HashPassword(password, s.Hash)
	if err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	if err := s.Repo.UseToken(ctx, tok.Hash, now); errors.Is(err, ErrSpent) {
		return ErrLinkUsed
	} else if err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	// Conditioned on the link's stamp: of two reset links used at once, exactly one lands and
	// the other finds the stamp renewed.
	stamp := newStamp()
	if err := s.Repo.SetPassword(ctx, acc.Email, tok.Stamp, hash, stamp, now); errors.Is(err, ErrStale) {
		return ErrLinkExpired
	} else if err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	if !acc.Confirmed() {
		_, err := s.Repo.ConfirmAccount(ctx, acc.Email, stamp, now)
		if errors.Is(err, ErrStale) {
			// Confirmed meanwhile is fine; replaced by a sign-up since the password write is not.
			if err := s.confirmRefusal(ctx, acc.Email); !errors.Is(err, ErrAlreadyConfirmed) {
				return err
			}
		} else if err != nil {
			return fmt.Errorf("reset: %w", err)
		}
	}
	if err := s.Mail.SendPasswordChanged(ctx, acc.Email, acc.DisplayName(), s.Link("/mot-de-passe-oublie")); err != nil {
		slog.ErrorContext(ctx, "password-changed e-mail", "err", err.Error())
	}
	slog.InfoContext(ctx, "password reset")
	return nil
}

// ChangePassword changes the signed-in parent's password after checking the current one. Every
// other session ends; the returned session replaces the current one on this device.
func (s *Service) ChangePassword(ctx context.Context, email, sessionID, current, password, confirmation string) (LoginResult, error) {
	now := s.Clock.Now()
	acc, err := s.Repo.Account(ctx, email)
	if err != nil {
		return LoginResult{}, fmt.Errorf("change password: %w", err)
	}
	var f fault.Fields
	if current == "" {
		f.Add("currentPassword", "Saisissez votre mot de passe actuel.")
	} else if ok, _, err := VerifyPassword(current, acc.PasswordHash, s.Hash); err != nil {
		return LoginResult{}, fmt.Errorf("change password: %w", err)
	} else if !ok {
		f.Add("currentPassword", "Le mot de passe actuel est incorrect.")
	}
	ValidateNewPassword(password, confirmation, "password", "passwordConfirmation", &f)
	if err := f.Err(); err != nil {
		return LoginResult{}, err
	}
	hash, err := HashPassword(password, s.Hash)
	if err != nil {
		return LoginResult{}, fmt.Errorf("change password: %w", err)
	}
	oldStamp := acc.SessionStamp
	acc.SessionStamp = newStamp()
	if err := s.Repo.SetPassword(ctx, acc.Email, oldStamp, hash, acc.SessionStamp, now); errors.Is(err, ErrStale) {
		// A reset or another change landed since the read: this session is over with it.
		return LoginResult{}, ErrAccountChanged
	} else if err != nil {
		return LoginResult{}, fmt.Errorf("change password: %w", err)
	}
	_ = s.Logout(ctx, sessionID)
	if err := s.Mail.SendPasswordChanged(ctx, acc.Email, acc.DisplayName(), s.Link("/mot-de-passe-oublie")); err != nil {
		slog.ErrorContext(ctx, "password-changed e-mail", "err", err.Error())
	}
	return s.openSession(ctx, acc, now)
}

// ProfileInput is the editable part of the profile (PATCH /api/v1/me).
type ProfileInput struct {
	Civility  *string `json:"civility"`
	LastName  *string `json:"lastName"`
	FirstName *string `json:"firstName"`
}

// UpdateProfile changes civility and names; absent fields keep their value.
func (s *Service) UpdateProfile(ctx context.Context, email string, in ProfileInput) error {
	acc, err := s.Repo.Account(ctx, email)
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	c, l, fn := acc.Civility, acc.LastName, acc.FirstName
	if in.Civility != nil {
		c = *in.Civility
	}
	if in.LastName != nil {
		l = *in.LastName
	}
	if in.FirstName != nil {
		fn = *in.FirstName
	}
	var f fault.Fields
	c, l, fn = ValidateProfile(c, l, fn, &f)
	if err := f.Err(); err != nil {
		return err
	}
	if err := s.Repo.UpdateProfile(ctx, email, c, l, fn); err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	return nil
}

// LinkFamily links the signed-in parent's account to the family of a subscriber code. A
// malformed, unknown or revoked code is refused and nothing changes. Several parents may link
// one code; linking another code moves the account to that family.
func (s *Service) LinkFamily(ctx context.Context, email, typedCode string) error {
	now := s.Clock.Now()
	code := family.NormaliseCode(s.CodePrefix, typedCode)
	if code == "" {
		return fieldErr("subscriberCode", "Saisissez le code abonné reçu de la mairie.")
	}
	if !family.ValidCodeShape(s.CodePrefix, code) {
		return fieldErr("subscriberCode", codeShapeMessage(s.CodePrefix))
	}
	famID, reason, err := s.checkCode(ctx, code)
	if err != nil {
		return err
	}
	if reason != "" {
		return fieldErr("subscriberCode", reason)
	}
	acc, err := s.Repo.Account(ctx, email)
	if err != nil {
		return fmt.Errorf("link family: %w", err)
	}
	return s.link(ctx, acc, famID, now)
}

// link links the account to familyID: the family's MEMBER# item first (access to a family
// requires it, so a failure half-way grants nothing new), then the account, then the old
// family's MEMBER# item goes, which ends that family's access, feed included. Linking the
// same family again writes the member item again, which repairs an interrupted link.
func (s *Service) link(ctx context.Context, acc Account, familyID string, now time.Time) error {
	if err := s.Repo.AddMember(ctx, familyID, acc.Email, now); err != nil {
		return fmt.Errorf("link family: %w", err)
	}
	if acc.FamilyID != familyID {
		if err := s.Repo.LinkFamily(ctx, acc.Email, familyID); err != nil {
			return fmt.Errorf("link family: %w", err)
		}
	}
	if acc.FamilyID != "" && acc.FamilyID != familyID {
		if err := s.Repo.RemoveMember(ctx, acc.FamilyID, acc.Email); err != nil {
			return fmt.Errorf("link family: %w", err)
		}
	}
	slog.InfoContext(ctx, "family linked")
	return nil
}

// Me is what the signed-in parent sees of their account.
type Me struct {
	Account  Account
	Family   *family.Family // nil until linked
	Children []family.Child
}

// Me returns the account with its family and children.
func (s *Service) Me(ctx context.Context, email string) (Me, error) {
	acc, err := s.Repo.Account(ctx, email)
	if err != nil {
		return Me{}, fmt.Errorf("me: %w", err)
	}
	m := Me{Account: acc}
	if acc.FamilyID != "" {
		fam, children, err := s.Repo.FamilyOfMember(ctx, acc.FamilyID, acc.Email)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return Me{}, fmt.Errorf("me: %w", err)
		}
		if err == nil {
			m.Family, m.Children = &fam, children
		}
	}
	return m, nil
}

// DeleteAccount deletes the signed-in parent's account after checking the password: the
// account, its link to the family and its sessions go; the family record, children and
// invoices stay with the town hall (billing).
func (s *Service) DeleteAccount(ctx context.Context, email, sessionID, password string) error {
	acc, err := s.Repo.Account(ctx, email)
	if err != nil {
		return fmt.Errorf("delete account: %w", err)
	}
	if password == "" {
		return fieldErr("password", "Saisissez votre mot de passe pour confirmer la suppression.")
	}
	ok, _, err := VerifyPassword(password, acc.PasswordHash, s.Hash)
	if err != nil {
		return fmt.Errorf("delete account: %w", err)
	}
	if !ok {
		return fieldErr("password", "Le mot de passe est incorrect.")
	}
	if acc.FamilyID != "" {
		if err := s.Repo.RemoveMember(ctx, acc.FamilyID, acc.Email); err != nil {
			return fmt.Errorf("delete account: %w", err)
		}
	}
	// Deleting the account item ends every session: the resolver finds no account behind them.
	if err := s.Repo.DeleteAccount(ctx, acc.Email); err != nil {
		return fmt.Errorf("delete account: %w", err)
	}
	_ = s.Logout(ctx, sessionID)
	slog.InfoContext(ctx, "account deleted")
	return nil
}
