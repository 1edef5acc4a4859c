// Command account is the Account Lambda: login and logout, "Mot de passe oublié ?" and the
// reset link, "Mon espace citoyen" (profile, password, family link, deletion) and /api/v1/me.
package main

import (
	"context"
	"net/http"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/lambdaapp"
	"github.com/preau/preau/shared/mail"
)

func main() {
	lambdaapp.Run("account", func(ctx context.Context, env *lambdaapp.Env) (http.Handler, error) {
		cfg := env.Config
		if err := cfg.NeedSecretKey(); err != nil {
			return nil, err
		}
		mailer := mail.NewFromClient(env.AWS, cfg.MailFrom).ForCommune(cfg.CommuneName)
		return New(Deps{
			Service:  accounts.NewService(env.Store, mailer, cfg.Clock, cfg.Link, cfg.SubscriberCodePrefix, nil, cfg.SecretKey),
			Sessions: env.Sessions,
			Cookies:  env.Cookies,
			Commune:  cfg.CommuneName,
			HSTS:     env.HSTS,
		})
	})
}
