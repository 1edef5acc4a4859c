package accounts

import (
	"errors"
	"fmt"
	"time"

	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/fault"
)

// Sentinels the storage returns (shared/store wraps its own errors with them).
var (
	ErrNotFound = errors.New("accounts: not found")
	ErrExists   = errors.New("accounts: already exists")
	ErrSpent    = errors.New("accounts: already used")
	// ErrStale: a write conditioned on the account's state found it changed meanwhile.
	ErrStale = errors.New("accounts: account changed meanwhile")
)

// Refusals parents and API clients may see.
var (
	ErrBadCredentials = fault.New(fault.Unauthenticated, "invalid-credentials", "Connexion impossible",
		"L'adresse e-mail ou le mot de passe est incorrect.")
	ErrNotConfirmed = fault.New(fault.Forbidden, "account-not-confirmed", "Compte non activé",
		"Votre compte n'est pas encore activé : cliquez sur le lien de l'e-mail de confirmation que nous vous avons envoyé. Vous pouvez en demander un nouveau.")
	ErrLinkUnknown = fault.New(fault.NotFound, "link-unknown", "Lien inconnu",
		"Ce lien n'est pas valide. Vérifiez que vous avez copié l'adresse complète depuis l'e-mail.")
	ErrLinkExpired = fault.New(fault.Gone, "link-expired", "Lien expiré",
		"Ce lien a expiré. Vous pouvez en demander un nouveau.")
	ErrAlreadyConfirmed = fault.New(fault.Conflict, "already-confirmed", "Compte déjà activé",
		"Votre compte est déjà activé : vous pouvez vous connecter.")
	ErrLinkUsed = fault.New(fault.Conflict, "link-used", "Lien déjà utilisé",
		"Ce lien a déjà été utilisé. Si besoin, demandez-en un nouveau.")
	ErrAccountChanged = fault.New(fault.Conflict, "account-changed", "Mot de passe déjà modifié",
		"Votre mot de passe vient d'être modifié ailleurs : reconnectez-vous avec le nouveau mot de passe.")
	errThrottled = fault.New(fault.TooManyRequests, "too-many-attempts", "Trop de tentatives", "")
)

// Throttled returns the refusal of a login tried too often, saying when to retry.
func Throttled(retryAt, now time.Time) *fault.Error {
	t := retryAt.In(date.Paris)
	detail := fmt.Sprintf("Trop de tentatives de connexion infructueuses. Par sécurité, réessayez à partir de %d h %02d.", t.Hour(), t.Minute())
	secs := int(retryAt.Sub(now).Seconds()) + 1
	return errThrottled.WithDetail(detail).With("retryAt", retryAt.UTC().Format(time.RFC3339)).With("retryAfterSeconds", secs)
}

func fieldErr(field, detail string) error {
	var f fault.Fields
	f.Add(field, detail)
	return f.Err()
}
