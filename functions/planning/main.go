// Command planning is the Planning Lambda: the "Planning des activités" page and API, the change
// history, and each parent's secret calendar feed of the family's planning (iCalendar).
package main

import (
	"context"
	"net/http"

	"github.com/preau/preau/shared/lambdaapp"
	"github.com/preau/preau/shared/reservations"
)

func main() {
	lambdaapp.Run("planning", func(ctx context.Context, env *lambdaapp.Env) (http.Handler, error) {
		cfg := env.Config
		svc := env.Reservations(reservations.Options{})
		feeds, err := reservations.NewFeeds(env.Store, svc, cfg.SecretKey)
		if err != nil {
			return nil, err
		}
		return New(Deps{
			Commune:  cfg.CommuneName,
			BaseURL:  cfg.BaseURL.String(),
			Service:  svc,
			Feeds:    feeds,
			Sessions: env.Sessions,
			Cookies:  env.Cookies,
			HSTS:     env.HSTS,
		})
	})
}
