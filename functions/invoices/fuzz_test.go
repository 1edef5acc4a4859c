package main

import (
	"testing"

	"github.com/preau/preau/infra/routefuzz"
)

// FuzzRoutes sends hostile invoice numbers and bodies to every route of Invoices (on the
// in-memory ledger and PayFiP): no answer is a 5xx.
func FuzzRoutes(f *testing.F) {
	fx := setup(f)
	routefuzz.Fuzz(f, routefuzz.Target{
		Function: "Invoices",
		Handler:  fx.h,
		Sessions: []string{"parent-1", "parent-2", "unlinked"},
		Params:   map[string]string{"number": "2026000001"},
		Bodies: map[string][]string{
			"POST /espace-facturation/factures/{number}/paiement": {"x=1"},
			"POST /api/v1/invoices/{number}/payments":             {"{}"},
		},
	})
}
