// Command billing is the Billing Lambda: the monthly invoice run, started by its schedule on the
// 1st of each month at 06:00 Europe/Paris for the previous month (or for the month its event
// names), and on demand from the local stack's /_local/ page.
package main

import (
	"context"

	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/config"
	"github.com/preau/preau/shared/lambdaapp"
	"github.com/preau/preau/shared/mail"
)

func main() {
	lambdaapp.RunJob("billing", func(ctx context.Context, env *lambdaapp.Env) (lambdaapp.Job, error) {
		cfg := env.Config
		bc, err := config.BillingFromEnv()
		if err != nil {
			return nil, err
		}
		mailer := mail.NewFromClient(env.AWS, cfg.MailFrom).ForCommune(cfg.CommuneName)
		return New(Deps{
			Runner: &billing.Runner{Books: env.Store, Ledger: env.Store, Notifier: mailer, Link: cfg.Link, DueDays: bc.DueDays},
			Clock:  cfg.Clock,
		})
	})
}
