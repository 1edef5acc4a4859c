// Command planning is the Planning Lambda: the "Planning des activités" page and API, the change
// history, and each family's secret calendar feed (iCalendar).
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/config"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/store"
	"github.com/preau/preau/shared/web"
)

func main() {
	web.InitLogging()
	ctx := context.Background()
	cfg, err := config.FromEnv()
	if err != nil {
		fail(err)
	}
	awsCfg, err := config.AWS(ctx)
	if err != nil {
		fail(err)
	}
	st := store.NewFromConfig(awsCfg, store.Tables{Data: cfg.DataTable, Session: cfg.SessionTable})
	h, err := New(Deps{
		Commune:   cfg.CommuneName,
		BaseURL:   cfg.BaseURL.String(),
		SecretKey: cfg.SecretKey,
		Policy:    cfg.Cutoff,
		Feeds:     st,
		Service:   reservations.New(st, cfg.Clock, calendar.Default(), cfg.Cutoff, reservations.Options{SettingsTTL: time.Minute}),
		Sessions:  accounts.NewSessionResolver(st, cfg.Clock),
		Cookies:   web.Cookies{Insecure: cfg.CookieInsecure},
		HSTS:      !cfg.Local,
	})
	if err != nil {
		fail(err)
	}
	lambda.Start(httpadapter.NewV2(h).ProxyWithContext)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "planning:", err)
	os.Exit(1)
}
