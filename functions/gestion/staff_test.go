package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/preau/preau/shared/staff"
)

// staffActions is a month of the journal without the logins (which every signed-in test adds).
func staffActions(t *testing.T, f *fixture, month string) []staff.Entry {
	t.Helper()
	entries, err := f.mem.Entries(context.Background(), month)
	if err != nil {
		t.Fatal(err)
	}
	var out []staff.Entry
	for _, e := range entries {
		if e.Target != "gestion" {
			out = append(out, e)
		}
	}
	return out
}

func TestStaffPageAndLoginsInTheJournal(t *testing.T) {
	f := newFixture(t)
	full := f.signIn(t)
	res, body := f.do(t, "GET", "/gestion/personnel", nil, full)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Claire Agent (vous)") || !strings.Contains(body, "enrôlé") ||
		strings.Contains(body, ">jamais<") || strings.Contains(body, agentSecret) {
		t.Fatalf("staff page: %d\n%.3000s", res.StatusCode, body)
	}
	// A wrong password and a wrong code are journaled, as the login was.
	res, _ = f.do(t, "POST", "/gestion/connexion", map[string][]string{"email": {agentEmail}, "password": {"Wrong-2026x"}})
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", res.StatusCode)
	}
	pending := f.pending(t)
	if res, _ = f.do(t, "POST", "/gestion/second-facteur", map[string][]string{"code": {"000000"}}, pending); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong code: %d", res.StatusCode)
	}
	j := journalOf(t, f)
	for _, want := range []string{"Connexion | gestion | jamais connecté → mot de passe et second facteur vérifiés",
		"Connexion refusée | gestion |  → mot de passe incorrect", "Code de second facteur refusé | gestion"} {
		if !strings.Contains(j, want) {
			t.Errorf("journal lacks %q:\n%s", want, j)
		}
	}
	// The demo's clear secret was sealed by its first use.
	m, _ := f.mem.Member(t.Context(), agentEmail)
	if strings.Contains(m.TOTPSecret, agentSecret) {
		t.Errorf("the secret is still stored in clear after a login: %q", m.TOTPSecret)
	}
}
