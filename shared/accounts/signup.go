package accounts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/fault"
)

// SignupInput is the sign-up form, as the page and POST /api/v1/signup send it.
type SignupInput struct {
	Civility             string
	LastName             string
	FirstName            string
	Email                string
	Password             string
	PasswordConfirmation string
	SubscriberCode       string
	AcceptTerms          bool
	AntiRobotChallenge   string
	AntiRobotSolution    string
	AntiRobotAnswer      string // pages only
	ClientAddr           string // the caller's IP address (only its keyed hash is stored)
}

// SignupStore is the storage a sign-up needs; *store.Store satisfies it.
type SignupStore interface {
	AccountReader
	AttemptTaker
	ProofSpender
	CodeReader
	// CreateAccount stores a new account: ErrExists when the e-mail has one (of two
	// simultaneous sign-ups with one e-mail exactly one succeeds).
	CreateAccount(ctx context.Context, a Account) error
	// ReplaceUnconfirmed overwrites the sign-up choices of an unconfirmed account (civility,
	// names, password hash, pending code, session stamp); ErrExists once it is confirmed.
	ReplaceUnconfirmed(ctx context.Context, a Account) error
	TokenWriter
}

// SignupMail sends the sign-up's e-mails; shared/mail's Mailer satisfies it.
type SignupMail interface {
	ConfirmationMail
	SendAlreadyRegistered(ctx context.Context, to, name, loginLink, resetLink string) error
}

// Signups creates accounts (the Signup function).
type Signups struct {
	Config
	Store SignupStore
	Mail  SignupMail
}

// Signup creates an account and sends the confirmation e-mail. For valid input it answers nil
// whether or not the e-mail already had an account (the owner then gets an e-mail saying so).
// Both paths hash the password and send at most one e-mail, but an existing account costs a
// few more storage calls (and a throttled address no e-mail): from the hash on, the request
// lasts at least MailRequestFloor, so its duration does not tell the paths apart. Invalid input
// is refused with field errors before any storage call; then come the client address's limit,
// the anti-robot proof, and only then the code's lookup.
func (s *Signups) Signup(ctx context.Context, in SignupInput) error {
	now := s.Clock.Now()
	in, f := ValidateSignup(in, s.CodePrefix)
	if err := f.Err(); err != nil {
		return err
	}
	addr, err := s.addressKey(ctx, in.ClientAddr)
	if err != nil {
		return err
	}
	if err := signupsPerAddress.enforce(ctx, s.Store, addr, now,
		"Trop de créations de compte depuis votre connexion."); err != nil {
		return err
	}
	if s.AntiRobot != nil {
		p := Proof{Challenge: in.AntiRobotChallenge, Solution: in.AntiRobotSolution, Answer: in.AntiRobotAnswer}
		reason, err := s.checkProof(ctx, s.Store, p, in.ClientAddr, now)
		if err != nil {
			return fmt.Errorf("signup: %w", err)
		}
		if reason != "" {
			return fieldErr("antiRobot", reason)
		}
	}
	// The code is looked up only for a caller who passed the anti-robot check: otherwise the
	// form would tell anyone, as fast as they can post, which codes exist.
	if in.SubscriberCode != "" {
		_, msg, err := checkCode(ctx, s.Store, in.SubscriberCode)
		if err != nil {
			return err
		}
		if msg != "" {
			return fieldErr("subscriberCode", msg)
		}
	}

	hash, err := s.hasher().Hash(in.Password)
	if err != nil {
		return fmt.Errorf("signup: %w", err)
	}
	// The hash costs the same on every path; what follows does not (see padTo).
	defer s.padTo(ctx, time.Now())
	acc := Account{Email: in.Email, Civility: in.Civility, LastName: in.LastName, FirstName: in.FirstName,
		PasswordHash: hash, CreatedAt: now, PendingCode: in.SubscriberCode, SessionStamp: newStamp()}
	err = s.Store.CreateAccount(ctx, acc)
	if errors.Is(err, ErrExists) {
		return s.signupExisting(ctx, acc, now)
	}
	if err != nil {
		return fmt.Errorf("signup: %w", err)
	}
	slog.InfoContext(ctx, "account created")
	return s.sendConfirmation(ctx, s.Store, s.Mail, acc, now)
}

// signupExisting handles a sign-up with the address of an existing account. An unconfirmed
// account takes the new sign-up's choices (names, password, code) and a new stamp, and its
// owner gets a fresh confirmation link: whoever signed up first without owning the address
// (to sit on it, then use the owner's confirmation) is overwritten, and the links sent for
// them stop working. A confirmed account is not touched: its owner gets an "already
// registered" notice.
func (s *Signups) signupExisting(ctx context.Context, acc Account, now time.Time) error {
	existing, err := s.Store.Account(ctx, acc.Email)
	if err != nil {
		return fmt.Errorf("signup existing: %w", err)
	}
	if !mailAllowed(ctx, s.Store, acc.Email, now) {
		return nil
	}
	if !existing.Confirmed() {
		err := s.Store.ReplaceUnconfirmed(ctx, acc)
		if err == nil {
			slog.InfoContext(ctx, "unconfirmed account replaced by a new sign-up")
			return s.sendConfirmation(ctx, s.Store, s.Mail, acc, now)
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

// ValidateSignup checks every field of the sign-up form except the anti-robot proof and the
// code's existence. It returns the cleaned input (e-mail normalised, code normalised) and the
// field errors found.
func ValidateSignup(in SignupInput, codePrefix string) (SignupInput, fault.Fields) {
	var f fault.Fields
	in.Civility, in.LastName, in.FirstName = ValidateProfile(in.Civility, in.LastName, in.FirstName, &f)
	in.Email = NormaliseEmail(in.Email)
	if m := checkEmail(in.Email); m != "" {
		f.Add("email", m)
	}
	ValidateNewPassword(in.Password, in.PasswordConfirmation, "password", "passwordConfirmation", &f)
	in.SubscriberCode = strings.TrimSpace(in.SubscriberCode)
	if in.SubscriberCode != "" {
		in.SubscriberCode = family.NormaliseCode(codePrefix, in.SubscriberCode)
		if !family.ValidCodeShape(codePrefix, in.SubscriberCode) {
			f.Add("subscriberCode", codeShapeMessage(codePrefix))
		}
	}
	if !in.AcceptTerms {
		f.Add("acceptTerms", "Vous devez accepter les conditions d'utilisation pour créer un compte.")
	}
	if len(in.AntiRobotChallenge) > maxChallengeLength || len(in.AntiRobotSolution) > 20 || len(in.AntiRobotAnswer) > 20 {
		f.Add("antiRobot", "La vérification anti-robot est invalide : rechargez la page et recommencez.")
	}
	return in, f
}
