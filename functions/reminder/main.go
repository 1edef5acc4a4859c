// Command reminder is the Reminder Lambda, run by EventBridge Scheduler: at 07:00 and 18:00
// (Europe/Paris) it reminds parents of the unbooked days whose deadline falls in the next 24
// hours, and on Friday evening it sends the weekly summaries of next week's bookings.
package main

import (
	"context"

	"github.com/preau/preau/shared/awscall"
	"github.com/preau/preau/shared/lambdaapp"
	"github.com/preau/preau/shared/mail"
	"github.com/preau/preau/shared/reminders"
	"github.com/preau/preau/shared/reservations"
	"time"
)

func main() {
	lambdaapp.RunJob("reminder", func(ctx context.Context, env *lambdaapp.Env) (lambdaapp.Job, error) {
		cfg := env.Config
		if err := cfg.NeedSecretKey(); err != nil {
			return nil, err
		}
		set, err := settingsFromEnv()
		if err != nil {
			return nil, err
		}
		calls := &Calls{}
		counted := env.Observed(calls.Count)
		var cont Continuer = Retrigger{}
		if !cfg.Local {
			cont = SelfInvoke{Lambda: awscall.New(counted.AWS, "lambda", 10*time.Second)}
		}
		return New(Deps{
			Clock: cfg.Clock,
			Runner: &reminders.Runner{
				Repo:      counted.Store,
				Deadlines: counted.Reservations(reservations.Options{}),
				Notifier:  Notifier{Mailer: mail.NewV2FromConfig(counted.AWS, cfg.MailFrom).ForCommune(cfg.CommuneName), Link: cfg.Link},
				Pacer:     reminders.Rate(set.SendRate),
				Secret:    cfg.SecretKey,
				Window:    set.Window,
			},
			Calls:     calls,
			Continuer: cont,
		})
	})
}
