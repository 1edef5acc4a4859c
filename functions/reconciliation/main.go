// Command reconciliation is the Reconciliation Lambda: every 10 minutes it asks PayFiP for the
// result of each payment attempt still pending and younger than 24 hours, so that a lost
// notification still ends in the right state.
package main

import (
	"context"

	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/config"
	"github.com/preau/preau/shared/lambdaapp"
	"github.com/preau/preau/shared/mail"
	"github.com/preau/preau/shared/payfip"
)

func main() {
	lambdaapp.RunJob("reconciliation", func(ctx context.Context, env *lambdaapp.Env) (lambdaapp.Job, error) {
		cfg := env.Config
		bc, err := config.BillingFromEnv()
		if err != nil {
			return nil, err
		}
		mailer := mail.NewFromClient(env.AWS, cfg.MailFrom).ForCommune(cfg.CommuneName)
		return New(Deps{
			Reconciler: &billing.Checkout{Invoices: env.Store, Payments: env.Store, Households: env.Store, Notifier: mailer,
				Provider: payfip.New(bc.PayFiP, nil), Link: cfg.Link, NumCli: bc.NumCli, Saisie: bc.Saisie},
			Clock: cfg.Clock,
		})
	})
}
