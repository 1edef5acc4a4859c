package accounts

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// Purpose says what a one-time link is for.
type Purpose string

// The purposes of one-time links.
const (
	PurposeConfirm Purpose = "confirm"
	PurposeReset   Purpose = "reset"
	// purposeDecoy marks the token written for an address without an account (or a confirmed
	// one asking for a confirmation link), so that both answers cost the same storage calls.
	// No link carries it and no check accepts it.
	purposeDecoy Purpose = "decoy"
)

// Lifetimes of one-time links and sessions (see the package doc).
const (
	ConfirmLinkLifetime = 48 * time.Hour
	ResetLinkLifetime   = time.Hour
	// linkKeptAfterExpiry lets an expired or used link be told from an unknown one.
	linkKeptAfterExpiry = 7 * 24 * time.Hour
	SessionLifetime     = 12 * time.Hour
)

// Token is a one-time link as stored: only the hash of the secret the e-mail carries.
type Token struct {
	Hash       string
	Purpose    Purpose
	Email      string
	CreatedAt  time.Time
	ValidUntil time.Time
	UsedAt     time.Time // zero until used
	// Stamp is the account's SessionStamp when the link was made. A confirmation link works
	// only while it still matches: a sign-up that replaces an unconfirmed account renews the
	// stamp, so links sent for the earlier sign-up stop working.
	Stamp string
	// ExpiresAt is when the record may be deleted (DynamoDB TTL), a week after ValidUntil.
	ExpiresAt time.Time
}

// NewSecret returns a fresh secret (32 random bytes, base64url) and its storage hash.
func NewSecret() (secret, hash string) {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	secret = base64.RawURLEncoding.EncodeToString(b[:])
	return secret, HashSecret(secret)
}

// HashSecret is the SHA-256 (hex) under which a secret's record is stored.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// plausibleSecret reports whether s has the shape NewSecret makes, so junk never reaches storage.
func plausibleSecret(s string) bool {
	if len(s) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

func newToken(p Purpose, email, stamp string, now time.Time, life time.Duration) (string, Token) {
	secret, hash := NewSecret()
	return secret, Token{Hash: hash, Purpose: p, Email: email, Stamp: stamp, CreatedAt: now, ValidUntil: now.Add(life),
		ExpiresAt: now.Add(life + linkKeptAfterExpiry)}
}
