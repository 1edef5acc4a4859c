package staff

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// sealedPrefix starts every TOTP secret stored encrypted; a stored secret without it is a clear
// one written before secrets were encrypted (see SecretBox).
const sealedPrefix = "v1:"

// SecretBox encrypts the members' TOTP secrets at rest (AES-256-GCM) under a key derived with
// HKDF-SHA256 from the functions' secret key (config.SecretKey), so that a copy of the table
// (a backup, an export, a leaked read role) yields no second factor.
//
// A secret stored in clear by an earlier version (no "v1:" prefix, such as the demo's) is still
// read as it is, and is sealed on the member's next accepted code: UseStep writes the sealed
// secret in the same conditional write that records the code's step, so the migration needs no
// job and no downtime.
type SecretBox struct {
	aead cipher.AEAD
}

// NewSecretBox derives the encryption key from secretKey (at least 32 bytes).
func NewSecretBox(secretKey []byte) (*SecretBox, error) {
	if len(secretKey) < 32 {
		return nil, errors.New("staff: the secret key is too short to derive the TOTP key")
	}
	key, err := hkdf.Key(sha256.New, secretKey, nil, "preau staff totp secrets v1", 32)
	if err != nil {
		return nil, fmt.Errorf("staff: derive key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &SecretBox{aead: aead}, nil
}

// Seal encrypts a TOTP secret for storage, bound to the member's e-mail (a sealed secret moved
// to another member does not open).
func (b *SecretBox) Seal(email, secret string) string {
	nonce := make([]byte, b.aead.NonceSize())
	_, _ = rand.Read(nonce)
	out := b.aead.Seal(nonce, nonce, []byte(secret), []byte(email))
	return sealedPrefix + base64.RawURLEncoding.EncodeToString(out)
}

// Open returns the clear secret of a stored one, and whether it was stored in clear (to be
// sealed on its next use).
func (b *SecretBox) Open(email, stored string) (secret string, clear bool, err error) {
	enc, ok := strings.CutPrefix(stored, sealedPrefix)
	if !ok {
		return stored, stored != "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || len(raw) < b.aead.NonceSize() {
		return "", false, errors.New("staff: sealed TOTP secret malformed")
	}
	plain, err := b.aead.Open(nil, raw[:b.aead.NonceSize()], raw[b.aead.NonceSize():], []byte(email))
	if err != nil {
		return "", false, errors.New("staff: sealed TOTP secret does not open with this key")
	}
	return string(plain), false, nil
}

// Sealed reports whether a stored secret is encrypted.
func Sealed(stored string) bool { return strings.HasPrefix(stored, sealedPrefix) }
