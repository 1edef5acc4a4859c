// Command gestion is the Gestion function: the town hall's back-office under /gestion/ (staff
// login with a second factor, the journal of staff actions, families and their subscriber
// codes, children, enrolments, the CSV import, headcounts, the billing desk, closures and the
// school calendar, activity settings, changes made for a family, the parents' messages). main
// wires configuration and clients once per cold start.
package main

import (
	"context"
	"net/http"

	"github.com/preau/preau/shared/accounts/argon2id"
	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/config"
	"github.com/preau/preau/shared/headcount"
	"github.com/preau/preau/shared/lambdaapp"
	"github.com/preau/preau/shared/mail"
	"github.com/preau/preau/shared/messages"
	"github.com/preau/preau/shared/registry"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/staff"
	"github.com/preau/preau/shared/staff/totp"
	"github.com/preau/preau/shared/townhall"
)

func main() {
	lambdaapp.Run("gestion", func(ctx context.Context, env *lambdaapp.Env) (http.Handler, error) {
		cfg := env.Config
		st := env.Store
		if err := cfg.NeedSecretKey(); err != nil {
			return nil, err
		}
		box, err := staff.NewSecretBox(cfg.SecretKey)
		if err != nil {
			return nil, err
		}
		bc, err := config.BillingFromEnv()
		if err != nil {
			return nil, err
		}
		mailer := mail.NewFromClient(env.AWS, cfg.MailFrom).ForCommune(cfg.CommuneName)
		journal := staff.Recorder{Journal: st}
		// Staff act on what they just saved: their rules read settings, closures and school
		// years on every request (no cache), unlike the parents' functions (a minute).
		rules := reservations.New(st, cfg.Clock, cfg.Calendar, cfg.Cutoff, reservations.Options{Holidays: st})
		th := &townhall.Service{Store: st, Rules: rules, Journal: st, Base: cfg.Calendar, Zone: cfg.SchoolZone, Policy: cfg.Cutoff,
			Notifier: mailer, Link: cfg.Link}
		return New(Deps{
			Commune: cfg.CommuneName,
			Auth: &staff.Service{Members: st, Sessions: st, Attempts: st, Issuer: "Préau " + cfg.CommuneName,
				Passwords: argon2id.Default(), TOTP: totp.Authenticator{}, Box: box, Journal: st},
			Journal:    st,
			Registry:   &registry.Service{Store: st, Journal: st, Prefix: cfg.SubscriberCodePrefix},
			Headcounts: &headcount.Counter{Days: st, Families: st, Settings: st, Policy: cfg.Cutoff, Calendars: rules},
			Billing: &billing.Office{Invoices: st, Desk: st, Journal: journal,
				Runner: &billing.Runner{Books: st, Ledger: st, Notifier: mailer, Link: cfg.Link, DueDays: bc.DueDays}},
			Townhall: th,
			Settings: th,
			Messages: &messages.Service{Store: st, Notifier: mailer, Journal: journal, Link: cfg.Link},
			Holidays: th,
			OnBehalf: th,
			Clock:    cfg.Clock,
			Cookies:  env.Cookies,
			HSTS:     env.HSTS,
		})
	})
}
