package web

import (
	"embed"
	"net/http"
)

//go:embed static
var static embed.FS

// Static serves the shared assets (stylesheet, progressive-enhancement script) under /static/.
// They are embedded in the binary: no other origin, no inline code, so the CSP stays strict.
func Static() http.Handler {
	fsrv := http.FileServerFS(static)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}
