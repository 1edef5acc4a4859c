package accounts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/preau/preau/shared/fault"
)

// PasswordChangeStore is the storage a password change needs; *store.Store satisfies it.
type PasswordChangeStore interface {
	AccountReader
	AttemptTaker
	PasswordWriter
	SessionWriter
}

// PasswordChangedMail tells the owner that the password changed; shared/mail's Mailer
// satisfies it.
type PasswordChangedMail interface {
	SendPasswordChanged(ctx context.Context, to, name, resetLink string) error
}

// PasswordChanges changes the signed-in parent's password (Account function).
type PasswordChanges struct {
	Config
	Store PasswordChangeStore
	Mail  PasswordChangedMail
}

// PasswordChange is the "change my password" form.
type PasswordChange struct {
	Email, SessionID string // the signed-in parent and their session
	Current          string
	Password         string
	Confirmation     string
	// KeepOtherSessions leaves the parent's other sessions open; by default (false) the
	// change closes them all, which is what a parent who fears a stolen session needs.
	KeepOtherSessions bool
}

// maxKeptStamps bounds the stamps an account carries for sessions kept open (they end within
// SessionLifetime anyway).
const maxKeptStamps = 5

// keptStamps returns the stamps whose sessions stay open after a password write on acc.
func keptStamps(acc Account, keep bool) []string {
	if !keep {
		return nil
	}
	kept := append(append([]string(nil), acc.KeptStamps...), acc.SessionStamp)
	if len(kept) > maxKeptStamps {
		kept = kept[len(kept)-maxKeptStamps:]
	}
	return kept
}

// ChangePassword changes the signed-in parent's password after checking the current one
// (which counts against the login limit). Every other session ends unless the parent chose to
// keep them; the returned session replaces the current one on this device.
func (p *PasswordChanges) ChangePassword(ctx context.Context, in PasswordChange) (LoginResult, error) {
	now := p.Clock.Now()
	var f fault.Fields
	if in.Current == "" {
		f.Add("currentPassword", "Saisissez votre mot de passe actuel.")
	}
	ValidateNewPassword(in.Password, in.Confirmation, "password", "passwordConfirmation", &f)
	if err := f.Err(); err != nil {
		return LoginResult{}, err
	}
	acc, err := p.Store.Account(ctx, in.Email)
	if err != nil {
		return LoginResult{}, fmt.Errorf("change password: %w", err)
	}
	if err := p.reauthenticate(ctx, p.Store, acc, in.Current, "currentPassword", now); err != nil {
		return LoginResult{}, err
	}
	hash, err := p.hasher().Hash(in.Password)
	if err != nil {
		return LoginResult{}, fmt.Errorf("change password: %w", err)
	}
	w := PasswordWrite{Hash: hash, Stamp: newStamp(), ChangedAt: now, KeptStamps: keptStamps(acc, in.KeepOtherSessions)}
	if err := p.Store.SetPassword(ctx, acc.Email, acc.SessionStamp, w); errors.Is(err, ErrStale) {
		// A reset or another change landed since the read: this session is over with it.
		return LoginResult{}, ErrAccountChanged
	} else if err != nil {
		return LoginResult{}, fmt.Errorf("change password: %w", err)
	}
	acc.SessionStamp = w.Stamp
	_ = logout(ctx, p.Store, in.SessionID)
	if err := p.Mail.SendPasswordChanged(ctx, acc.Email, acc.DisplayName(), p.Link("/mot-de-passe-oublie")); err != nil {
		slog.ErrorContext(ctx, "password-changed e-mail", "err", err.Error())
	}
	return openSession(ctx, p.Store, acc, now)
}
