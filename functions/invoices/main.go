// Command invoices is the Invoices Lambda: "Espace facturation" (the family's invoices, their
// detail and PDF, "Payer en ligne" through PayFiP until the due date, the return from PayFiP)
// and /api/v1/invoices.
package main

import (
	"context"
	"net/http"

	"github.com/preau/preau/shared/lambdaapp"
	"github.com/preau/preau/shared/lambdaapp/checkout"
)

func main() {
	lambdaapp.Run("invoices", func(ctx context.Context, env *lambdaapp.Env) (http.Handler, error) {
		cfg := env.Config
		co, bc, err := checkout.New(env)
		if err != nil {
			return nil, err
		}
		return New(Deps{
			Commune:       cfg.CommuneName,
			PaymentOrigin: bc.PayFiP.Scheme + "://" + bc.PayFiP.Host,
			Regie:         Regie{Name: bc.Regie, Address: bc.Address},
			Invoices:      env.Store,
			Payer:         co,
			Clock:         cfg.Clock,
			Sessions:      env.Sessions,
			Cookies:       env.Cookies,
			HSTS:          env.HSTS,
		})
	})
}
