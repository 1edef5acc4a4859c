package main

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"time"

	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/registry"
	"github.com/preau/preau/shared/staff"
	"github.com/preau/preau/shared/tmpl"
	"github.com/preau/preau/shared/townhall"
	"github.com/preau/preau/shared/web"
)

// escaped holds the pages and their layout (base.tmpl), written from templates/ by go generate
// ./shared/tmpl.
//
//go:embed escaped/*.html escaped/base.tmpl
var escaped embed.FS

// Auth is the staff login and sessions (*staff.Service).
type Auth interface {
	Login(ctx context.Context, email, password string, now time.Time) (string, error)
	Resolve(ctx context.Context, token string, now time.Time) (*staff.Viewer, error)
	PendingSecret(ctx context.Context, token string, now time.Time) (string, error)
	SecondFactor(ctx context.Context, token, code string, now time.Time) (string, error)
	Logout(ctx context.Context, token string) error
	Directory(ctx context.Context) ([]staff.Member, error)
}

// Journal lists the staff actions (*store.Store).
type Journal interface {
	Entries(ctx context.Context, month string) ([]staff.Entry, error)
}

// Deps is what the Gestion handler needs; main.go builds it once per cold start.
type Deps struct {
	Commune    string
	Auth       Auth
	Journal    Journal
	Registry   Registry    // the register of families
	Headcounts Headcounts  // the kitchen's and centres' numbers
	Billing    BillingDesk // the invoice run, invoices, payments, overpayments
	Townhall   Townhall    // closures, school holidays, changes for a family
	Settings   Settings    // the activities' settings
	Messages   Messages    // "Nous contacter": the parents' messages and the answers
	Holidays   Holidays    // the school holidays of the years to come
	OnBehalf   OnBehalf    // staff changes on a family's days
	Clock      clock.Clock
	Cookies    web.Cookies
	HSTS       bool
}

type gestion struct {
	Deps
	pages *web.Pages
}

// New returns the Gestion function's handler. Its pages are parsed when first shown.
func New(d Deps) (http.Handler, error) {
	g := &gestion{Deps: d}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	g.pages = pages

	mux := web.NewRouter()
	for _, rt := range g.routes() {
		h := rt.public
		if h == nil {
			h = g.staffOnly(rt.staff)
		}
		mux.HandleFunc(rt.Method+" "+rt.Path, h)
	}
	mux.HandleFunc("/gestion/", g.staffOnly(g.notFound))
	return web.Handler(mux, web.Options{Function: "gestion", HSTS: d.HSTS}), nil
}

// Route is one page or form of the back-office.
type Route struct {
	Method, Path string
	Public       bool // reachable without a staff session (login, second factor, logout)
	public       http.HandlerFunc
	staff        func(http.ResponseWriter, *http.Request, *staff.Viewer)
}

// Routes lists every route of the back-office, for the tests of who reaches what.
var Routes = (&gestion{}).routes()

