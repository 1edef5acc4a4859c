package main

import (
	"testing"

	"github.com/preau/preau/infra/routefuzz"
)

// FuzzRoutes sends hostile path parameters, queries and forms to every route of Planning, on
// the in-memory store: no answer is a 5xx.
func FuzzRoutes(f *testing.F) {
	routefuzz.Fuzz(f, routefuzz.Target{
		Function: "Planning",
		Handler:  setup(f).Handler,
		Sessions: []string{"parent-a", "unlinked", "left"},
		Params:   map[string]string{"childId": "c_lea", "token": "0123456789abcdef0123456789abcdef.ics"},
		Queries: map[string][]string{
			"GET /api/v1/children/{childId}/planning": {"from=2026-12-01&to=2026-12-31"},
			"GET /espace-famille/planning":            {"mois=2026-12"},
		},
		Bodies: map[string][]string{"POST /espace-famille/calendrier": {"action=create", "action=delete"}},
	})
}
