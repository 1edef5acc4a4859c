package main

import (
	"testing"

	"github.com/preau/preau/infra/routefuzz"
)

// FuzzRoutes sends hostile path parameters and forms to every route of Reservation, on the
// in-memory store: no answer is a 5xx.
func FuzzRoutes(f *testing.F) {
	routefuzz.Fuzz(f, routefuzz.Target{
		Function: "Reservation",
		Handler:  setup(f).Handler,
		Sessions: []string{"parent-a", "unlinked", "left"},
		Params:   map[string]string{"childId": "c_lea", "date": "2026-12-07", "activity": "cantine"},
		Bodies: map[string][]string{"POST /espace-famille/reservations": {
			"child=c_lea&date=2026-12-07&activity=cantine&mois=2026-12"}},
	})
}
