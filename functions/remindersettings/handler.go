package main

import (
	"embed"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/fr"
	"github.com/preau/preau/shared/reminders"
	"github.com/preau/preau/shared/secret"
	"github.com/preau/preau/shared/web"
)

// escaped holds the pages, written from templates/ by go generate ./shared/tmpl.
//
//go:embed escaped/*.html
var escaped embed.FS

// Deps is what the ReminderSettings handler needs; main.go builds it once per cold start.
type Deps struct {
	Commune  string
	Prefs    reminders.PreferenceStore // shared/store implements it
	Secret   *secret.Key               // verifies unsubscribe links
	Sessions web.SessionResolver
	Cookies  web.Cookies
	HSTS     bool
}

type handler struct {
	Deps
	pages *web.Renderer
}

// New returns the ReminderSettings function's handler.
func New(d Deps) (http.Handler, error) {
	if d.Prefs == nil || d.Sessions == nil || d.Secret == nil {
		return nil, errors.New("remindersettings: preferences, sessions and secret key are required")
	}
	pages, err := web.LoadRenderer(d.Commune, d.Cookies, escaped)
	if err != nil {
		return nil, fmt.Errorf("remindersettings: %w", err)
	}
	h := &handler{Deps: d, pages: pages}
	signedIn := web.SignedIn(d.Sessions, d.Cookies)
	mux := web.NewRouter()
	mux.Handle("GET /mon-espace/rappels", signedIn(h.page))
	mux.Handle("POST /mon-espace/rappels", signedIn(h.form))
	mux.Handle("GET /api/v1/me/reminders", signedIn(h.get))
	mux.Handle("PUT /api/v1/me/reminders", signedIn(h.put))
	mux.HandleFunc("GET /rappels/desinscription/{token}", h.unsubscribePage)
	mux.HandleFunc("POST /rappels/desinscription/{token}", h.unsubscribe)
	return web.Handler(mux, web.Options{Function: "ReminderSettings", HSTS: d.HSTS}), nil
}

// ---- JSON: GET and PUT /api/v1/me/reminders ----

// preferencesJSON is a parent's reminder choices on the API (docs/openapi.yaml).
type preferencesJSON struct {
	Enabled       *bool    `json:"enabled"`
	Activities    []string `json:"activities"`
	Weekdays      []int    `json:"weekdays"` // ISO: 1 Monday … 5 Friday
	WeeklySummary *bool    `json:"weeklySummary"`
}

func toJSON(p reminders.Preferences) preferencesJSON {
	out := preferencesJSON{Enabled: &p.Enabled, WeeklySummary: &p.WeeklySummary, Activities: []string{}, Weekdays: []int{}}
	for _, a := range p.Activities {
		out.Activities = append(out.Activities, string(a))
	}
	for _, w := range p.Weekdays {
		out.Weekdays = append(out.Weekdays, int(w))
	}
	return out
}

// fromJSON checks every field at once.
func fromJSON(in preferencesJSON) (reminders.Preferences, error) {
	var errs fault.Fields
	p := reminders.Preferences{}
	if in.Enabled == nil {
		errs.Add("enabled", "Indiquez si vous voulez recevoir les rappels (true ou false).")
	} else {
		p.Enabled = *in.Enabled
	}
	if in.WeeklySummary == nil {
		errs.Add("weeklySummary", "Indiquez si vous voulez le résumé de la semaine (true ou false).")
	} else {
		p.WeeklySummary = *in.WeeklySummary
	}
	if in.Activities == nil {
		errs.Add("activities", "Donnez la liste des activités à rappeler (éventuellement vide).")
	}
	for _, s := range in.Activities {
		a, err := calendar.ParseActivity(s)
		if err != nil {
			if !errs.Has("activities") {
				errs.Add("activities", "Activité inconnue : "+strconv.Quote(s)+".")
			}
			continue
		}
		p.Activities = append(p.Activities, a)
	}
	if in.Weekdays == nil {
		errs.Add("weekdays", "Donnez la liste des jours à rappeler, de 1 (lundi) à 5 (vendredi).")
	}
	for _, n := range in.Weekdays {
		if n < 1 || n > 5 {
			if !errs.Has("weekdays") {
				errs.Add("weekdays", "Les jours vont de 1 (lundi) à 5 (vendredi).")
			}
			continue
		}
		p.Weekdays = append(p.Weekdays, time.Weekday(n))
	}
	if err := errs.Err(); err != nil {
		return reminders.Preferences{}, err
	}
	return p.Normalise()
}

func (h *handler) get(w http.ResponseWriter, r *http.Request) {
	p, err := h.Prefs.ReminderParent(r.Context(), web.ViewerFrom(r.Context()).Email)
	if err != nil {
		web.Error(w, r, fmt.Errorf("reminder preferences: %w", err))
		return
	}
	web.WriteJSON(w, http.StatusOK, toJSON(p.Preferences))
}

func (h *handler) put(w http.ResponseWriter, r *http.Request) {
	var in preferencesJSON
	if err := web.DecodeJSON(w, r, &in); err != nil {
		web.Error(w, r, err)
		return
	}
	p, err := fromJSON(in)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	if err := h.Prefs.SetReminderPreferences(r.Context(), web.ViewerFrom(r.Context()).Email, p); err != nil {
		web.Error(w, r, fmt.Errorf("reminder preferences: %w", err))
		return
	}
	web.WriteJSON(w, http.StatusOK, toJSON(p))
}

