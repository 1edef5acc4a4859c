// Command reservation is the Reservation Lambda: it books one activity day for a child, from
// the planning page's form (POST /espace-famille/reservations) or the JSON API
// (PUT /api/v1/children/{childId}/reservations/{date}/{activity}).
package main

import (
	"context"
	"net/http"

	"github.com/preau/preau/shared/lambdaapp"
	"github.com/preau/preau/shared/reservations"
)

func main() {
	lambdaapp.Run("reservation", func(ctx context.Context, env *lambdaapp.Env) (http.Handler, error) {
		return New(Deps{
			Service:  env.Reservations(reservations.Options{}),
			Sessions: env.Sessions,
			Cookies:  env.Cookies,
			HSTS:     env.HSTS,
		})
	})
}
