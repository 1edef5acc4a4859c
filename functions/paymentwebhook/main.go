// Command paymentwebhook is the PaymentWebhook Lambda: PayFiP's server-to-server notification
// of a card payment (urlnotif). It trusts the idOp only, fetches the result from PayFiP and
// applies it once (shared/billing).
package main

import (
	"context"
	"net/http"

	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/config"
	"github.com/preau/preau/shared/lambdaapp"
	"github.com/preau/preau/shared/mail"
	"github.com/preau/preau/shared/payfip"
)

func main() {
	lambdaapp.Run("paymentwebhook", func(ctx context.Context, env *lambdaapp.Env) (http.Handler, error) {
		cfg := env.Config
		bc, err := config.BillingFromEnv()
		if err != nil {
			return nil, err
		}
		mailer := mail.NewFromClient(env.AWS, cfg.MailFrom).ForCommune(cfg.CommuneName)
		return New(Deps{
			Settler: &billing.Checkout{Invoices: env.Store, Payments: env.Store, Households: env.Store, Notifier: mailer,
				Provider: payfip.New(bc.PayFiP, nil), Link: cfg.Link, NumCli: bc.NumCli, Saisie: bc.Saisie},
			Clock: cfg.Clock,
			HSTS:  env.HSTS,
		})
	})
}
