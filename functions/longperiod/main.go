// Command longperiod is the LongPeriod Lambda: "Faire une demande sur une longue période" —
// book or cancel many days at once (page with preview and confirmation, and the JSON API), each
// day under its own deadline, then a summary e-mail.
package main

import (
	"context"
	"net/http"

	"github.com/preau/preau/shared/lambdaapp"
	"github.com/preau/preau/shared/mail"
	"github.com/preau/preau/shared/reservations"
)

func main() {
	lambdaapp.Run("longperiod", func(ctx context.Context, env *lambdaapp.Env) (http.Handler, error) {
		cfg := env.Config
		return New(Deps{
			Commune: cfg.CommuneName,
			Service: env.Reservations(reservations.Options{
				Notifier: mail.NewFromClient(env.AWS, cfg.MailFrom).ForCommune(cfg.CommuneName),
			}),
			Sessions: env.Sessions,
			Cookies:  env.Cookies,
			HSTS:     env.HSTS,
		})
	})
}
