package accounts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"
)

// TokenWriter stores new one-time links; *store.Store satisfies it.
type TokenWriter interface {
	PutToken(ctx context.Context, t Token) error
}

// TokenStore keeps one-time links; *store.Store satisfies it.
type TokenStore interface {
	TokenWriter
	// Token reads a link by the hash of its secret (ErrNotFound when absent).
	Token(ctx context.Context, hash string) (Token, error)
	// UseToken marks a link used, once: ErrSpent the second time.
	UseToken(ctx context.Context, hash string, at time.Time) error
}

// ConfirmationMail sends the link that activates an account; shared/mail's Mailer satisfies
// it. to is the address, name how to greet, link absolute.
type ConfirmationMail interface {
	SendConfirmation(ctx context.Context, to, name, link string, validFor time.Duration) error
}

func (c Config) confirmLink(secret string) string {
	return c.Link("/confirm?token=" + url.QueryEscape(secret))
}

func (c Config) resetLink(secret string) string {
	return c.Link("/reinitialiser?token=" + url.QueryEscape(secret))
}

// liveToken finds the token behind secret and checks it is of purpose p, unused and valid.
func liveToken(ctx context.Context, st TokenStore, secret string, p Purpose, now time.Time) (Token, error) {
	if !plausibleSecret(secret) {
		return Token{}, ErrLinkUnknown
	}
	tok, err := st.Token(ctx, HashSecret(secret))
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

// sendConfirmation writes a confirmation link for the account as it is (its stamp) and mails it.
func (c Config) sendConfirmation(ctx context.Context, st TokenWriter, m ConfirmationMail, a Account, now time.Time) error {
	secret, tok := newToken(PurposeConfirm, a.Email, a.SessionStamp, now, ConfirmLinkLifetime)
	if err := st.PutToken(ctx, tok); err != nil {
		return fmt.Errorf("confirmation token: %w", err)
	}
	if err := m.SendConfirmation(ctx, a.Email, a.DisplayName(), c.confirmLink(secret), ConfirmLinkLifetime); err != nil {
		return fmt.Errorf("confirmation e-mail: %w", err)
	}
	return nil
}

// mailAllowed limits the e-mails an anonymous caller can have sent to one address (resend,
// reset, repeated sign-ups), so the portal cannot be used to flood someone.
func mailAllowed(ctx context.Context, st AttemptTaker, email string, now time.Time) bool {
	ok, _, err := mailsPerRecipient.take(ctx, st, email, now)
	if err != nil {
		slog.ErrorContext(ctx, "mail throttle", "err", err.Error())
		return true
	}
	return ok
}

// linkRequestStore is what a request for a link (reset, resend) needs.
type linkRequestStore interface {
	AccountReader
	AttemptTaker
	TokenStore
}

// linkRecipient decides whether a link request for email sends an e-mail: only when the
// address has an account that wants the link, and the address's mail limit allows it.
// Unknown or not, wanted or not, the request makes the same throttle write and token write (a
// decoy when nothing is sent), so neither the answer nor its storage work tells whether the
// address has an account. send false with a nil error means "answer as if sent".
func linkRecipient(ctx context.Context, st linkRequestStore, op, email string, now time.Time, life time.Duration,
	wants func(Account) bool) (acc Account, send bool, err error) {
	acc, err = st.Account(ctx, email)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Account{}, false, fmt.Errorf("%s: %w", op, err)
	}
	if !mailAllowed(ctx, st, email, now) {
		return Account{}, false, nil
	}
	if err != nil || !wants(acc) {
		return Account{}, false, decoyToken(ctx, st, now, life)
	}
	return acc, true, nil
}

// decoyToken writes a token no link carries, for a request that sends no e-mail: the same
// PutItem as a real link, kept only until it would have expired, with no address in it.
func decoyToken(ctx context.Context, st TokenWriter, now time.Time, life time.Duration) error {
	_, tok := newToken(purposeDecoy, "", "", now, life)
	tok.ExpiresAt = tok.ValidUntil
	if err := st.PutToken(ctx, tok); err != nil {
		return fmt.Errorf("decoy token: %w", err)
	}
	return nil
}

// limitLinkRequests counts a link request (reset, resend) against its client address's limit.
func (c Config) limitLinkRequests(ctx context.Context, st AttemptTaker, clientAddr string, now time.Time) error {
	addr, err := c.addressKey(ctx, clientAddr)
	if err != nil {
		return err
	}
	return linkRequestsPerAddress.enforce(ctx, st, addr, now,
		"Trop de demandes de lien depuis votre connexion.")
}
