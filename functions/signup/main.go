// Command signup is the Signup Lambda: the "Créer un compte" page and POST /api/v1/signup, the
// anti-robot challenge, the confirmation e-mail (SES) and its link, and resending it.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/config"
	"github.com/preau/preau/shared/mail"
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
	mailer := mail.NewFromClient(awsCfg, cfg.MailFrom).ForCommune(cfg.CommuneName)
	var anti *accounts.AntiRobot
	if !cfg.AntiRobotDisabled {
		anti = accounts.NewAntiRobot(cfg.SecretKey, accounts.DefaultDifficulty)
	}
	h, err := New(Deps{
		Service:  accounts.NewService(st, mailer, cfg.Clock, cfg.Link, cfg.SubscriberCodePrefix, anti, cfg.SecretKey),
		Sessions: accounts.NewSessionResolver(st, cfg.Clock),
		Cookies:  web.Cookies{Insecure: cfg.CookieInsecure},
		Commune:  cfg.CommuneName,
		HSTS:     !cfg.Local,
	})
	if err != nil {
		fail(err)
	}
	lambda.Start(httpadapter.NewV2(h).ProxyWithContext)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "signup:", err)
	os.Exit(1)
}
