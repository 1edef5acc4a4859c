package main

import (
	"testing"

	"github.com/preau/preau/infra/routefuzz"
)

// FuzzRoutes sends hostile bodies and forms to every route of LongPeriod, on the in-memory
// store: no answer is a 5xx.
func FuzzRoutes(f *testing.F) {
	routefuzz.Fuzz(f, routefuzz.Target{
		Function: "LongPeriod",
		Handler:  setup(f).Handler,
		Sessions: []string{"parent-a", "unlinked", "left"},
		Bodies: map[string][]string{
			"POST /api/v1/long-period-requests": {`{"children":["c_lea"],"activities":["cantine"],"from":"2026-12-07","to":"2026-12-18","weekdays":[1,2,4,5],"action":"book","preview":true}`},
			"POST /espace-famille/longue-periode": {
				"etape=apercu&enfant=c_lea&activite=cantine&du=2026-12-07&au=2026-12-18&jour=1&jour=2&action=book",
				"etape=confirmer&enfant=c_lea&activite=cantine&du=2026-12-07&au=2026-12-18&jour=1&action=cancel"},
		},
	})
}
