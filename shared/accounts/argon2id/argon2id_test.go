package argon2id

import (
	"strings"
	"testing"
)

func TestHashAndVerify(t *testing.T) {
	small := Hasher{Params{MemoryKiB: 64, Time: 1, Threads: 1}} // small: this tests the format, not the cost
	h, err := small.Hash("Correct-Horse-9")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("not a PHC argon2id string: %s", h)
	}
	h2, _ := small.Hash("Correct-Horse-9")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	cases := []struct {
		name       string
		pw         string
		with       Hasher
		ok, rehash bool
	}{
		{"right", "Correct-Horse-9", small, true, false},
		{"wrong", "Correct-Horse-8", small, false, false},
		{"right, old parameters", "Correct-Horse-9", Default(), true, true},
		{"wrong, old parameters", "x", Default(), false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ok, rehash, err := c.with.Verify(c.pw, h)
			if err != nil || ok != c.ok || rehash != c.rehash {
				t.Errorf("got ok=%v rehash=%v err=%v", ok, rehash, err)
			}
		})
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=0,t=1,p=1$c2FsdA$aGFzaA",
		"$argon2id$v=18$m=64,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaA", "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$"} {
		if _, _, err := small.Verify("x", bad); err == nil {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}

// BenchmarkHash is the cost of one sign-up's hashing with the documented parameters.
func BenchmarkHash(b *testing.B) {
	for b.Loop() {
		if _, err := Default().Hash("Laigneville-2026x"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify is the cost of one login's check with the documented parameters.
func BenchmarkVerify(b *testing.B) {
	h, _ := Default().Hash("Laigneville-2026x")
	for b.Loop() {
		if ok, _, _ := Default().Verify("Laigneville-2026x", h); !ok {
			b.Fatal("no match")
		}
	}
}