func (g *gestion) routes() []Route {
	return []Route{
		{Method: "GET", Path: "/gestion", Public: true, public: redirectHome},
		{Method: "GET", Path: "/gestion/{$}", Public: true, public: redirectHome},
		{Method: "GET", Path: "/gestion/connexion", Public: true, public: g.loginPage},
		{Method: "POST", Path: "/gestion/connexion", Public: true, public: g.login},
		{Method: "GET", Path: "/gestion/second-facteur", Public: true, public: g.codePage},
		{Method: "POST", Path: "/gestion/second-facteur", Public: true, public: g.code},
		{Method: "POST", Path: "/gestion/deconnexion", Public: true, public: g.logout},
		{Method: "GET", Path: "/gestion/accueil", staff: g.home},
		{Method: "GET", Path: "/gestion/journal", staff: g.journal},
		{Method: "GET", Path: "/gestion/familles", staff: g.familyList},
		{Method: "GET", Path: "/gestion/familles/nouvelle", staff: g.newFamilyPage},
		{Method: "POST", Path: "/gestion/familles", staff: g.createFamily},
		{Method: "GET", Path: "/gestion/familles/{id}", staff: g.familyPage},
		{Method: "GET", Path: "/gestion/familles/{id}/enfants/{child}", staff: g.childPage},
		{Method: "GET", Path: "/gestion/familles/{id}/jours", staff: g.familyDaysPage},
		{Method: "POST", Path: "/gestion/familles/{id}/jours", staff: g.changeFamilyDay},
		{Method: "POST", Path: "/gestion/familles/{id}/{action}", staff: g.familyAction},
		{Method: "GET", Path: "/gestion/import", staff: g.importPage},
		{Method: "GET", Path: "/gestion/effectifs", staff: g.headcountDay},
		{Method: "GET", Path: "/gestion/effectifs/semaine", staff: g.headcountWeek},
		{Method: "GET", Path: "/gestion/effectifs.csv", staff: g.headcountCSV},
		{Method: "POST", Path: "/gestion/import", staff: g.importFile},
		{Method: "GET", Path: "/gestion/facturation", staff: g.billingPage},
		{Method: "POST", Path: "/gestion/facturation/lancer", staff: g.runMonth},
		{Method: "GET", Path: "/gestion/facturation/familles/{id}/factures/{number}", staff: g.invoicePage},
		{Method: "POST", Path: "/gestion/facturation/familles/{id}/factures/{number}/guichet", staff: g.counterPayment},
		{Method: "GET", Path: "/gestion/facturation/trop-percus", staff: g.overpaymentsPage},
		{Method: "POST", Path: "/gestion/facturation/trop-percus/rembourser", staff: g.refund},
		{Method: "GET", Path: "/gestion/calendrier", staff: g.calendarPage},
		{Method: "POST", Path: "/gestion/calendrier/fermetures", staff: g.closeDay},
		{Method: "POST", Path: "/gestion/calendrier/fermetures/supprimer", staff: g.reopenDay},
		{Method: "GET", Path: "/gestion/calendrier/vacances", staff: g.holidaysPage},
		{Method: "POST", Path: "/gestion/calendrier/vacances/fichier", staff: g.holidaysFile},
		{Method: "POST", Path: "/gestion/calendrier/vacances/saisie", staff: g.holidaysManual},
		{Method: "POST", Path: "/gestion/calendrier/vacances", staff: g.holidaysConfirm},
		{Method: "GET", Path: "/gestion/activites", staff: g.activitiesPage},
		{Method: "GET", Path: "/gestion/activites/{activity}/{site}", staff: g.activityPage},
		{Method: "POST", Path: "/gestion/activites/{activity}/{site}", staff: g.saveActivity},
		{Method: "GET", Path: "/gestion/personnel", staff: g.staffPage},
		{Method: "GET", Path: "/gestion/messages", staff: g.messagesPage},
		{Method: "GET", Path: "/gestion/messages/{thread}", staff: g.threadPage},
		{Method: "POST", Path: "/gestion/messages/{thread}/repondre", staff: g.answer},
	}
}

// parsePages lists the back-office's pages: each is its file with the back-office's layout and
// shared partials, escaped from templates/ by go generate ./shared/tmpl.
func parsePages() (*web.Pages, error) {
	pages, err := fs.Sub(escaped, "escaped")
	if err != nil {
		return nil, err
	}
	return web.NewPages(pages, web.Layout(pages, "base.tmpl", funcs)), nil
}

func redirectHome(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/gestion/accueil", http.StatusSeeOther)
}

var funcs = tmpl.FuncMap{
	// childForm hands the child fields their errors, values and choices.
	"childForm": func(errs []web.FieldErrorView, in registry.ChildInput, c registry.Choices) any {
		return struct {
			Errors  []web.FieldErrorView
			In      registry.ChildInput
			Choices registry.Choices
		}{errs, in, c}
	},
	"yearLabel": townhall.YearLabel,
	"add":       func(a, b int) int { return a + b },
	"paris":     func(t time.Time) string { return t.In(date.Paris).Format("02/01/2006 15:04") },
}

// Staff cookie: its own name, so no parent function ever reads it and the back-office never
// reads a parent's. SameSite=Strict: a link from elsewhere arrives signed out.
func (g *gestion) cookieName() string {
	if g.Cookies.Insecure {
		return "preau_staff"
	}
	return "__Host-preau_staff"
}

