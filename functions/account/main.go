// Command account is the Account Lambda: login and logout, "Mot de passe oublié ?" and the
// reset link, "Mon espace citoyen" (profile, password, family link and members, deletion) and
// /api/v1/me.
package main

import (
	"context"
	"net/http"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/accounts/argon2id"
	"github.com/preau/preau/shared/config"
	"github.com/preau/preau/shared/lambdaapp"
	"github.com/preau/preau/shared/mail"
	"github.com/preau/preau/shared/messages"
)

func main() {
	lambdaapp.Run("account", func(ctx context.Context, env *lambdaapp.Env) (http.Handler, error) {
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
		contact, err := config.ContactFromEnv()
		if err != nil {
			return nil, err
		}
		return New(Deps{
			Messages:   &messages.Service{Store: st, Notifier: mailer, Contact: contact, Link: cfg.Link},
			Logins:     &accounts.Logins{Config: c, Store: st},
			Resets:     &accounts.Resets{Config: c, Store: st, Mail: mailer},
			Passwords:  &accounts.PasswordChanges{Config: c, Store: st, Mail: mailer},
			Profiles:   &accounts.Profiles{Config: c, Store: st},
			Families:   &accounts.FamilyLinks{Config: c, Store: st, Mail: mailer},
			Members:    &accounts.Memberships{Config: c, Store: st, Mail: mailer},
			Deletions:  &accounts.Deletions{Config: c, Store: st},
			Sessions:   env.Sessions,
			Cookies:    env.Cookies,
			Clock:      cfg.Clock,
			Commune:    cfg.CommuneName,
			CodePrefix: cfg.SubscriberCodePrefix,
			HSTS:       env.HSTS,
		})
	})
}
