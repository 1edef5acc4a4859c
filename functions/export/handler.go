package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/export"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/web"
)

// escaped holds the pages, written from templates/ by go generate ./shared/tmpl.
//
//go:embed escaped/*.html
var escaped embed.FS

// Gatherer gathers a parent's export (export.Service).
type Gatherer interface {
	Gather(ctx context.Context, email string, now time.Time) (export.Export, error)
}

// Deps is what the Export handler needs; main.go builds it once per cold start.
type Deps struct {
	Commune  string
	Export   Gatherer
	Clock    clock.Clock
	Sessions web.SessionResolver
	Cookies  web.Cookies
	HSTS     bool
}

type handler struct {
	Deps
	pages *web.Renderer
}

// New returns the Export function's handler: the "Télécharger mes données" page of Mon espace,
// its downloads, and GET /api/v1/me/export.
func New(d Deps) (http.Handler, error) {
	if d.Export == nil || d.Clock == nil || d.Sessions == nil {
		return nil, errors.New("export: export, clock and sessions are required")
	}
	pages, err := web.LoadRenderer(d.Commune, d.Cookies, escaped)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	h := &handler{Deps: d, pages: pages}
	signedIn := web.SignedIn(d.Sessions, d.Cookies)
	mux := web.NewRouter()
	mux.Handle("GET /mon-espace/mes-donnees", signedIn(h.page))
	mux.Handle("GET /mon-espace/mes-donnees/{format}", signedIn(h.download))
	mux.Handle("GET /api/v1/me/export", signedIn(h.api))
	return web.Handler(mux, web.Options{Function: "Export", HSTS: d.HSTS}), nil
}

func (h *handler) page(w http.ResponseWriter, r *http.Request) {
	h.pages.Render(w, r, http.StatusOK, "data", web.Page{Title: "Télécharger mes données", Nav: "espace"})
}

// errFormat refuses a format other than json and csv.
var errFormat = fault.New(fault.Invalid, "invalid-format", "Format inconnu",
	"Choisissez le format json ou csv.")

func (h *handler) download(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, r.PathValue("format"))
}

func (h *handler) api(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "json"
	}
	h.serve(w, r, format)
}

func (h *handler) serve(w http.ResponseWriter, r *http.Request, format string) {
	if format != "json" && format != "csv" {
		web.Error(w, r, errFormat)
		return
	}
	v := web.ViewerFrom(r.Context())
	now := h.Clock.Now()
	ex, err := h.Export.Gather(r.Context(), v.Email, now)
	if errors.Is(err, export.ErrNoAccount) {
		web.Error(w, r, web.ErrUnauthenticated)
		return
	}
	if err != nil {
		web.Error(w, r, fmt.Errorf("export: %w", err))
		return
	}
	var body []byte
	var contentType string
	if format == "csv" {
		body, err = ex.CSV()
		contentType = "text/csv; charset=utf-8"
	} else {
		body, err = ex.JSON()
		contentType = "application/json; charset=utf-8"
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="mes-donnees-portail-famille-%s.%s"`, date.Of(now), format))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
