package accounts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// AccountConfirmer confirms accounts; *store.Store satisfies it.
type AccountConfirmer interface {
	AccountReader
	// ConfirmAccount confirms the account provided its session stamp is stamp and it is not
	// confirmed yet, and returns the account as written; ErrStale otherwise (or when gone).
	ConfirmAccount(ctx context.Context, email, stamp string, at time.Time) (Account, error)
}

// ConfirmationStore is the storage of confirmation links; *store.Store satisfies it.
type ConfirmationStore interface {
	linkRequestStore
	AccountConfirmer
}

// Confirmations follows confirmation links and sends new ones (Signup function).
type Confirmations struct {
	Config
	Store ConfirmationStore
	Mail  ConfirmationMail
	// Family links the family of the code given at sign-up.
	Family *FamilyLinks
}

// ConfirmResult tells what following a confirmation link did.
type ConfirmResult struct {
	// FamilyLinked is true when the code given at sign-up linked the account to its family.
	FamilyLinked bool
	// CodeRefused is the French reason the code given at sign-up was not linked (revoked or
	// withdrawn since), "" otherwise. The account is confirmed all the same.
	CodeRefused string
}

// codeRefusedAtConfirmation tells a parent whose sign-up code was revoked (or withdrawn)
// before they confirmed.
const codeRefusedAtConfirmation = "Votre compte n'a pas été rattaché à votre famille : le code abonné indiqué à l'inscription n'est plus valable. " +
	"Contactez le service enfance de la mairie pour en obtenir un nouveau, puis saisissez-le dans Mon espace citoyen."

// Confirm follows a confirmation link: it confirms the account and links the family of the
// code given at sign-up, checked again now: a code revoked since sign-up links nothing, and
// the result says why. Refusals: ErrLinkUnknown, ErrLinkExpired, ErrAlreadyConfirmed.
func (c *Confirmations) Confirm(ctx context.Context, secret string) (ConfirmResult, error) {
	now := c.Clock.Now()
	tok, acc, err := c.linkAccount(ctx, secret, now)
	if err != nil {
		return ConfirmResult{}, err
	}
	if err := c.Store.UseToken(ctx, tok.Hash, now); errors.Is(err, ErrSpent) {
		return ConfirmResult{}, ErrAlreadyConfirmed
	} else if err != nil {
		return ConfirmResult{}, fmt.Errorf("confirm: %w", err)
	}
	// The write itself requires the link's stamp: a sign-up replacing the account since the
	// read above must not be confirmed by this link, and the family linked is the one of the
	// code stored with that stamp, hence the account as written, not as read.
	acc, err = c.Store.ConfirmAccount(ctx, acc.Email, tok.Stamp, now)
	if errors.Is(err, ErrStale) {
		return ConfirmResult{}, confirmRefusal(ctx, c.Store, tok.Email)
	}
	if err != nil {
		return ConfirmResult{}, fmt.Errorf("confirm: %w", err)
	}
	var res ConfirmResult
	if acc.PendingCode != "" && acc.FamilyID == "" {
		famID, reason, err := checkCode(ctx, c.Family.Store, acc.PendingCode)
		if err != nil {
			return ConfirmResult{}, fmt.Errorf("confirm: %w", err)
		}
		if reason != "" {
			res.CodeRefused = codeRefusedAtConfirmation
			slog.InfoContext(ctx, "pending code refused at confirmation")
		} else {
			if err := c.Family.link(ctx, acc, famID, now); err != nil {
				return ConfirmResult{}, fmt.Errorf("confirm: %w", err)
			}
			res.FamilyLinked = true
		}
	}
	slog.InfoContext(ctx, "account confirmed")
	return res, nil
}

// CheckConfirmLink tells, without using it, whether a confirmation link would confirm an
// account (for the page that asks the parent to press "Confirmer mon compte": mail scanners
// open links, and must not confirm on the parent's behalf). Refusals are Confirm's.
func (c *Confirmations) CheckConfirmLink(ctx context.Context, secret string) error {
	_, _, err := c.linkAccount(ctx, secret, c.Clock.Now())
	return err
}

// linkAccount finds the live confirmation link behind secret and the unconfirmed account it
// was sent for.
func (c *Confirmations) linkAccount(ctx context.Context, secret string, now time.Time) (Token, Account, error) {
	tok, err := liveToken(ctx, c.Store, secret, PurposeConfirm, now)
	if errors.Is(err, ErrLinkUsed) {
		return Token{}, Account{}, ErrAlreadyConfirmed
	}
	if err != nil {
		return Token{}, Account{}, err
	}
	acc, err := c.Store.Account(ctx, tok.Email)
	if errors.Is(err, ErrNotFound) {
		return Token{}, Account{}, ErrLinkUnknown
	}
	if err != nil {
		return Token{}, Account{}, fmt.Errorf("confirm: %w", err)
	}
	if acc.Confirmed() {
		return Token{}, Account{}, ErrAlreadyConfirmed
	}
	if tok.Stamp != acc.SessionStamp {
		// A later sign-up with this address replaced the account this link was sent for.
		return Token{}, Account{}, ErrLinkExpired
	}
	return tok, acc, nil
}

// confirmRefusal tells why a confirmation conditioned on a link's stamp did not land, from the
// account as it is now: confirmed already (the parent may simply log in), gone, or replaced by
// a later sign-up (the link has expired; the page offers a new one).
func confirmRefusal(ctx context.Context, st AccountReader, email string) error {
	acc, err := st.Account(ctx, email)
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

// ResendConfirmation sends a new confirmation link to an unconfirmed account, found by its
// e-mail or by an earlier (possibly expired) confirmation link. It answers nil in every case
// but malformed input or too many requests from clientAddr, so nobody learns whether an
// address has an account.
func (c *Confirmations) ResendConfirmation(ctx context.Context, email, oldSecret, clientAddr string) error {
	now := c.Clock.Now()
	if oldSecret == "" {
		email = NormaliseEmail(email)
		if m := checkEmail(email); m != "" {
			return fieldErr("email", m)
		}
	} else if !plausibleSecret(oldSecret) {
		return nil
	}
	if err := c.limitLinkRequests(ctx, c.Store, clientAddr, now); err != nil {
		return err
	}
	if oldSecret != "" {
		tok, err := liveToken(ctx, c.Store, oldSecret, PurposeConfirm, now)
		if err != nil && !errors.Is(err, ErrLinkExpired) && !errors.Is(err, ErrLinkUsed) {
			if errors.Is(err, ErrLinkUnknown) {
				return nil
			}
			return err
		}
		email = tok.Email
	}
	defer c.padTo(ctx, time.Now())
	acc, send, err := linkRecipient(ctx, c.Store, "resend", email, now, ConfirmLinkLifetime,
		func(a Account) bool { return !a.Confirmed() })
	if err != nil || !send {
		return err
	}
	return c.sendConfirmation(ctx, c.Store, c.Mail, acc, now)
}
