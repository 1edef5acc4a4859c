package main

import (
	"testing"
	"time"

	"github.com/preau/preau/infra/routefuzz"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/web"
)

// FuzzRoutes sends hostile formats and queries to every route of Export, over the real
// export.Service on the test's account reader (no emulator): no answer is a 5xx. What the
// export gathers from the DynamoDB tables is tested in shared/export against the emulator.
func FuzzRoutes(f *testing.F) {
	h, err := New(Deps{Commune: "Laigneville", Export: gatherer{}, Sessions: sessions{}, Cookies: web.Cookies{Insecure: true},
		Clock: clock.NewFixed(time.Date(2026, 12, 1, 9, 0, 0, 0, date.Paris))})
	if err != nil {
		f.Fatal(err)
	}
	routefuzz.Fuzz(f, routefuzz.Target{
		Function: "Export",
		Handler:  h,
		Sessions: []string{"parent-a", "gone"},
		Params:   map[string]string{"format": "csv"},
		Queries:  map[string][]string{"GET /api/v1/me/export": {"format=json"}},
	})
}
