// Package argon2id hashes passwords with argon2id as PHC strings and checks them: the hashing
// of parents' and staff members' passwords (the parameters and why are in shared/accounts).
//
// It is a package of its own so that only the functions that take a password (Account, Signup
// and Gestion, given a Hasher in their main.go) link golang.org/x/crypto: every other function
// imports shared/accounts for sessions, and would otherwise carry argon2 and initialise its CPU
// feature detection at each cold start.
package argon2id

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultParams are the documented parameters (see shared/accounts): 19 MiB, 2 passes, 1 lane.
var DefaultParams = Params{MemoryKiB: 19456, Time: 2, Threads: 1}

// Hasher hashes with its Params; it satisfies accounts.Hasher.
type Hasher struct{ Params Params }

// Default returns the hasher with DefaultParams, the one every function uses.
func Default() Hasher { return Hasher{Params: DefaultParams} }

const (
	saltLen = 16
	keyLen  = 32
)

// Hash returns pw hashed with h's parameters as a PHC string:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash> (unpadded standard base64).
func (h Hasher) Hash(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	p := h.Params
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("argon2id: malformed password hash")

// Verify reports whether pw matches the PHC string encoded (constant-time comparison), and
// whether the hash was made with other parameters than h's and should be redone.
func (h Hasher) Verify(pw, encoded string) (ok, rehash bool, err error) {
	p, salt, key, err := parse(encoded)
	if err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(key)))
	ok = subtle.ConstantTimeCompare(got, key) == 1
	return ok, ok && p != h.Params, nil
}

func parse(encoded string) (Params, []byte, []byte, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return Params{}, nil, nil, errBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return Params{}, nil, nil, errBadHash
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil ||
		p.MemoryKiB == 0 || p.Time == 0 || p.Threads == 0 {
		return Params{}, nil, nil, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return Params{}, nil, nil, errBadHash
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) == 0 {
		return Params{}, nil, nil, errBadHash
	}
	return p, salt, key, nil
}
