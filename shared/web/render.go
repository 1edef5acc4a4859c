package web

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/fr"
	"github.com/preau/preau/shared/tmpl"
)

// escaped holds the shared layout, its partials and the error page, escaped from templates/ by
// go generate ./shared/tmpl: the base of every function's pages but the back-office's.
//
//go:embed escaped/base.tmpl
var escaped embed.FS

// layout is the shared layout, parsed by the first page or error page shown.
var layout = Layout(escaped, "escaped/base.tmpl", nil)

// Page is what every page template receives. Pages read their own data from .Data.
type Page struct {
	Title   string  // the page's <title> and <h1>
	Nav     string  // the active menu entry: "accueil", "espace", "famille", "facturation", "contact", "infos"
	Commune string  // filled by Render
	Viewer  *Viewer // filled by Render from the request
	Flash   string  // filled by Render from the flash cookie
	Errors  []FieldErrorView
	Data    any
}

// FieldErrorView is a field error as a form shows it (error summary linking to the field).
type FieldErrorView struct{ Field, Detail string }

// Renderer renders a function's pages inside the shared layout.
type Renderer struct {
	commune string
	cookies Cookies
	pages   *Pages
}

// Funcs are the helpers every template may use.
var Funcs = tmpl.FuncMap{
	"longDate":     fr.LongDate,
	"longDateYear": fr.LongDateYear,
	"deadline":     fr.DeadlineText,
	"euros":        fr.Euros,
	// moment writes an instant as parents read it: "mardi 1er décembre 2026 à 9h05" (Paris).
	"moment":  func(t time.Time) string { return fr.LongDateYear(date.Of(t)) + " à " + fr.Clock(t) },
	"iso":     func(d date.Date) string { return d.String() },
	"rfc3339": func(t time.Time) string { return t.Format(time.RFC3339) },
	"fieldError": func(errs []FieldErrorView, field string) string {
		for _, e := range errs {
			if e.Field == field {
				return e.Detail
			}
		}
		return ""
	},
	"join": strings.Join,
}

var communeName = "Préau"

// NewRenderer renders the pages of pages, a function's escaped pages over the shared layout
// (see Pages).
func NewRenderer(commune string, cookies Cookies, pages fs.FS) *Renderer {
	communeName = commune
	return &Renderer{commune: commune, cookies: cookies, pages: NewPages(pages, layout)}
}

// LoadRenderer is NewRenderer over a function's embedded escaped folder (its
// `//go:embed escaped/*.html`, written from its templates folder by go generate ./shared/tmpl),
// the way every function with pages builds its renderer.
func LoadRenderer(commune string, cookies Cookies, embedded fs.FS) (*Renderer, error) {
	pages, err := fs.Sub(embedded, "escaped")
	if err != nil {
		return nil, fmt.Errorf("escaped pages: %w", err)
	}
	return NewRenderer(commune, cookies, pages), nil
}

// CheckPages parses the error page and every page of a function's embedded escaped folder now:
// the test each function with pages runs, since the renderer parses them only when shown.
func CheckPages(embedded fs.FS) error {
	rd, err := LoadRenderer("", Cookies{}, embedded)
	if err != nil {
		return err
	}
	if _, err := layout(); err != nil {
		return err
	}
	return rd.pages.ParseAll()
}

// Render writes page name with status code. It renders to a buffer first so that a template
// error becomes a clean 500 rather than half a page.
func (rd *Renderer) Render(w http.ResponseWriter, r *http.Request, code int, name string, p Page) {
	t, err := rd.pages.Lookup(name)
	if err != nil {
		Error(w, r, fmt.Errorf("render: %w", err))
		return
	}
	p.Commune = rd.commune
	p.Viewer = ViewerFrom(r.Context())
	if p.Flash == "" {
		p.Flash = rd.cookies.TakeFlash(w, r)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, "layout.html", p); err != nil {
		Error(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	writeHTML(w, code, buf.Bytes())
}

// FormErrors converts a refusal's field errors for a page.
func FormErrors(err error) []FieldErrorView {
	p := ProblemFor(err)
	out := make([]FieldErrorView, 0, len(p.Errors))
	for _, e := range p.Errors {
		out = append(out, FieldErrorView{Field: e.Field, Detail: e.Detail})
	}
	return out
}

func writeHTML(w http.ResponseWriter, code int, body []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

func renderErrorPage(w http.ResponseWriter, r *http.Request, p Problem) {
	page := Page{Title: p.Title, Commune: communeName, Viewer: ViewerFrom(r.Context()), Data: p}
	var buf bytes.Buffer
	t, err := layout()
	if err == nil {
		err = t.Execute(&buf, "error-page", page)
	}
	if err != nil {
		slog.ErrorContext(r.Context(), "error page", "err", err.Error())
		http.Error(w, p.Title, p.Status)
		return
	}
	writeHTML(w, p.Status, buf.Bytes())
}
