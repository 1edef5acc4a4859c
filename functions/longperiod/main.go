// Command longperiod is the LongPeriod Lambda: "Faire une demande sur une longue période" —
// book or cancel many days at once (page with preview and confirmation, and the JSON API), each
// day under its own deadline, then a summary e-mail.
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
	"github.com/preau/preau/shared/mail"
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
		Commune:  cfg.CommuneName,
		BaseURL:  cfg.BaseURL.String(),
		Policy:   cfg.Cutoff,
		Mailer:   mail.NewFromClient(awsCfg, cfg.MailFrom).ForCommune(cfg.CommuneName),
		Service:  reservations.New(st, cfg.Clock, calendar.Default(), cfg.Cutoff, reservations.Options{SettingsTTL: time.Minute}),
		Sessions: accounts.NewSessionResolver(st, cfg.Clock),
		Cookies:  web.Cookies{Insecure: cfg.CookieInsecure},
		HSTS:     !cfg.Local,
	})
	if err != nil {
		fail(err)
	}
	lambda.Start(httpadapter.NewV2(h).ProxyWithContext)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "longperiod:", err)
	os.Exit(1)
}
