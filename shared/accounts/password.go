package accounts

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// PasswordWriter stores passwords; *store.Store satisfies it.
type PasswordWriter interface {
	// SetPassword applies w to the account whose session stamp is still oldStamp: ErrStale
	// otherwise (or when the account is gone), so of two writes made from one state exactly
	// one lands.
	SetPassword(ctx context.Context, email, oldStamp string, w PasswordWrite) error
}

// PasswordWrite is a new password as stored.
type PasswordWrite struct {
	Hash string
	// Stamp is the account's new session stamp; "" keeps the stamp and everything below (a
	// rehash at login: the password is the same).
	Stamp     string
	ChangedAt time.Time
	// KeptStamps are the stamps whose sessions stay open besides the new stamp's (the parent
	// chose to keep their other sessions); none closes every other session.
	KeptStamps []string
}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 8

// maxPasswordLength bounds the work a single request can ask of argon2 (bytes).
const maxPasswordLength = 256

// PasswordRule is the rule as parents read it next to the field.
const PasswordRule = "Le mot de passe doit contenir au moins 8 caractères, dont au moins 1 chiffre, 1 minuscule et 1 majuscule."

//go:embed common-passwords.txt
var commonPasswordsText []byte

// commonPasswords returns the embedded list, lower-cased. It is built on first use, not at
// init: every function imports this package (sessions), and only sign-up and password changes
// need the list. No package variable's initialiser names the list either, so the functions that
// never check a password do not even carry it (144 kB).
func commonPasswords() map[string]struct{} {
	commonOnce.Do(func() {
		commonListLoads.Add(1)
		m := make(map[string]struct{}, 6000)
		sc := bufio.NewScanner(bytes.NewReader(commonPasswordsText))
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			m[strings.ToLower(line)] = struct{}{}
		}
		commonSet = m
	})
	return commonSet
}

var (
	commonOnce sync.Once
	commonSet  map[string]struct{}
)

// commonListLoads counts how often the list was parsed (a test pins that it is lazy).
var commonListLoads atomic.Int32

// IsCommonPassword reports whether pw (any case) is in the embedded list of common passwords.
func IsCommonPassword(pw string) bool {
	_, ok := commonPasswords()[strings.ToLower(pw)]
	return ok
}

// CheckPassword returns the French reason pw is refused, or "" when it is acceptable.
func CheckPassword(pw string) string {
	if pw == "" {
		return "Saisissez un mot de passe."
	}
	if len(pw) > maxPasswordLength {
		return "Le mot de passe est trop long (256 caractères au plus)."
	}
	var digit, lower, upper bool
	for _, r := range pw {
		switch {
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		}
	}
	if utf8.RuneCountInString(pw) < MinPasswordLength || !digit || !lower || !upper {
		return PasswordRule
	}
	if IsCommonPassword(pw) {
		return "Ce mot de passe est trop courant et facile à deviner : choisissez-en un autre."
	}
	return ""
}

// HashParams are argon2id's cost parameters.
type HashParams struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultHashParams are the documented parameters (see the package doc): 19 MiB, 2 passes, 1 lane.
var DefaultHashParams = HashParams{MemoryKiB: 19456, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

// HashPassword returns pw hashed with argon2id as a PHC string:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash> (unpadded standard base64).
func HashPassword(pw string, p HashParams) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("accounts: malformed password hash")

// VerifyPassword reports whether pw matches the PHC string encoded (constant-time comparison),
// and whether the hash was made with other parameters than want and should be redone.
func VerifyPassword(pw, encoded string, want HashParams) (ok, rehash bool, err error) {
	p, salt, key, err := parseHash(encoded)
	if err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(key)))
	ok = subtle.ConstantTimeCompare(got, key) == 1
	return ok, ok && p != want, nil
}

func parseHash(encoded string) (HashParams, []byte, []byte, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return HashParams{}, nil, nil, errBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return HashParams{}, nil, nil, errBadHash
	}
	var p HashParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil ||
		p.MemoryKiB == 0 || p.Time == 0 || p.Threads == 0 {
		return HashParams{}, nil, nil, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return HashParams{}, nil, nil, errBadHash
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) == 0 {
		return HashParams{}, nil, nil, errBadHash
	}
	return p, salt, key, nil
}
