package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/infra/dynamotest"
	"github.com/preau/preau/shared/accounts/argon2id"
	"github.com/preau/preau/shared/secret"
	"github.com/preau/preau/shared/staff"
	"github.com/preau/preau/shared/staff/totp"
	"github.com/preau/preau/shared/store"
)

var now = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

func TestCreateWritesAMemberWhoCanLogIn(t *testing.T) {
	env := dynamotest.New(t)
	st := store.New(env.Client, store.Tables{Data: env.DataTable, Session: env.SessionTable})
	ctx := context.Background()
	var out bytes.Buffer
	args := []string{"create", "-email", "Premier@Mairie.fr", "-name", "Premier Agent"}
	if err := run(ctx, args, strings.NewReader("Gestion-2026x\n"), &out, st, now); err != nil {
		t.Fatal(err)
	}
	m, err := st.Member(ctx, "premier@mairie.fr")
	if err != nil || m.Name != "Premier Agent" || m.Enrolled() {
		t.Fatalf("member = %+v, %v", m, err)
	}
	if ok, _, _ := argon2id.Default().Verify("Gestion-2026x", m.PasswordHash); !ok {
		t.Fatal("password not stored as typed")
	}
	if err := run(ctx, args, strings.NewReader("Gestion-2026x\n"), &out, st, now); err == nil || !strings.Contains(err.Error(), "already") {
		t.Fatalf("second create: %v", err)
	}
	err = run(ctx, []string{"create", "-email", "b@mairie.fr", "-name", "B"}, strings.NewReader("faible\n"), &out, st, now)
	if err == nil || !strings.Contains(err.Error(), "mot de passe") {
		t.Fatalf("weak password: %v", err)
	}
	box, _ := staff.NewSecretBox(secret.Fixed([]byte(strings.Repeat("k", 32))))
	svc := &staff.Service{Members: st, Sessions: st, Attempts: st, Passwords: argon2id.Default(), TOTP: totp.Authenticator{}, Box: box}
	if _, err := svc.Login(ctx, "premier@mairie.fr", "Gestion-2026x", now); err != nil {
		t.Fatalf("login of the created member: %v", err)
	}
}

func TestCodePrintsTheCurrentCode(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"code", "-secret", "PREAUDEMOGESTIONLAIGNEVILLEDEMOA"}, nil, &out, nil, now); err != nil {
		t.Fatal(err)
	}
	want, _ := totp.CodeAt("PREAUDEMOGESTIONLAIGNEVILLEDEMOA", now)
	if strings.TrimSpace(out.String()) != want {
		t.Fatalf("code %q, want %q", out.String(), want)
	}
}
