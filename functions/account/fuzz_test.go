package main

import (
	"context"
	"testing"

	"github.com/preau/preau/infra/routefuzz"
	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/accounts/accountstest"
)

// FuzzRoutes sends hostile queries, bodies and forms to every route of Account, signed in or
// not, on the in-memory store (which fails, as DynamoDB does, on a key past DynamoDB's limits,
// and passes the DynamoDB store's contract): no answer is a 5xx. A 3,000-character e-mail on
// login once reached the throttle key unchecked.
func FuzzRoutes(f *testing.F) {
	fx := setup(f)
	env, s := fx.Env, fx.Service
	_, code := env.Family(f, "Martin", false)
	email := accountstest.Email("fuzz")
	env.ConfirmedAccount(f, email)
	// Sessions enough for every request the corpus sends signed in (none expires: the clock is fixed).
	var sessions []string
	for range 3 {
		res, err := s.Login(context.Background(), accounts.LoginInput{Email: email, Password: accountstest.Password, ClientAddr: accountstest.NewAddr()})
		if err != nil {
			f.Fatal(err)
		}
		sessions = append(sessions, res.Token)
	}
	pw := accountstest.Password
	routefuzz.Fuzz(f, routefuzz.Target{
		Function: "Account",
		Handler:  fx.h,
		Sessions: sessions[:1],
		Params:   map[string]string{"action": "profil"},
		Queries: map[string][]string{
			"GET /connexion":     {"suivant=/mon-espace"},
			"GET /reinitialiser": {"token=abc"},
		},
		Bodies: map[string][]string{
			"POST /api/v1/login":                  {`{"email":"` + email + `","password":"Mauvais-1234","antiRobotChallenge":"","antiRobotSolution":""}`},
			"POST /connexion":                     {"email=fuzz%40example.fr&password=Mauvais-1234&suivant=%2Fmon-espace&antiRobotChallenge=&antiRobotSolution=&antiRobotAnswer="},
			"POST /api/v1/password-reset":         {`{"email":"fuzz@example.fr"}`},
			"POST /mot-de-passe-oublie":           {"email=fuzz%40example.fr"},
			"POST /api/v1/password-reset/confirm": {`{"token":"abc","password":"` + pw + `","passwordConfirmation":"` + pw + `","closeOtherSessions":true}`},
			"POST /reinitialiser":                 {"token=abc&password=" + pw + "&passwordConfirmation=" + pw + "&closeOtherSessions=1"},
			"POST /mon-espace/{action}": {"civility=Mme&lastName=Martin&firstName=Anne",
				"currentPassword=Mauvais-1234&password=Nouveau-Mot-2026&passwordConfirmation=Nouveau-Mot-2026&closeOtherSessions=1",
				"subscriberCode=" + code, "email=someone%40example.fr", "password=Mauvais-1234"},
			"PATCH /api/v1/me":                 {`{"civility":"Mme","lastName":"Martin","firstName":"Anne"}`},
			"PUT /api/v1/me/family":            {`{"subscriberCode":"` + code + `"}`},
			"DELETE /api/v1/me/family/members": {`{"email":"someone@example.fr"}`},
			"PUT /api/v1/me/password":          {`{"currentPassword":"Mauvais-1234","password":"Nouveau-Mot-2026","passwordConfirmation":"Nouveau-Mot-2026","closeOtherSessions":true}`},
			"DELETE /api/v1/me":                {`{"password":"Mauvais-1234"}`},
		},
	})
}
