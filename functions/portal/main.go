// Command portal is the Portal function: the public pages (Accueil, Informations utiles,
// Conditions d'utilisation, Nous contacter), the shared static assets, GET /api/v1/deadlines
// and the OpenAPI document. main wires configuration and clients once per cold start.
package main

import (
	"context"
	"net/http"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/lambdaapp"
)

func main() {
	lambdaapp.Run("portal", func(ctx context.Context, env *lambdaapp.Env) (http.Handler, error) {
		cfg := env.Config
		return New(Deps{
			Commune:  cfg.CommuneName,
			MailFrom: cfg.MailFrom,
			Policy:   cfg.Cutoff,
			Calendar: calendar.Default(),
			Closures: env.Store,
			Clock:    cfg.Clock,
			Sessions: env.Sessions,
			Cookies:  env.Cookies,
			HSTS:     env.HSTS,

			// Activity cutoffs and closures are kept a minute, as the booking functions keep them.
			Activities:  env.Store,
			SettingsTTL: time.Minute,
		})
	})
}