// ---- Page: Mon espace → Rappels ----

type choice struct {
	Value, Label string
	Checked      bool
}

type pageView struct {
	Enabled, WeeklySummary bool
	Activities, Weekdays   []choice
}

func view(p reminders.Preferences) pageView {
	v := pageView{Enabled: p.Enabled, WeeklySummary: p.WeeklySummary}
	for _, a := range calendar.Activities() {
		v.Activities = append(v.Activities, choice{Value: string(a), Label: a.Label(), Checked: slices.Contains(p.Activities, a)})
	}
	for _, d := range reminders.Weekdays() {
		v.Weekdays = append(v.Weekdays, choice{Value: strconv.Itoa(int(d)), Label: fr.WeekdayName(d), Checked: slices.Contains(p.Weekdays, d)})
	}
	return v
}

func (h *handler) page(w http.ResponseWriter, r *http.Request) {
	p, err := h.Prefs.ReminderParent(r.Context(), web.ViewerFrom(r.Context()).Email)
	if err != nil {
		web.Error(w, r, fmt.Errorf("reminder preferences: %w", err))
		return
	}
	h.pages.Render(w, r, http.StatusOK, "settings", web.Page{Title: "Mes rappels", Nav: "espace", Data: view(p.Preferences)})
}

func (h *handler) form(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	f := r.PostForm
	p := reminders.Preferences{Enabled: f.Get("rappels") == "oui", WeeklySummary: f.Get("resume") == "oui"}
	for _, s := range f["activite"] {
		p.Activities = append(p.Activities, calendar.Activity(s))
	}
	for _, s := range f["jour"] {
		n, err := strconv.Atoi(s)
		if err != nil {
			n = -1
		}
		p.Weekdays = append(p.Weekdays, time.Weekday(n))
	}
	norm, err := p.Normalise()
	if err != nil {
		h.pages.Render(w, r, web.ProblemFor(err).Status, "settings", web.Page{Title: "Mes rappels", Nav: "espace",
			Errors: web.FormErrors(err), Data: view(reminders.Preferences{Enabled: p.Enabled, WeeklySummary: p.WeeklySummary})})
		return
	}
	if err := h.Prefs.SetReminderPreferences(r.Context(), web.ViewerFrom(r.Context()).Email, norm); err != nil {
		web.Error(w, r, fmt.Errorf("reminder preferences: %w", err))
		return
	}
	h.Cookies.SetFlash(w, "Vos choix de rappels sont enregistrés.")
	http.Redirect(w, r, "/mon-espace/rappels", http.StatusSeeOther)
}

// ---- One-click unsubscribe (RFC 8058), without logging in ----

// ErrBadUnsubscribeLink is a link that was not made by Préau for an address.
var ErrBadUnsubscribeLink = fault.New(fault.NotFound, "invalid-unsubscribe-link", "Lien de désinscription invalide",
	"Ce lien de désinscription n'est pas valide. Vous pouvez choisir vos rappels dans Mon espace citoyen → Mes rappels.")

type unsubscribeView struct {
	Token string
	Done  bool
}

// unsubscribePage asks for a click: mail scanners follow links, so a GET changes nothing.
func (h *handler) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	key, err := h.Secret.Bytes(r.Context())
	if err != nil {
		web.Error(w, r, err)
		return
	}
	if _, ok := reminders.VerifyUnsubscribe(key, tok); !ok {
		web.Error(w, r, ErrBadUnsubscribeLink)
		return
	}
	h.pages.Render(w, r, http.StatusOK, "unsubscribe", web.Page{Title: "Ne plus recevoir les rappels", Nav: "espace",
		Data: unsubscribeView{Token: tok}})
}

// unsubscribe turns every reminder e-mail off for the link's address: the page's button, or a
// mail client's one-click POST ("List-Unsubscribe=One-Click"). Doing it twice is harmless.
func (h *handler) unsubscribe(w http.ResponseWriter, r *http.Request) {
	key, err := h.Secret.Bytes(r.Context())
	if err != nil {
		web.Error(w, r, err)
		return
	}
	email, ok := reminders.VerifyUnsubscribe(key, r.PathValue("token"))
	if !ok {
		web.Error(w, r, ErrBadUnsubscribeLink)
		return
	}
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	p, err := h.Prefs.ReminderParent(r.Context(), email)
	switch {
	case errors.Is(err, reminders.ErrNoParent):
		// The account is gone: nothing is sent to it any more.
	case err != nil:
		web.Error(w, r, fmt.Errorf("unsubscribe: %w", err))
		return
	default:
		off := p.Preferences
		off.Enabled, off.WeeklySummary = false, false
		if err := h.Prefs.SetReminderPreferences(r.Context(), email, off); err != nil {
			web.Error(w, r, fmt.Errorf("unsubscribe: %w", err))
			return
		}
	}
	h.pages.Render(w, r, http.StatusOK, "unsubscribe", web.Page{Title: "Ne plus recevoir les rappels", Nav: "espace",
		Data: unsubscribeView{Done: true}})
}
