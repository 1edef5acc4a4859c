package totp

import (
	"strings"
	"testing"
	"time"
)

// TestMatchTakesOneStepOfDrift: the code of now, of the step before and of the step after are
// accepted and name their step; two steps away, a code of another secret, or a code of the
// wrong length are not.
func TestMatchTakesOneStepOfDrift(t *testing.T) {
	a := Authenticator{}
	secret, err := a.NewSecret("Préau Testville", "agent@mairie.fr")
	if err != nil || len(secret) != 32 {
		t.Fatalf("secret %q (want 32 base32 characters for 160 bits), %v", secret, err)
	}
	other, _ := a.NewSecret("Préau Testville", "agent@mairie.fr")
	if other == secret {
		t.Fatal("two secrets drawn alike")
	}
	now := time.Date(2026, 12, 1, 8, 0, 10, 0, time.UTC)
	step := now.Unix() / 30
	for _, c := range []struct {
		name string
		at   time.Time
		want int64
	}{
		{"now", now, step},
		{"step before", now.Add(-30 * time.Second), step - 1},
		{"step after", now.Add(30 * time.Second), step + 1},
		{"two steps before", now.Add(-60 * time.Second), 0},
		{"two steps after", now.Add(60 * time.Second), 0},
	} {
		code, err := CodeAt(secret, c.at)
		if err != nil || len(code) != 6 {
			t.Fatalf("%s: code %q, %v", c.name, code, err)
		}
		if got := a.Match(secret, code, now); got != c.want {
			t.Errorf("%s: step %d, want %d", c.name, got, c.want)
		}
	}
	code, _ := CodeAt(other, now)
	if a.Match(secret, code, now) != 0 {
		t.Error("another secret's code accepted")
	}
	mine, _ := CodeAt(secret, now)
	for _, bad := range []string{mine[:5], mine + "0", ""} {
		if a.Match(secret, bad, now) != 0 {
			t.Errorf("code %q accepted", bad)
		}
	}
}

// TestEnrolmentKey: the QR code carries what authenticator apps read, the issuer and address
// escaped.
func TestEnrolmentKey(t *testing.T) {
	k, err := EnrolmentKey("Préau Laigneville", "agent+1@mairie.fr", "PREAUDEMOGESTIONLAIGNEVILLEDEMOA")
	if err != nil {
		t.Fatal(err)
	}
	if k.Issuer() != "Préau Laigneville" || k.AccountName() != "agent+1@mairie.fr" || k.Secret() != "PREAUDEMOGESTIONLAIGNEVILLEDEMOA" ||
		k.Period() != 30 || !strings.HasPrefix(k.URL(), "otpauth://totp/") {
		t.Errorf("key %s", k.URL())
	}
	if _, err := k.Image(240, 240); err != nil {
		t.Errorf("QR image: %v", err)
	}
}
