package accounts

import (
	"errors"

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
	// ErrProofRequired: the login's limit is reached; a proof of work (or, on the page, the
	// answer to the question) lets the attempt through. The caller offers a new challenge.
	ErrProofRequired = fault.New(fault.TooManyRequests, "proof-required", "Vérification anti-robot nécessaire",
		"Il y a eu beaucoup de tentatives de connexion sur ce compte ou depuis votre connexion : confirmez que vous n'êtes pas un robot pour continuer.")
	// ErrEmptyProfile: a profile change that changes nothing.
	ErrEmptyProfile = fault.New(fault.Invalid, "empty-change", "Aucune modification",
		"Indiquez au moins un champ à modifier : civilité, nom ou prénom.")
	// ErrNotMember: the parent to remove is not a member of the caller's family (or is the caller).
	ErrNotMember = fault.New(fault.NotFound, "member-not-found", "Parent introuvable",
		"Ce parent n'est pas (ou plus) relié à votre dossier famille.")
	// ErrNoFamily: the action needs an account linked to a family.
	ErrNoFamily = fault.New(fault.Conflict, "no-family", "Aucun dossier famille",
		"Votre compte n'est relié à aucun dossier famille : saisissez d'abord le code abonné reçu de la mairie.")
)

func fieldErr(field, detail string) error {
	var f fault.Fields
	f.Add(field, detail)
	return f.Err()
}
