// Command export is the Export function: "Télécharger mes données" in Mon espace citoyen and
// GET /api/v1/me/export, everything Préau holds on the signed-in parent and their family (the
// right of access and portability), as JSON or CSV. main wires configuration and clients once
// per cold start.
package main

import (
	"context"
	"net/http"

	"github.com/preau/preau/shared/export"
	"github.com/preau/preau/shared/lambdaapp"
)

func main() {
	lambdaapp.Run("export", func(ctx context.Context, env *lambdaapp.Env) (http.Handler, error) {
		cfg := env.Config
		return New(Deps{
			Commune:  cfg.CommuneName,
			Export:   export.NewService(cfg.CommuneName, env.Store),
			Clock:    cfg.Clock,
			Sessions: env.Sessions,
			Cookies:  env.Cookies,
			HSTS:     env.HSTS,
		})
	})
}
