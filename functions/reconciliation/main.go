// Command reconciliation is the Reconciliation Lambda: every 10 minutes it asks PayFiP for the
// result of each payment attempt still pending and younger than 24 hours, so that a lost
// notification still ends in the right state.
package main

import (
	"context"

	"github.com/preau/preau/shared/lambdaapp"
	"github.com/preau/preau/shared/lambdaapp/checkout"
)

func main() {
	lambdaapp.RunJob("reconciliation", func(ctx context.Context, env *lambdaapp.Env) (lambdaapp.Job, error) {
		co, _, err := checkout.New(env)
		if err != nil {
			return nil, err
		}
		return New(Deps{
			Reconciler: co,
			Clock:      env.Config.Clock,
		})
	})
}
