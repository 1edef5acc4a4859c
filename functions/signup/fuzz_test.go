package main

import (
	"testing"

	"github.com/preau/preau/infra/routefuzz"
	"github.com/preau/preau/shared/accounts"
)

// FuzzRoutes sends hostile queries, bodies and forms to every route of Signup, on the
// in-memory store (which fails, as DynamoDB does, on a key past DynamoDB's limits, and passes
// the DynamoDB store's contract): no answer is a 5xx.
func FuzzRoutes(f *testing.F) {
	fx := setup(f)
	env := fx.Env
	c := env.Challenge(f)
	solution := accounts.Solve(c.Token, c.Difficulty)
	signup := `{"civility":"Mme","lastName":"Martin","firstName":"Anne","email":"fuzz@example.fr","password":"Laigneville-2026x",` +
		`"passwordConfirmation":"Laigneville-2026x","subscriberCode":"","acceptTerms":true,"antiRobotChallenge":"` + c.Token +
		`","antiRobotSolution":"` + solution + `"}`
	routefuzz.Fuzz(f, routefuzz.Target{
		Function: "Signup",
		Handler:  fx.h,
		Queries:  map[string][]string{"GET /confirm": {"token=abc"}},
		Bodies: map[string][]string{
			"POST /api/v1/signup": {signup},
			"POST /creer-un-compte": {"civility=Mme&lastName=Martin&firstName=Anne&email=fuzz%40example.fr&password=Laigneville-2026x" +
				"&passwordConfirmation=Laigneville-2026x&subscriberCode=&acceptTerms=on&antiRobotChallenge=" + c.Token + "&antiRobotSolution=" + solution},
			"POST /api/v1/confirm":        {`{"token":"abc"}`},
			"POST /confirm":               {"token=abc"},
			"POST /api/v1/signup/resend":  {`{"email":"fuzz@example.fr"}`},
			"POST /renvoyer-confirmation": {"email=fuzz%40example.fr"},
		},
	})
}
