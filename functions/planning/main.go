// Command planning is the Planning Lambda: the "Planning des activités" page and API, the change
// history, and each parent's secret calendar feed of the family's planning (iCalendar).
package main

import (
	"context"
	"net/http"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/lambdaapp"
	"github.com/preau/preau/shared/reservations"
)

func main() {
	lambdaapp.Run("planning", func(ctx context.Context, env *lambdaapp.Env) (http.Handler, error) {
		cfg := env.Config
		return New(Deps{
			Commune:   cfg.CommuneName,
			BaseURL:   cfg.BaseURL.String(),
			SecretKey: cfg.SecretKey,
			Policy:    cfg.Cutoff,
			Feeds:     env.Store,
			Service:   reservations.New(env.Store, cfg.Clock, calendar.Default(), cfg.Cutoff, reservations.Options{SettingsTTL: time.Minute}),
			Sessions:  env.Sessions,
			Cookies:   env.Cookies,
			HSTS:      env.HSTS,
		})
	})
}
