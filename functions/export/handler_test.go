package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/infra/eventstest"
	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/export"
	"github.com/preau/preau/shared/web"
)

// sessions knows one signed-in parent, "parent-a", and one whose account is gone, "gone".
type sessions struct{}

func (sessions) ResolveSession(_ context.Context, token string) (*web.Viewer, error) {
	switch token {
	case "parent-a":
		return &web.Viewer{Email: "camille.martin@example.fr", FirstName: "Camille", LastName: "Martin", FamilyID: "f1"}, nil
	case "gone":
		return &web.Viewer{Email: "parti@example.fr"}, nil
	}
	return nil, nil
}

// gatherer exports what the account reader holds, through the real export.Service.
type gatherer struct{}

func (gatherer) Gather(ctx context.Context, email string, now time.Time) (export.Export, error) {
	svc := &export.Service{Commune: "Laigneville", Accounts: accountsOf{}, Families: nil}
	return svc.Gather(ctx, email, now)
}

type accountsOf struct{}

func (accountsOf) Account(_ context.Context, email string) (accounts.Account, error) {
	if email != "camille.martin@example.fr" {
		return accounts.Account{}, accounts.ErrNotFound
	}
	return accounts.Account{Email: email, Civility: "Mme", LastName: "Martin", FirstName: "Camille",
		CreatedAt: time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)}, nil
}

func newHandler(t testing.TB) http.Handler {
	t.Helper()
	h, err := New(Deps{Commune: "Laigneville", Export: gatherer{}, Sessions: sessions{}, Cookies: web.Cookies{Insecure: true},
		Clock: clock.NewFixed(time.Date(2026, 12, 1, 9, 0, 0, 0, date.Paris))})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func get(t *testing.T, h http.Handler, who, target string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	if who != "" {
		r.AddCookie(&http.Cookie{Name: "preau_session", Value: who})
	}
	if strings.HasPrefix(target, "/api/") {
		r.Header.Set("Accept", "application/json")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestExport(t *testing.T) {
	h := newHandler(t)
	tests := []struct {
		name, who, target string
		status            int
		contentType, body string
	}{
		{"page", "parent-a", "/mon-espace/mes-donnees", 200, "text/html", "Télécharger mes données"},
		{"page, anonymous", "", "/mon-espace/mes-donnees", 303, "", ""},
		{"CSV download", "parent-a", "/mon-espace/mes-donnees/csv", 200, "text/csv", "\ufeffDonnées du portail famille de Laigneville"},
		{"JSON download", "parent-a", "/mon-espace/mes-donnees/json", 200, "application/json", `"email": "camille.martin@example.fr"`},
		{"unknown format", "parent-a", "/mon-espace/mes-donnees/xlsx", 400, "", ""},
		{"API", "parent-a", "/api/v1/me/export", 200, "application/json", `"commune": "Laigneville"`},
		{"API, CSV", "parent-a", "/api/v1/me/export?format=csv", 200, "text/csv", "Compte\r\nE-mail;Civilité;Nom;Prénom"},
		{"API, bad format", "parent-a", "/api/v1/me/export?format=pdf", 400, "application/problem+json", "invalid-format"},
		{"API, anonymous", "", "/api/v1/me/export", 401, "application/problem+json", "unauthenticated"},
		{"API, account gone", "gone", "/api/v1/me/export", 401, "application/problem+json", "unauthenticated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := get(t, h, tt.who, tt.target)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %.300s", w.Code, tt.status, w.Body)
			}
			if !strings.HasPrefix(w.Header().Get("Content-Type"), tt.contentType) || !strings.Contains(w.Body.String(), tt.body) {
				t.Errorf("%s: %.400s", w.Header().Get("Content-Type"), w.Body)
			}
			if tt.status == 200 && tt.contentType != "text/html" {
				if cd := w.Header().Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="mes-donnees-portail-famille-2026-12-01.`) {
					t.Errorf("Content-Disposition %q", cd)
				}
				if w.Header().Get("Cache-Control") != "no-store" {
					t.Error("an export may be cached")
				}
			}
		})
	}
}

func TestSampleEvents(t *testing.T) {
	eventstest.Replay(t, "events", func(t *testing.T) http.Handler { return newHandler(t) })
}

// Pages are parsed when first shown: every one of them must parse.
func TestPagesParse(t *testing.T) {
	if err := web.CheckPages(escaped); err != nil {
		t.Fatal(err)
	}
}
