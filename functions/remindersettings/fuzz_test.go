package main

import (
	"testing"

	"github.com/preau/preau/infra/routefuzz"
	"github.com/preau/preau/shared/reminders"
)

// FuzzRoutes sends hostile path parameters, forms and JSON to every route of ReminderSettings
// (the in-memory store): no answer is a 5xx.
func FuzzRoutes(f *testing.F) {
	routefuzz.Fuzz(f, routefuzz.Target{
		Function: "ReminderSettings",
		Handler:  setup(f).h,
		Sessions: []string{"parent-a"},
		Params:   map[string]string{"token": reminders.UnsubscribeToken(testKey, "lea@example.fr")},
		Bodies: map[string][]string{
			"POST /mon-espace/rappels":             {"rappels=oui&activite=cantine&jour=1&jour=5&resume=oui"},
			"PUT /api/v1/me/reminders":             {`{"enabled":true,"activities":["cantine"],"weekdays":[1,2],"weeklySummary":false}`},
			"POST /rappels/desinscription/{token}": {"List-Unsubscribe=One-Click"},
		},
	})
}
