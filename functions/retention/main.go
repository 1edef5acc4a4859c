// Command retention is the Retention function, a nightly scheduled job: it warns by e-mail the
// parents whose account nobody used for the retention period, deletes the accounts whose warning
// went unanswered and those never confirmed, and purges the reservation days past their records'
// retention (shared/retention); then it gives back the seats of the days to come that no child
// holds (reservations.FreeLostSeats). main wires configuration and clients once per cold start.
package main

import (
	"context"

	"github.com/preau/preau/shared/config"
	"github.com/preau/preau/shared/lambdaapp"
	"github.com/preau/preau/shared/mail"
	"github.com/preau/preau/shared/retention"
)

func main() {
	lambdaapp.RunJob("retention", func(ctx context.Context, env *lambdaapp.Env) (lambdaapp.Job, error) {
		cfg := env.Config
		policy, _, err := config.RetentionFromEnv()
		if err != nil {
			return nil, err
		}
		return NewJob(&retention.Job{
			Policy:    policy,
			Store:     env.Store,
			Mail:      mail.NewFromClient(env.AWS, cfg.MailFrom).ForCommune(cfg.CommuneName),
			LoginLink: cfg.Link("/connexion"),
			Threads:   env.Store,
		}, env.Store, cfg.Clock), nil
	})
}
