package accounts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/preau/preau/shared/fault"
)

// ResetStore is the storage of "Mot de passe oublié ?"; *store.Store satisfies it.
type ResetStore interface {
	linkRequestStore
	PasswordWriter
	AccountConfirmer
}

// ResetMail sends the reset link and the notice that follows; shared/mail's Mailer satisfies it.
type ResetMail interface {
	PasswordChangedMail
	SendPasswordReset(ctx context.Context, to, name, link string, validFor time.Duration) error
}

// Resets sends reset links and sets a new password with one (Account function).
type Resets struct {
	Config
	Store ResetStore
	Mail  ResetMail
}

// RequestReset sends a reset link when the e-mail has an account; it answers nil either way.
// Requests count against the client address's limit of link requests.
func (r *Resets) RequestReset(ctx context.Context, email, clientAddr string) error {
	now := r.Clock.Now()
	email = NormaliseEmail(email)
	if m := checkEmail(email); m != "" {
		return fieldErr("email", m)
	}
	if err := r.limitLinkRequests(ctx, r.Store, clientAddr, now); err != nil {
		return err
	}
	defer r.padTo(ctx, time.Now())
	acc, send, err := linkRecipient(ctx, r.Store, "reset request", email, now, ResetLinkLifetime,
		func(Account) bool { return true })
	if err != nil || !send {
		return err
	}
	secret, tok := newToken(PurposeReset, acc.Email, acc.SessionStamp, now, ResetLinkLifetime)
	if err := r.Store.PutToken(ctx, tok); err != nil {
		return fmt.Errorf("reset token: %w", err)
	}
	if err := r.Mail.SendPasswordReset(ctx, acc.Email, acc.DisplayName(), r.resetLink(secret), ResetLinkLifetime); err != nil {
		return fmt.Errorf("reset e-mail: %w", err)
	}
	return nil
}

// CheckResetLink tells whether a reset link can still be used (for the page showing the form).
func (r *Resets) CheckResetLink(ctx context.Context, secret string) error {
	_, _, err := r.resetAccount(ctx, secret, r.Clock.Now())
	return err
}

// resetAccount finds the live reset link behind secret and the account it was made for.
func (r *Resets) resetAccount(ctx context.Context, secret string, now time.Time) (Token, Account, error) {
	tok, err := liveToken(ctx, r.Store, secret, PurposeReset, now)
	if err != nil {
		return Token{}, Account{}, err
	}
	acc, err := r.Store.Account(ctx, tok.Email)
	if errors.Is(err, ErrNotFound) {
		return Token{}, Account{}, ErrLinkUnknown
	}
	if err != nil {
		return Token{}, Account{}, fmt.Errorf("reset link: %w", err)
	}
	// A reset or change renews the stamp, so it ends every other outstanding reset link, as
	// it ends sessions; so does a sign-up replacing an unconfirmed account.
	if tok.Stamp != acc.SessionStamp {
		return Token{}, Account{}, ErrLinkExpired
	}
	return tok, acc, nil
}

// PasswordReset is the form behind a reset link.
type PasswordReset struct {
	Secret       string // the link's token
	Password     string
	Confirmation string
	// KeepOtherSessions leaves the account's sessions open; by default (false) they all end.
	KeepOtherSessions bool
}

// ResetPassword sets a new password with a reset link. The link proves the e-mail, so an
// unconfirmed account becomes confirmed; every session of the account ends unless the parent
// chose to keep them.
func (r *Resets) ResetPassword(ctx context.Context, in PasswordReset) error {
	now := r.Clock.Now()
	var f fault.Fields
	ValidateNewPassword(in.Password, in.Confirmation, "password", "passwordConfirmation", &f)
	if err := f.Err(); err != nil {
		return err
	}
	tok, acc, err := r.resetAccount(ctx, in.Secret, now)
	if err != nil {
		return err
	}
	hash, err := r.hasher().Hash(in.Password)
	if err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	if err := r.Store.UseToken(ctx, tok.Hash, now); errors.Is(err, ErrSpent) {
		return ErrLinkUsed
	} else if err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	// Conditioned on the link's stamp: of two reset links used at once, exactly one lands and
	// the other finds the stamp renewed.
	w := PasswordWrite{Hash: hash, Stamp: newStamp(), ChangedAt: now, KeptStamps: keptStamps(acc, in.KeepOtherSessions)}
	if err := r.Store.SetPassword(ctx, acc.Email, tok.Stamp, w); errors.Is(err, ErrStale) {
		return ErrLinkExpired
	} else if err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	if !acc.Confirmed() {
		_, err := r.Store.ConfirmAccount(ctx, acc.Email, w.Stamp, now)
		if errors.Is(err, ErrStale) {
			// Confirmed meanwhile is fine; replaced by a sign-up since the password write is not.
			if err := confirmRefusal(ctx, r.Store, acc.Email); !errors.Is(err, ErrAlreadyConfirmed) {
				return err
			}
		} else if err != nil {
			return fmt.Errorf("reset: %w", err)
		}
	}
	if err := r.Mail.SendPasswordChanged(ctx, acc.Email, acc.DisplayName(), r.Link("/mot-de-passe-oublie")); err != nil {
		slog.ErrorContext(ctx, "password-changed e-mail", "err", err.Error())
	}
	slog.InfoContext(ctx, "password reset")
	return nil
}
