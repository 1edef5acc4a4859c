package staff_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/accounts/argon2id"
	"github.com/preau/preau/shared/secret"
	"github.com/preau/preau/shared/staff"
	"github.com/preau/preau/shared/staff/stafftest"
	"github.com/preau/preau/shared/staff/totp"
)

var now = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

// fastHash keeps the tests quick; the parameters do not change the rules.
var fastHash = argon2id.Hasher{Params: argon2id.Params{MemoryKiB: 64, Time: 1, Threads: 1}}

func newService(t *testing.T) (*staff.Service, *stafftest.Memory) {
	t.Helper()
	mem := stafftest.NewMemory()
	box, err := staff.NewSecretBox(secret.Fixed([]byte(strings.Repeat("k", 32))))
	if err != nil {
		t.Fatal(err)
	}
	s := &staff.Service{Members: mem, Sessions: mem, Attempts: mem, Issuer: "Préau Testville", Passwords: fastHash,
		TOTP: totp.Authenticator{}, Box: box, Journal: mem}
	if _, err := s.NewMember(context.Background(), " Agent@Mairie.fr ", "Claire Agent", "Gestion-2026x", now); err != nil {
		t.Fatal(err)
	}
	return s, mem
}

func TestNewMemberFollowsThePasswordRule(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	if _, err := s.NewMember(ctx, "b@mairie.fr", "B", "court", now); err == nil {
		t.Fatal("weak password accepted")
	}
	if _, err := s.NewMember(ctx, "pas-une-adresse", "B", "Gestion-2026x", now); err == nil {
		t.Fatal("bad e-mail accepted")
	}
	if _, err := s.NewMember(ctx, "agent@mairie.fr", "B", "Gestion-2026x", now); !errors.Is(err, staff.ErrExists) {
		t.Fatalf("second member with one e-mail: %v", err)
	}
}

func TestFirstLoginEnrolsTheSecondFactor(t *testing.T) {
	s, mem := newService(t)
	ctx := context.Background()
	if _, err := s.Login(ctx, "agent@mairie.fr", "Wrong-2026x", now); !errors.Is(err, staff.ErrBadCredentials) {
		t.Fatalf("wrong password: %v", err)
	}
	pending, err := s.Login(ctx, "AGENT@mairie.fr", "Gestion-2026x", now)
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.Resolve(ctx, pending, now)
	if err != nil || v == nil || v.Verified || !v.Enrolling {
		t.Fatalf("pending viewer = %+v, %v", v, err)
	}
	secret, err := s.PendingSecret(ctx, pending, now)
	if err != nil || len(secret) < 32 {
		t.Fatalf("pending secret %q, %v", secret, err)
	}
	if _, err := s.SecondFactor(ctx, pending, "000000", now); !errors.Is(err, staff.ErrBadCode) {
		t.Fatalf("wrong code: %v", err)
	}
	code, _ := totp.CodeAt(secret, now)
	full, err := s.SecondFactor(ctx, pending, code, now)
	if err != nil {
		t.Fatal(err)
	}
	if full == pending {
		t.Fatal("the verified session reuses the pending token")
	}
	if v, _ := s.Resolve(ctx, pending, now); v != nil {
		t.Fatalf("pending token still resolves: %+v", v)
	}
	v, err = s.Resolve(ctx, full, now)
	if err != nil || v == nil || !v.Verified || v.Name != "Claire Agent" {
		t.Fatalf("verified viewer = %+v, %v", v, err)
	}
	if v, _ := s.Resolve(ctx, full, now.Add(staff.SessionLifetime)); v != nil {
		t.Fatal("session outlives its lifetime")
	}
	if staff.SessionLifetime >= accounts.SessionLifetime {
		t.Fatal("staff sessions must be shorter than parents'")
	}
	m, _ := mem.Member(ctx, "agent@mairie.fr")
	if open, clear, err := s.Box.Open(context.Background(), m.Email, m.TOTPSecret); err != nil || clear || open != secret || !staff.Sealed(m.TOTPSecret) {
		t.Fatalf("secret not enrolled sealed: %q", m.TOTPSecret)
	}
	if m.LastLoginAt != now {
		t.Errorf("last login = %v, want %v", m.LastLoginAt, now)
	}

	// Next login: no new secret; the code just used is refused (replay), a later one passes.
	again, err := s.Login(ctx, "agent@mairie.fr", "Gestion-2026x", now.Add(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Resolve(ctx, again, now.Add(10*time.Second)); v == nil || v.Enrolling {
		t.Fatalf("second login viewer = %+v", v)
	}
	if _, err := s.SecondFactor(ctx, again, code, now.Add(10*time.Second)); !errors.Is(err, staff.ErrBadCode) {
		t.Fatalf("replayed code: %v", err)
	}
	later := now.Add(30 * time.Second)
	code2, _ := totp.CodeAt(secret, later)
	if _, err := s.SecondFactor(ctx, again, code2, later); err != nil {
		t.Fatalf("next code: %v", err)
	}
}

func TestWrongCodesEndThePendingSession(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	pending, err := s.Login(ctx, "agent@mairie.fr", "Gestion-2026x", now)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 4; i++ {
		if _, err := s.SecondFactor(ctx, pending, "123456", now); !errors.Is(err, staff.ErrBadCode) {
			t.Fatalf("try %d: %v", i, err)
		}
	}
	if _, err := s.SecondFactor(ctx, pending, "123456", now); !errors.Is(err, staff.ErrSessionEnded) {
		t.Fatalf("fifth wrong code: %v", err)
	}
	if v, _ := s.Resolve(ctx, pending, now); v != nil {
		t.Fatal("session survives five wrong codes")
	}
}

func TestLoginThrottle(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	for range 5 {
		if _, err := s.Login(ctx, "agent@mairie.fr", "Wrong-2026x", now); !errors.Is(err, staff.ErrBadCredentials) {
			t.Fatal(err)
		}
	}
	if _, err := s.Login(ctx, "agent@mairie.fr", "Gestion-2026x", now); !errors.Is(err, staff.ErrThrottled) {
		t.Fatalf("sixth try: %v", err)
	}
	if _, err := s.Login(ctx, "agent@mairie.fr", "Gestion-2026x", now.Add(15*time.Minute)); err != nil {
		t.Fatalf("next window: %v", err)
	}
}

// TestLoginRefusedWhenMiswired: a Service missing its hasher or its TOTP (a wiring mistake of
// a main.go) logs nobody in, even with the right password, and creates no member without a
// hasher.
func TestLoginRefusedWhenMiswired(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	for name, miswire := range map[string]func(*staff.Service){
		"no hasher": func(s *staff.Service) { s.Passwords = nil },
		"no TOTP":   func(s *staff.Service) { s.TOTP = nil },
	} {
		t.Run(name, func(t *testing.T) {
			m := *s
			miswire(&m)
			token, err := m.Login(ctx, "agent@mairie.fr", "Gestion-2026x", now)
			if err == nil || token != "" || errors.Is(err, staff.ErrBadCredentials) {
				t.Errorf("login: %q, %v; want a wiring error", token, err)
			}
			if _, err := m.SecondFactor(ctx, "x", "123456", now); err == nil {
				t.Error("second factor accepted")
			}
		})
	}
	m := *s
	m.Passwords = nil
	if _, err := m.NewMember(ctx, "autre@mairie.fr", "Autre Agent", "Gestion-2026x", now); err == nil {
		t.Error("member created without a hasher")
	}
}
