package main

import (
	"testing"
	"time"

	"github.com/preau/preau/infra/routefuzz"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/reservations/reservationstest"
	"github.com/preau/preau/shared/web"
)

// FuzzRoutes sends hostile paths and queries to every route of Portal, its settings read from
// the in-memory store: no answer is a 5xx.
func FuzzRoutes(f *testing.F) {
	st := reservationstest.NewMemory()
	svc := reservations.New(st, clock.NewFixed(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)), calendar.Default(), cutoff.DefaultPolicy(), reservations.Options{})
	h, err := New(testDeps(Deps{Commune: "Laigneville", MailFrom: "portail-famille@laigneville.fr", Schedule: svc,
		Sessions: fakeSessions{token: sessionToken}, Cookies: web.Cookies{Insecure: true}}))
	if err != nil {
		f.Fatal(err)
	}
	routefuzz.Fuzz(f, routefuzz.Target{
		Function: "Portal",
		Handler:  h,
		Sessions: []string{sessionToken},
		Params:   map[string]string{"file": "preau.css", "method": "PATCH", "path": "connexion"},
		Queries: map[string][]string{
			"GET /api/v1/deadlines": {"from=2026-12-01&to=2026-12-31"},
			"GET /":                 {"suivant=/mon-espace"},
		},
	})
}
