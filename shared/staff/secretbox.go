package staff

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/preau/preau/shared/secret"
	"strings"
	"sync"
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
//
// The encryption key is derived at the box's first use, not when it is made: the secret key
// may still be read in the background then (shared/secret).
type SecretBox struct {
	key  *secret.Key
	once sync.Once
	aead cipher.AEAD
	err  error
}

// NewSecretBox returns the box whose encryption key derives from secretKey.
func NewSecretBox(secretKey *secret.Key) (*SecretBox, error) {
	if secretKey == nil {
		return nil, errors.New("staff: no secret key to derive the TOTP key from")
	}
	return &SecretBox{key: secretKey}, nil
}

// cipher returns the box's AEAD, derived once, when the secret key is first had. It fails
// (secret.ErrUnavailable) only while the key cannot be had.
func (b *SecretBox) cipher(ctx context.Context) (cipher.AEAD, error) {
	k, err := b.key.Bytes(ctx)
	if err != nil {
		return nil, err
	}
	b.once.Do(func() { b.aead, b.err = derive(k) })
	return b.aead, b.err
}

// derive makes the AES-256-GCM cipher of the TOTP secrets from the secret key.
func derive(secretKey []byte) (cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, secretKey, nil, "preau staff totp secrets v1", 32)
	if err != nil {
		return nil, fmt.Errorf("staff: derive key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Seal encrypts a TOTP secret for storage, bound to the member's e-mail (a sealed secret moved
// to another member does not open).
func (b *SecretBox) Seal(ctx context.Context, email, secret string) (string, error) {
	aead, err := b.cipher(ctx)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	out := aead.Seal(nonce, nonce, []byte(secret), []byte(email))
	return sealedPrefix + base64.RawURLEncoding.EncodeToString(out), nil
}

// Open returns the clear secret of a stored one, and whether it was stored in clear (to be
// sealed on its next use).
func (b *SecretBox) Open(ctx context.Context, email, stored string) (secret string, clear bool, err error) {
	enc, ok := strings.CutPrefix(stored, sealedPrefix)
	if !ok {
		return stored, stored != "", nil
	}
	aead, err := b.cipher(ctx)
	if err != nil {
		return "", false, err
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || len(raw) < aead.NonceSize() {
		return "", false, errors.New("staff: sealed TOTP secret malformed")
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(email))
	if err != nil {
		return "", false, errors.New("staff: sealed TOTP secret does not open with this key")
	}
	return string(plain), false, nil
}

// Sealed reports whether a stored secret is encrypted.
func Sealed(stored string) bool { return strings.HasPrefix(stored, sealedPrefix) }
