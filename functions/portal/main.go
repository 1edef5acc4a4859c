// Command portal is the Portal function: the public pages (Accueil, Informations utiles,
// Conditions d'utilisation, Nous contacter), the shared static assets, GET /api/v1/deadlines
// and the OpenAPI document. main wires configuration and clients once per cold start.
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
	"github.com/preau/preau/shared/store"
	"github.com/preau/preau/shared/web"
)

func main() {
	web.InitLogging()
	cfg, err := config.FromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, "portal:", err)
		os.Exit(1)
	}
	awsCfg, err := config.AWS(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "portal:", err)
		os.Exit(1)
	}
	st := store.NewFromConfig(awsCfg, store.Tables{Data: cfg.DataTable, Session: cfg.SessionTable})
	h, err := New(Deps{
		Commune:  cfg.CommuneName,
		MailFrom: cfg.MailFrom,
		Policy:   cfg.Cutoff,
		Calendar: calendar.Default(),
		Closures: st,
		Clock:    cfg.Clock,
		Sessions: accounts.NewSessionResolver(st, cfg.Clock),
		Cookies:  web.Cookies{Insecure: cfg.CookieInsecure},
		HSTS:     !cfg.Local,

		// Activity cutoffs and closures are kept a minute, as the booking functions keep them.
		Activities:  st,
		SettingsTTL: time.Minute,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "portal:", err)
		os.Exit(1)
	}
	lambda.Start(httpadapter.NewV2(h).ProxyWithContext)
}
