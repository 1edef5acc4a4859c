// Command gestion is the Gestion function: the town hall's back-office under /gestion/ (staff
// login with a second factor, the journal of staff actions, families and their subscriber
// codes, children, enrolments, the CSV import, headcounts, the billing desk). main wires configuration and clients once per cold start.
package main

import (
	"context"
	"net/http"
	"time"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/config"
	"github.com/preau/preau/shared/headcount"
	"github.com/preau/preau/shared/lambdaapp"
	"github.com/preau/preau/shared/mail"
	"github.com/preau/preau/shared/registry"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/staff"
)

func main() {
	lambdaapp.Run("gestion", func(ctx context.Context, env *lambdaapp.Env) (http.Handler, error) {
		cfg := env.Config
		st := env.Store
		bc, err := config.BillingFromEnv()
		if err != nil {
			return nil, err
		}
		mailer := mail.NewFromClient(env.AWS, cfg.MailFrom).ForCommune(cfg.CommuneName)
		journal := staff.Recorder{Journal: st}
		return New(Deps{
			Commune: cfg.CommuneName,
			Auth: &staff.Service{Members: st, Sessions: st, Attempts: st, Issuer: "Préau " + cfg.CommuneName,
				Hash: accounts.DefaultHashParams},
			Journal:  st,
			Registry: &registry.Service{Store: st, Journal: st, Prefix: cfg.SubscriberCodePrefix},
			Headcounts: &headcount.Counter{Days: st, Families: st, Settings: st, Policy: cfg.Cutoff,
				Calendars: reservations.New(st, cfg.Clock, calendar.Default(), cfg.Cutoff, reservations.Options{SettingsTTL: time.Minute})},
			Billing: &billing.Office{Invoices: st, Desk: st, Journal: journal,
				Runner: &billing.Runner{Books: st, Ledger: st, Notifier: mailer, Link: cfg.Link, DueDays: bc.DueDays}},
			Clock:   cfg.Clock,
			Cookies: env.Cookies,
			HSTS:    env.HSTS,
		})
	})
}
