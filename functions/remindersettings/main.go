// Command remindersettings is the ReminderSettings Lambda: Mon espace → Rappels (what reminders
// a parent gets, page and JSON API) and the one-click unsubscribe link of every reminder e-mail,
// which works without logging in.
package main

import (
	"context"
	"net/http"

	"github.com/preau/preau/shared/lambdaapp"
)

func main() {
	lambdaapp.Run("remindersettings", func(ctx context.Context, env *lambdaapp.Env) (http.Handler, error) {
		if err := env.Config.NeedSecretKey(); err != nil {
			return nil, err
		}
		return New(Deps{
			Commune:  env.Config.CommuneName,
			Prefs:    env.Store,
			Secret:   env.Config.SecretKey,
			Sessions: env.Sessions,
			Cookies:  env.Cookies,
			HSTS:     env.HSTS,
		})
	})
}