func (g *gestion) token(r *http.Request) string {
	if c, err := r.Cookie(g.cookieName()); err == nil {
		return c.Value
	}
	return ""
}

func (g *gestion) setToken(w http.ResponseWriter, token string, expires, now time.Time) {
	http.SetCookie(w, &http.Cookie{Name: g.cookieName(), Value: token, Path: "/", Expires: expires,
		MaxAge: int(expires.Sub(now).Seconds()), HttpOnly: true, Secure: !g.Cookies.Insecure, SameSite: http.SameSiteStrictMode})
}

func (g *gestion) clearToken(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: g.cookieName(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: !g.Cookies.Insecure, SameSite: http.SameSiteStrictMode})
}

// viewer resolves the staff session of r (nil: none).
func (g *gestion) viewer(r *http.Request) (*staff.Viewer, error) {
	tok := g.token(r)
	if tok == "" {
		return nil, nil
	}
	return g.Auth.Resolve(r.Context(), tok, g.Clock.Now())
}

var (
	errStaffOnly = fault.New(fault.Unauthenticated, "staff-unauthenticated", "Connexion requise",
		"Cette page est réservée au personnel de la mairie : connectez-vous à la gestion.")
	errSecondFactor = fault.New(fault.Forbidden, "staff-second-factor", "Second facteur requis",
		"Saisissez le code à 6 chiffres de votre application d'authentification pour continuer.")
	errPageNotFound = fault.New(fault.NotFound, "not-found", "Page introuvable", "Cette page de la gestion n'existe pas.")
)

// staffOnly lets through only staff who gave their second factor. Pages send the others to
// the login (or the second-factor form); other methods are refused.
func (g *gestion) staffOnly(next func(http.ResponseWriter, *http.Request, *staff.Viewer)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := g.viewer(r)
		if err != nil {
			web.Error(w, r, err)
			return
		}
		switch {
		case v == nil && r.Method == http.MethodGet:
			http.Redirect(w, r, "/gestion/connexion?suivant="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		case v == nil:
			web.Error(w, r, errStaffOnly)
		case !v.Verified && r.Method == http.MethodGet:
			http.Redirect(w, r, "/gestion/second-facteur", http.StatusSeeOther)
		case !v.Verified:
			web.Error(w, r, errSecondFactor)
		default:
			w.Header().Set("Cache-Control", "no-store")
			next(w, r, v)
		}
	}
}

// page is what every back-office template receives.
type page struct {
	Title   string
	Nav     string // active menu entry
	Commune string
	Staff   *staff.Viewer
	Flash   string
	Errors  []web.FieldErrorView
	Data    any
}

func (g *gestion) render(w http.ResponseWriter, r *http.Request, code int, name string, p page) {
	t, err := g.pages.Lookup(name)
	if err != nil {
		web.Error(w, r, fmt.Errorf("render: %w", err))
		return
	}
	p.Commune = g.Commune
	if p.Flash == "" {
		p.Flash = g.Cookies.TakeFlash(w, r)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, "layout.html", p); err != nil {
		web.Error(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

func (g *gestion) home(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	g.render(w, r, http.StatusOK, "home", page{Title: "Gestion", Nav: "accueil", Staff: v})
}

func (g *gestion) notFound(w http.ResponseWriter, r *http.Request, _ *staff.Viewer) {
	web.Error(w, r, errPageNotFound)
}

// journal lists a month of staff actions (?mois=2026-12, this month by default).
func (g *gestion) journal(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	now := g.Clock.Now().UTC()
	month := r.URL.Query().Get("mois")
	m, err := time.Parse("2006-01", month)
	if err != nil {
		m = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	entries, err := g.Journal.Entries(r.Context(), m.Format("2006-01"))
	if err != nil {
		web.Error(w, r, err)
		return
	}
	g.render(w, r, http.StatusOK, "journal", page{Title: "Journal des actions", Nav: "journal", Staff: v, Data: struct {
		Month, Previous, Next string
		Entries               []staff.Entry
	}{m.Format("2006-01"), m.AddDate(0, -1, 0).Format("2006-01"), m.AddDate(0, 1, 0).Format("2006-01"), entries}})
}
