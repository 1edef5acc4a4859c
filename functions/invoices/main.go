// Command invoices is the Invoices Lambda: "Espace facturation" (the family's invoices, their
// detail and PDF, "Payer en ligne" through PayFiP until the due date, the return from PayFiP)
// and /api/v1/invoices.
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
	lambdaapp.Run("invoices", func(ctx context.Context, env *lambdaapp.Env) (http.Handler, error) {
		cfg := env.Config
		bc, err := config.BillingFromEnv()
		if err != nil {
			return nil, err
		}
		mailer := mail.NewFromClient(env.AWS, cfg.MailFrom).ForCommune(cfg.CommuneName)
		return New(Deps{
			Commune:       cfg.CommuneName,
			PaymentOrigin: bc.PayFiP.Scheme + "://" + bc.PayFiP.Host,
			Regie:         Regie{Name: bc.Regie, Address: bc.Address},
			Invoices:      env.Store,
			Payer: &billing.Checkout{Invoices: env.Store, Payments: env.Store, Households: env.Store, Notifier: mailer,
				Provider: payfip.New(bc.PayFiP, nil), Link: cfg.Link, NumCli: bc.NumCli, Saisie: bc.Saisie},
			Clock:    cfg.Clock,
			Sessions: env.Sessions,
			Cookies:  env.Cookies,
			HSTS:     env.HSTS,
		})
	})
}
