// Command signup is the Signup Lambda: the "Créer un compte" page and POST /api/v1/signup, the
// anti-robot challenge, the confirmation e-mail (SES) and its link, and resending it.
package main

import (
	"context"
	"net/http"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/accounts/argon2id"
	"github.com/preau/preau/shared/lambdaapp"
	"github.com/preau/preau/shared/mail"
)

func main() {
	lambdaapp.Run("signup", func(ctx context.Context, env *lambdaapp.Env) (http.Handler, error) {
		cfg, st := env.Config, env.Store
		if err := cfg.NeedSecretKey(); err != nil {
			return nil, err
		}
		mailer := mail.NewFromClient(env.AWS, cfg.MailFrom).ForCommune(cfg.CommuneName)
		var anti *accounts.AntiRobot
		if !cfg.AntiRobotDisabled {
			anti = accounts.NewAntiRobot(cfg.SecretKey, accounts.DefaultDifficulty)
		}
		c := accounts.NewConfig(cfg.Clock, cfg.Link, cfg.SubscriberCodePrefix, anti, cfg.SecretKey, argon2id.Default())
		return New(Deps{
			Signups: &accounts.Signups{Config: c, Store: st, Mail: mailer},
			Confirmations: &accounts.Confirmations{Config: c, Store: st, Mail: mailer,
				Family: &accounts.FamilyLinks{Config: c, Store: st, Mail: mailer}},
			Sessions:   env.Sessions,
			Cookies:    env.Cookies,
			Commune:    cfg.CommuneName,
			CodePrefix: cfg.SubscriberCodePrefix,
			HSTS:       env.HSTS,
		})
	})
}
