package main

import (
	"testing"

	"github.com/preau/preau/infra/routefuzz"
)

// FuzzRoutes sends hostile notifications (idOp and idop fields, query strings, bodies) to
// PaymentWebhook's routes (on the in-memory ledger and PayFiP): no answer is a 5xx.
func FuzzRoutes(f *testing.F) {
	fx := setup(f)
	routefuzz.Fuzz(f, routefuzz.Target{
		Function: "PaymentWebhook",
		Handler:  fx.h,
		Queries:  map[string][]string{"GET /paiements/payfip/notification": {"idOp=op0001", "idop=op0001"}},
		Bodies:   map[string][]string{"POST /paiements/payfip/notification": {"idOp=op0001", "idop=op0001"}},
	})
}
