package staff_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/secret"
	"github.com/preau/preau/shared/staff"
	"github.com/preau/preau/shared/staff/totp"
)

func TestSecretBox(t *testing.T) {
	ctx := context.Background()
	box, err := staff.NewSecretBox(secret.Fixed([]byte(strings.Repeat("k", 32))))
	if err != nil {
		t.Fatal(err)
	}
	seal := func(b *staff.SecretBox, email, clear string) string {
		t.Helper()
		s, err := b.Seal(ctx, email, clear)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	sealed := seal(box, "a@mairie.fr", "PREAUDEMOGESTIONLAIGNEVILLEDEMOA")
	if !staff.Sealed(sealed) || strings.Contains(sealed, "PREAUDEMO") || sealed == seal(box, "a@mairie.fr", "PREAUDEMOGESTIONLAIGNEVILLEDEMOA") {
		t.Fatalf("sealed = %q (want v1:, no clear text, a fresh nonce each time)", sealed)
	}
	if got, clear, err := box.Open(ctx, "a@mairie.fr", sealed); err != nil || clear || got != "PREAUDEMOGESTIONLAIGNEVILLEDEMOA" {
		t.Fatalf("open = %q, %v, %v", got, clear, err)
	}
	if _, _, err := box.Open(ctx, "b@mairie.fr", sealed); err == nil {
		t.Error("a secret sealed for one member opens for another")
	}
	other, _ := staff.NewSecretBox(secret.Fixed([]byte(strings.Repeat("x", 32))))
	if _, _, err := other.Open(ctx, "a@mairie.fr", sealed); err == nil {
		t.Error("a secret opens under another key")
	}
	if got, clear, err := box.Open(ctx, "a@mairie.fr", "JBSWY3DPEHPK3PXP"); err != nil || !clear || got != "JBSWY3DPEHPK3PXP" {
		t.Errorf("a clear secret of an earlier version = %q, %v, %v", got, clear, err)
	}
	short, err := staff.NewSecretBox(secret.Fixed([]byte("short")))
	if err != nil {
		t.Fatal(err)
	}
	if s, err := short.Seal(ctx, "a@mairie.fr", "PREAUDEMOGESTIONLAIGNEVILLEDEMOA"); !errors.Is(err, secret.ErrUnavailable) || s != "" {
		t.Errorf("a short key sealed %q (%v)", s, err)
	}
	if _, err := staff.NewSecretBox(nil); err == nil {
		t.Error("a box without a key")
	}
}

// TestSecretBoxWaitsForItsKey: a box made while the key is still being read seals with it once
// it is there, and a seal whose request ends first fails rather than sealing with no key.
func TestSecretBoxWaitsForItsKey(t *testing.T) {
	release := make(chan struct{})
	key := secret.Load(func() ([]byte, error) { <-release; return []byte(strings.Repeat("k", 32)), nil })
	box, err := staff.NewSecretBox(key)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if s, err := box.Seal(ctx, "a@mairie.fr", "PREAUDEMOGESTIONLAIGNEVILLEDEMOA"); !errors.Is(err, secret.ErrUnavailable) || s != "" {
		t.Fatalf("seal before the key: %q, %v", s, err)
	}
	close(release)
	sealed, err := box.Seal(context.Background(), "a@mairie.fr", "PREAUDEMOGESTIONLAIGNEVILLEDEMOA")
	if err != nil {
		t.Fatal(err)
	}
	fixed, _ := staff.NewSecretBox(secret.Fixed([]byte(strings.Repeat("k", 32))))
	if got, _, err := fixed.Open(context.Background(), "a@mairie.fr", sealed); err != nil || got != "PREAUDEMOGESTIONLAIGNEVILLEDEMOA" {
		t.Fatalf("sealed under the key read late, opened under the same key: %q, %v", got, err)
	}
}

// TestClearSecretIsSealedAtItsFirstUse: a member enrolled before secrets were sealed (the
// demo's, loaded in clear) still logs in, and the accepted code's write seals the secret.
func TestClearSecretIsSealedAtItsFirstUse(t *testing.T) {
	s, mem := newService(t)
	ctx := context.Background()
	const clearSecret = "PREAUDEMOGESTIONLAIGNEVILLEDEMOA"
	m, _ := mem.Member(ctx, "agent@mairie.fr")
	if err := mem.EnrolSecondFactor(ctx, m.Email, m.Stamp, clearSecret, 1, now); err != nil {
		t.Fatal(err)
	}
	pending, err := s.Login(ctx, "agent@mairie.fr", "Gestion-2026x", now)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := totp.CodeAt(clearSecret, now)
	if _, err := s.SecondFactor(ctx, pending, code, now); err != nil {
		t.Fatal(err)
	}
	m, _ = mem.Member(ctx, "agent@mairie.fr")
	if !staff.Sealed(m.TOTPSecret) || strings.Contains(m.TOTPSecret, clearSecret) {
		t.Fatalf("secret after its first use = %q, want it sealed", m.TOTPSecret)
	}
	later := now.Add(time.Minute)
	again, _ := s.Login(ctx, "agent@mairie.fr", "Gestion-2026x", later)
	code, _ = totp.CodeAt(clearSecret, later)
	if _, err := s.SecondFactor(ctx, again, code, later); err != nil {
		t.Fatalf("login with the sealed secret: %v", err)
	}
}

// TestLoginsAreJournaled: a complete login, a member's wrong password, a wrong code, the
// session ended by five wrong codes and a blocked login are each in the journal; an unknown
// address is not (anyone may type one), and no entry holds a password or code.
func TestLoginsAreJournaled(t *testing.T) {
	s, mem := newService(t)
	ctx := context.Background()
	if _, err := s.Login(ctx, "inconnu@mairie.fr", "Wrong-2026x", now); !errors.Is(err, staff.ErrBadCredentials) {
		t.Fatal(err)
	}
	if _, err := s.Login(ctx, "agent@mairie.fr", "Wrong-2026x", now); !errors.Is(err, staff.ErrBadCredentials) {
		t.Fatal(err)
	}
	pending, err := s.Login(ctx, "agent@mairie.fr", "Gestion-2026x", now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SecondFactor(ctx, pending, "000000", now); !errors.Is(err, staff.ErrBadCode) {
		t.Fatal(err)
	}
	secret, _ := s.PendingSecret(ctx, pending, now)
	code, _ := totp.CodeAt(secret, now)
	if _, err := s.SecondFactor(ctx, pending, code, now); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		_, _ = s.Login(ctx, "agent@mairie.fr", "Wrong-2026x", now)
	}
	if _, err := s.Login(ctx, "agent@mairie.fr", "Gestion-2026x", now); !errors.Is(err, staff.ErrThrottled) {
		t.Fatalf("sixth try: %v", err)
	}
	entries, _ := mem.Entries(ctx, now.UTC().Format("2006-01"))
	var got []string
	for _, e := range entries {
		if e.Who == "inconnu@mairie.fr" {
			t.Error("an unknown address was journaled")
		}
		line := e.Who + " | " + e.Action + " | " + e.Before + " → " + e.After
		if strings.Contains(line, "Wrong-2026x") || strings.Contains(line, "Gestion-2026x") || strings.Contains(line, code) {
			t.Errorf("journal entry holds a secret: %s", line)
		}
		got = append(got, line)
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		"agent@mairie.fr | Connexion refusée |  → mot de passe incorrect (1 sur 5)",
		"agent@mairie.fr | Code de second facteur refusé |  → code incorrect ou déjà utilisé (1 sur 5)",
		"agent@mairie.fr | Connexion | jamais connecté → mot de passe vérifié, second facteur enrôlé",
		"agent@mairie.fr | Connexion bloquée |  → trop de mots de passe faux : 15 minutes d'attente",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("journal lacks %q:\n%s", want, all)
		}
	}
}
