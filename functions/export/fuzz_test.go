package main

import (
	"testing"

	"github.com/preau/preau/infra/routefuzz"
)

// FuzzRoutes sends hostile formats and queries to every route of Export, over the real
// export.Service on the test's account reader (no emulator): no answer is a 5xx. What the
// export gathers from the DynamoDB tables is tested in shared/export against the emulator.
func FuzzRoutes(f *testing.F) {
	routefuzz.Fuzz(f, routefuzz.Target{
		Function: "Export",
		Handler:  newHandler(f),
		Sessions: []string{"parent-a", "gone"},
		Params:   map[string]string{"format": "csv"},
		Queries:  map[string][]string{"GET /api/v1/me/export": {"format=json"}},
	})
}
