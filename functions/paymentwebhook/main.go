// Command paymentwebhook is the PaymentWebhook Lambda: PayFiP's server-to-server notification
// of a card payment (urlnotif). It trusts the idOp only, fetches the result from PayFiP and
// applies it once (shared/billing).
package main

import (
	"context"
	"net/http"

	"github.com/preau/preau/shared/lambdaapp"
	"github.com/preau/preau/shared/lambdaapp/checkout"
)

func main() {
	lambdaapp.Run("paymentwebhook", func(ctx context.Context, env *lambdaapp.Env) (http.Handler, error) {
		co, _, err := checkout.New(env)
		if err != nil {
			return nil, err
		}
		return New(Deps{
			Settler: co,
			Clock:   env.Config.Clock,
			HSTS:    env.HSTS,
		})
	})
}
