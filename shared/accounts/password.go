package accounts

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"
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

// maxPasswordLength bounds the work a single request can ask of the hasher (bytes).
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

// Hasher makes and checks password hashes. Package accounts/argon2id has the one Préau uses,
// given by the functions that take a password (Account, Signup, Gestion) in their main.go:
// every other function links this package for sessions, and so links no hashing.
type Hasher interface {
	// Hash returns password's hash, salted, as a self-describing string.
	Hash(password string) (string, error)
	// Verify reports whether password matches encoded, and whether encoded was made with
	// other parameters than the hasher's and should be made again.
	Verify(password, encoded string) (ok, rehash bool, err error)
}

// errNoHasher is a wiring mistake: a use case that takes a password was given no Hasher.
var errNoHasher = errors.New("accounts: no password hasher")

// noHasher refuses every password: what a Config without a Hasher hashes and checks with.
type noHasher struct{}

func (noHasher) Hash(string) (string, error)               { return "", errNoHasher }
func (noHasher) Verify(string, string) (bool, bool, error) { return false, false, errNoHasher }
