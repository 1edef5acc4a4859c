// Command portal is the Portal function: the public pages (Accueil, Informations utiles,
// Conditions d'utilisation, Nous contacter (the parents' messages to the town hall), Politique de confidentialité, Mentions légales,
// Déclaration d'accessibilité), the shared static assets, GET /api/v1/deadlines
// and the OpenAPI document. main wires configuration and clients once per cold start.
package main

import (
	"context"
	"net/http"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/config"
	"github.com/preau/preau/shared/lambdaapp"
	"github.com/preau/preau/shared/mail"
	"github.com/preau/preau/shared/messages"
	"github.com/preau/preau/shared/reservations"
)

func main() {
	lambdaapp.Run("portal", func(ctx context.Context, env *lambdaapp.Env) (http.Handler, error) {
		cfg := env.Config
		legal, err := config.LegalFromEnv()
		if err != nil {
			return nil, err
		}
		kept, logDays, err := config.RetentionFromEnv()
		if err != nil {
			return nil, err
		}
		contact, err := config.ContactFromEnv()
		if err != nil {
			return nil, err
		}
		if err := cfg.NeedSecretKey(); err != nil {
			return nil, err
		}
		var anti *accounts.AntiRobot
		if !cfg.AntiRobotDisabled {
			anti = accounts.NewAntiRobot(cfg.SecretKey, accounts.DefaultDifficulty)
		}
		// The contact form checks a human, and takes no password: no hasher.
		human := &accounts.HumanCheck{Config: accounts.NewConfig(cfg.Clock, cfg.Link, cfg.SubscriberCodePrefix, anti, cfg.SecretKey, nil),
			Store: env.Store}
		mailer := mail.NewFromClient(env.AWS, cfg.MailFrom).ForCommune(cfg.CommuneName)
		return New(Deps{
			Commune:  cfg.CommuneName,
			MailFrom: cfg.MailFrom,
			// Deadlines are published by the same rules, kept the same minute, as booking applies.
			Schedule: env.Reservations(reservations.Options{}),
			Sessions: env.Sessions,
			Cookies:  env.Cookies,
			HSTS:     env.HSTS,

			Legal:            legal,
			Retention:        kept,
			LogRetentionDays: logDays,

			Contact:   &messages.Service{Store: env.Store, Notifier: mailer, Human: human, Contact: contact, Link: cfg.Link},
			AntiRobot: human,
		})
	})
}
