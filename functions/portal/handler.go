package main

import (
	"cmp"
	"context"
	"embed"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/preau/preau/docs"
	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/config"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/fr"
	"github.com/preau/preau/shared/messages"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/retention"
	"github.com/preau/preau/shared/web"
)

// escaped holds the pages, written from templates/ by go generate ./shared/tmpl.
//
//go:embed escaped/*.html
var escaped embed.FS

// Schedule is what the reservations domain publishes: the calendar with its closures, each
// day's deadlines under the cutoffs booking enforces, and the commune's rule;
// *reservations.Service implements it.
type Schedule interface {
	Now() time.Time
	Calendar(ctx context.Context) (*calendar.Calendar, error)
	SiteNames(ctx context.Context) (map[string]string, error)
	Deadlines(ctx context.Context, first, last date.Date) ([]reservations.PublishedDay, error)
	CommuneRule() reservations.CommuneRule
}

// Deps is what the Portal handler needs; main.go builds it once per cold start.
type Deps struct {
	Commune  string   // shown on every page
	MailFrom string   // the portal's contact address, shown on Nous contacter
	Schedule Schedule // calendar, deadlines and rule, as booking applies them
	// Sessions resolves the session cookie so the pages know a signed-in parent (nil: everyone
	// is anonymous).
	Sessions web.SessionResolver
	Cookies  web.Cookies
	HSTS     bool // deployed behind HTTPS

	// Legal holds the commune's details for the legal pages; Retention and LogRetentionDays the
	// durations the privacy notice states (the ones the Retention job and CloudWatch apply).
	Legal            config.Legal
	Retention        retention.Policy
	LogRetentionDays int

	// Contact takes the messages of "Nous contacter" (nil: the page shows the contact details
	// only); AntiRobot issues its challenges, as sign-up's.
	Contact   Contact
	AntiRobot interface {
		Challenge(ctx context.Context) (accounts.Challenge, error)
	}
}

// Contact stores a parent's message and tells the town hall (*messages.Service).
type Contact interface {
	Write(ctx context.Context, in messages.Input, who *messages.Sender, now time.Time) (messages.Thread, error)
}

// weeksShown is how far ahead "Informations utiles" lists service days.
const weeksShown = 4

// portal serves the public pages, the static assets, the deadlines API and the OpenAPI document.
type portal struct {
	Deps
	pages *web.Renderer
}

// New returns the Portal function's handler, wrapped in the shared middleware chain.
func New(d Deps) (http.Handler, error) {
	if d.Schedule == nil {
		return nil, errors.New("portal: the schedule is required")
	}
	if err := d.Retention.Validate(); err != nil {
		return nil, fmt.Errorf("portal: %w", err)
	}
	if d.Legal.Address == "" || d.Legal.DPOEmail == "" || d.Legal.AccessibilityStatus == "" || d.LogRetentionDays <= 0 {
		return nil, errors.New("portal: the commune's legal details and the log retention are required")
	}
	pages, err := web.LoadRenderer(d.Commune, d.Cookies, escaped)
	if err != nil {
		return nil, fmt.Errorf("portal: %w", err)
	}
	p := &portal{Deps: d, pages: pages}

	// Pages know the signed-in parent (the layout offers "Se déconnecter", the home page its
	// shortcuts); assets and the public API need no session lookup.
	page := web.Open(d.Sessions, d.Cookies)
	mux := web.NewRouter()
	mux.Handle("GET /{$}", page(p.home))
	mux.Handle("GET /informations-utiles", page(p.usefulInformation))
	mux.Handle("GET /conditions-utilisation", page(p.terms))
	mux.Handle("GET /nous-contacter", page(p.contact))
	mux.Handle("POST /nous-contacter", page(p.contactForm))
	mux.Handle("GET /politique-de-confidentialite", page(p.privacy))
	mux.Handle("GET /mentions-legales", page(p.legalNotice))
	mux.Handle("GET /accessibilite", page(p.accessibility))
	mux.Handle("GET /static/", staticFiles())
	mux.HandleFunc("GET /api/v1/deadlines", p.deadlines)
	mux.HandleFunc("GET /api/v1/openapi.json", openAPI)
	mux.Handle("/", page(notFound))
	return web.Handler(mux, web.Options{Function: "Portal", HSTS: d.HSTS}), nil
}

var errNotFound = fault.New(fault.NotFound, "not-found", "Page introuvable",
	"La page demandée n'existe pas. Elle a peut-être été déplacée.")

// notFound answers every request that no route takes: the HTTP API's $default route sends
// here whatever no function serves (GET /nope, PATCH /connexion), so that it gets the security
// headers and a French answer — problem+json on the API and to clients asking for JSON, the
// error page otherwise.
func notFound(w http.ResponseWriter, r *http.Request) {
	if !web.IsAPI(r) && prefersJSON(r.Header.Get("Accept")) {
		web.WriteProblem(w, web.ProblemFor(errNotFound))
		return
	}
	web.Error(w, r, errNotFound)
}

// prefersJSON reports whether an Accept header names a JSON type before any HTML type.
func prefersJSON(accept string) bool {
	for part := range strings.SplitSeq(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		switch {
		case err != nil:
		case mt == "text/html" || mt == "application/xhtml+xml":
			return false
		case mt == "application/json" || strings.HasSuffix(mt, "+json"):
			return true
		}
	}
	return false
}

// staticFiles serves the shared assets, never a directory listing.
func staticFiles() http.Handler {
	assets := web.Static()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			notFound(w, r)
			return
		}
		assets.ServeHTTP(w, r)
	})
}

// ---- Accueil ----

type homeData struct {
	Next    string // where the login form sends the parent afterwards ("" = default)
	Rule    string // the cutoff sentence
	Example string // the rule applied to the next school day, as a parent reads it
	// Accessibility is the RGAA status the home page states ("Accessibilité : non conforme").
	Accessibility string
}

func (p *portal) home(w http.ResponseWriter, r *http.Request) {
	data := homeData{
		Next: web.SafeNext(r.URL.Query().Get("suivant"), ""),
		Rule: p.Schedule.CommuneRule().Sentence,

		Accessibility: p.Legal.AccessibilityStatus,
	}
	p.pages.Render(w, r, http.StatusOK, "home", web.Page{Title: "Accueil", Nav: "accueil", Data: data})
}

// ---- GET /api/v1/deadlines ----

type deadlinesResponse struct {
	From   date.Date      `json:"from"`
	To     date.Date      `json:"to"`
	Policy policyJSON     `json:"policy"`
	Days   []deadlinesDay `json:"days"`
}

type policyJSON struct {
	WorkingDaysBefore int    `json:"workingDaysBefore"`
	Hour              int    `json:"hour"`
	Rule              string `json:"rule"`
}

type deadlinesDay struct {
	Date       date.Date           `json:"date"`
	Activities []deadlinesActivity `json:"activities"`
}

type deadlinesActivity struct {
	Activity    calendar.Activity `json:"activity"`
	Open        bool              `json:"open"`
	Deadline    string            `json:"deadline,omitempty"`
	Reason      calendar.Reason   `json:"reason,omitempty"`
	Explanation string            `json:"explanation,omitempty"`
}

// The refusals of the deadlines API (documented in docs/openapi.yaml).
var (
	errInvalidDate = fault.New(fault.Invalid, "invalid-date", "Date invalide",
		"Les paramètres from et to sont obligatoires, au format AAAA-MM-JJ (par exemple 2026-12-07).")
)

// parseRange reads from and to, each a YYYY-MM-DD date (the domain checks the range itself).
func parseRange(r *http.Request) (date.Date, date.Date, error) {
	q := r.URL.Query()
	var fields fault.Fields
	parse := func(name string) date.Date {
		vals := q[name]
		if len(vals) != 1 {
			fields.Add(name, fmt.Sprintf("Indiquez une seule date %s au format AAAA-MM-JJ.", name))
			return date.Date{}
		}
		d, err := date.Parse(vals[0])
		if err != nil {
			fields.Add(name, fmt.Sprintf("La date %s doit être au format AAAA-MM-JJ (par exemple 2026-12-07).", name))
		}
		return d
	}
	from, to := parse("from"), parse("to")
	if len(fields) > 0 {
		e := *errInvalidDate
		e.Fields = fields
		return date.Date{}, date.Date{}, &e
	}
	return from, to, nil
}

func (p *portal) deadlines(w http.ResponseWriter, r *http.Request) {
	from, to, err := parseRange(r)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	days, err := p.Schedule.Deadlines(r.Context(), from, to)
	if err != nil {
		web.Error(w, r, fmt.Errorf("deadlines: %w", err))
		return
	}
	rule := p.Schedule.CommuneRule()
	out := deadlinesResponse{From: from, To: to, Days: make([]deadlinesDay, 0, len(days)),
		Policy: policyJSON{WorkingDaysBefore: rule.WorkingDaysBefore, Hour: rule.Hour, Rule: rule.Sentence}}
	for _, d := range days {
		jd := deadlinesDay{Date: d.Date, Activities: make([]deadlinesActivity, 0, len(d.Activities))}
		for _, a := range d.Activities {
			ja := deadlinesActivity{Activity: a.Activity, Open: a.Open, Reason: a.Reason, Explanation: a.Explanation}
			if a.Open {
				ja.Deadline = a.Deadline.In(date.Paris).Format(time.RFC3339)
			}
			jd.Activities = append(jd.Activities, ja)
		}
		out.Days = append(out.Days, jd)
	}
	web.WriteJSON(w, http.StatusOK, out)
}

// ---- Informations utiles ----

type infoData struct {
	Rule       string
	Today      date.Date
	Weeks      []infoWeek
	SchoolYear []infoYear
	Holidays   []infoHoliday // public holidays of the coming twelve months
	Closures   []infoClosure // commune closures from today on
	Activities []infoActivity
}

type infoWeek struct {
	Monday date.Date
	Days   []infoDay
}

type infoDay struct {
	Date     date.Date
	Open     []string  // labels of the open activities
	Deadline time.Time // zero when nothing is open
	Passed   bool      // the deadline is behind us
	Closed   []string  // "Restauration scolaire : vacances scolaires (Vacances de Noël)", only notable reasons
	// Later lists the open activities whose own cutoff ends after Deadline (the earliest):
	// "Accueil du mercredi : jusqu'au mercredi 9 décembre à 8h00".
	Later []string
	Why   string // when nothing is open: why
}

type infoYear struct {
	Label   string // "2026-2027"
	Periods []calendar.Period
}

type infoHoliday struct {
	Day  date.Date
	Name string
}

type infoClosure struct {
	Day        date.Date
	Label      string
	Activities string // "" = every activity
	Sites      string // "" = every site
}

type infoActivity struct {
	Label, When string
}

func (p *portal) usefulInformation(w http.ResponseWriter, r *http.Request) {
	now := p.Schedule.Now()
	today := date.Of(now)
	cal, err := p.Schedule.Calendar(r.Context())
	if err != nil {
		web.Error(w, r, fmt.Errorf("informations utiles: %w", err))
		return
	}
	days, err := p.Schedule.Deadlines(r.Context(), today, today.AddDays(7*weeksShown-1))
	if err != nil {
		web.Error(w, r, fmt.Errorf("informations utiles: %w", err))
		return
	}
	data := infoData{Rule: p.Schedule.CommuneRule().Sentence, Today: today}
	for _, d := range days {
		wd := d.Date.Weekday()
		if wd == time.Saturday || wd == time.Sunday {
			continue
		}
		monday := d.Date.AddDays(-int(wd - time.Monday))
		if n := len(data.Weeks); n == 0 || data.Weeks[n-1].Monday != monday {
			data.Weeks = append(data.Weeks, infoWeek{Monday: monday})
		}
		wk := &data.Weeks[len(data.Weeks)-1]
		wk.Days = append(wk.Days, dayView(d, now))
	}
	data.SchoolYear = schoolYears(cal, today)
	for d := range date.Range(today, today.AddDays(365)) {
		if name, ok := calendar.PublicHoliday(d); ok {
			data.Holidays = append(data.Holidays, infoHoliday{Day: d, Name: name})
		}
	}
	var names map[string]string // site names, read for the first closure of some sites
	for _, cl := range cal.Closures() {
		if cl.Day.Before(today) {
			continue
		}
		ic := infoClosure{Day: cl.Day, Label: cl.Label}
		labels := make([]string, 0, len(cl.Activities))
		for _, a := range cl.Activities {
			labels = append(labels, a.Label())
		}
		ic.Activities = strings.Join(labels, ", ")
		if len(cl.Sites) > 0 {
			if names == nil {
				if names, err = p.Schedule.SiteNames(r.Context()); err != nil {
					web.Error(w, r, fmt.Errorf("informations utiles: %w", err))
					return
				}
			}
			sites := make([]string, 0, len(cl.Sites))
			for _, code := range cl.Sites {
				sites = append(sites, cmp.Or(names[code], code))
			}
			ic.Sites = strings.Join(sites, ", ")
		}
		data.Closures = append(data.Closures, ic)
	}
	data.Activities = []infoActivity{
		{calendar.Canteen.Label(), "les lundis, mardis, jeudis et vendredis d'école"},
		{calendar.MorningCare.Label(), "les lundis, mardis, jeudis et vendredis d'école, avant la classe"},
		{calendar.EveningCare.Label(), "les lundis, mardis, jeudis et vendredis d'école, après la classe"},
		{calendar.WednesdayCentre.Label(), "les mercredis en période scolaire"},
		{calendar.HolidayCentre.Label(), "du lundi au vendredi pendant les vacances scolaires"},
	}
	p.pages.Render(w, r, http.StatusOK, "informations", web.Page{Title: "Informations utiles", Nav: "infos", Data: data})
}

// dayView turns a published day into what the page shows.
func dayView(d reservations.PublishedDay, now time.Time) infoDay {
	v := infoDay{Date: d.Date}
	reasons := map[string]bool{}
	var whys []string
	for _, a := range d.Activities {
		if a.Open {
			v.Open = append(v.Open, a.Activity.Label())
			if v.Deadline.IsZero() || a.Deadline.Before(v.Deadline) {
				v.Deadline = a.Deadline
			}
			continue
		}
		switch a.Reason {
		case calendar.ReasonPublicHoliday, calendar.ReasonClosure, calendar.ReasonSchoolHoliday, calendar.ReasonCalendarUnknown:
			if a.Reason == calendar.ReasonClosure {
				v.Closed = append(v.Closed, a.Activity.Label()+" : "+a.Explanation)
			}
			if !reasons[a.Explanation] {
				reasons[a.Explanation] = true
				whys = append(whys, a.Explanation)
			}
		}
	}
	if len(v.Open) == 0 {
		v.Closed = nil
		v.Why = strings.Join(whys, ", ")
		if v.Why == "" {
			v.Why = "aucun accueil ce jour-là"
		}
	} else {
		v.Passed = !now.Before(v.Deadline)
		for _, a := range d.Activities {
			if a.Open && a.Deadline.After(v.Deadline) && now.Before(a.Deadline) {
				v.Later = append(v.Later, a.Activity.Label()+" : jusqu'au "+fr.DeadlineText(a.Deadline))
			}
		}
		if len(whys) > 0 && v.Closed == nil {
			v.Why = strings.Join(whys, ", ")
		}
	}
	return v
}

// schoolYears lists the school holidays of today's school year and, when known, the next one.
func schoolYears(cal *calendar.Calendar, today date.Date) []infoYear {
	var out []infoYear
	for _, y := range []int{calendar.SchoolYear(today), calendar.SchoolYear(today) + 1} {
		iy := infoYear{Label: fmt.Sprintf("%d-%d", y, y+1)}
		for _, p := range cal.Periods() {
			if calendar.SchoolYear(p.First) == y {
				iy.Periods = append(iy.Periods, p)
			}
		}
		if len(iy.Periods) > 0 {
			out = append(out, iy)
		}
	}
	return out
}

// ---- Conditions d'utilisation, Nous contacter ----

type contactData struct {
	MailFrom  string
	Form      bool // the form is offered
	In        messages.Input
	Challenge accounts.Challenge
	AntiRobot bool
}

func (p *portal) terms(w http.ResponseWriter, r *http.Request) {
	p.pages.Render(w, r, http.StatusOK, "terms", web.Page{Title: "Conditions d'utilisation", Data: contactData{MailFrom: p.MailFrom}})
}

func (p *portal) contact(w http.ResponseWriter, r *http.Request) {
	p.renderContact(w, r, http.StatusOK, messages.Input{}, nil)
}

func (p *portal) renderContact(w http.ResponseWriter, r *http.Request, code int, in messages.Input, errs []web.FieldErrorView) {
	d := contactData{MailFrom: p.MailFrom, Form: p.Contact != nil, In: in}
	if p.AntiRobot != nil {
		c, err := p.AntiRobot.Challenge(r.Context())
		if err != nil {
			web.Error(w, r, err)
			return
		}
		d.Challenge, d.AntiRobot = c, c.Token != ""
	}
	p.pages.Render(w, r, code, "contact", web.Page{Title: "Nous contacter", Nav: "contact", Errors: errs, Data: d})
}

// sender is the signed-in parent writing, if any.
func sender(r *http.Request) *messages.Sender {
	v := web.ViewerFrom(r.Context())
	if v == nil {
		return nil
	}
	return &messages.Sender{Email: v.Email, Name: strings.TrimSpace(v.FirstName + " " + v.LastName), FamilyID: v.FamilyID}
}

// contactForm sends a parent's message to the town hall (signed in or not, behind sign-up's
// anti-robot check).
func (p *portal) contactForm(w http.ResponseWriter, r *http.Request) {
	if p.Contact == nil {
		web.Error(w, r, errNotFound)
		return
	}
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	f := r.PostForm
	in := messages.Input{Name: f.Get("name"), Email: f.Get("email"), Subject: f.Get("subject"), Body: f.Get("body"),
		Challenge: f.Get("antiRobotChallenge"), Solution: f.Get("antiRobotSolution"), Answer: f.Get("antiRobotAnswer"),
		ClientAddr: web.ClientAddr(r)}
	who := sender(r)
	_, err := p.Contact.Write(r.Context(), in, who, p.Schedule.Now())
	if fe, ok := fault.As(err); ok && (fe.Kind == fault.Invalid || fe.Kind == fault.TooManyRequests) {
		errs := web.FormErrors(err)
		if len(errs) == 0 {
			errs = []web.FieldErrorView{{Field: "antiRobot", Detail: fe.Detail}}
		}
		in.Answer, in.Solution, in.Challenge = "", "", ""
		p.renderContact(w, r, web.ProblemFor(fe).Status, in, errs)
		return
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	msg := "Votre message est envoyé à la mairie. La réponse vous parviendra par e-mail."
	if who != nil {
		msg += " Vous retrouvez l'échange dans Mon espace citoyen, rubrique Mes messages."
	}
	p.Cookies.SetFlash(w, msg)
	http.Redirect(w, r, "/nous-contacter", http.StatusSeeOther)
}

// ---- Politique de confidentialité, Mentions légales, Déclaration d'accessibilité ----

// legalData is what the three legal pages show.
type legalData struct {
	MailFrom string
	Legal    config.Legal
	// Durations, in the words of the privacy notice.
	InactiveYears    string // "3 ans" (or "30 mois" when not whole years)
	NoticeDays       int
	UnconfirmedDays  int
	RecordsYears     int
	MessagesMonths   int
	LogDays          int
	SessionHours     int
	ConfirmLinkHours int
	ResetLinkMinutes int
}

func (p *portal) legalData() legalData {
	return legalData{MailFrom: p.MailFrom, Legal: p.Legal, InactiveYears: p.Retention.InactiveText(),
		NoticeDays: p.Retention.NoticeDays, UnconfirmedDays: p.Retention.UnconfirmedDays,
		RecordsYears: p.Retention.RecordsYears, MessagesMonths: p.Retention.MessagesMonths, LogDays: p.LogRetentionDays,
		SessionHours:     int(accounts.SessionLifetime / time.Hour),
		ConfirmLinkHours: int(accounts.ConfirmLinkLifetime / time.Hour),
		ResetLinkMinutes: int(accounts.ResetLinkLifetime / time.Minute)}
}

func (p *portal) privacy(w http.ResponseWriter, r *http.Request) {
	p.pages.Render(w, r, http.StatusOK, "privacy", web.Page{Title: "Politique de confidentialité", Data: p.legalData()})
}

func (p *portal) legalNotice(w http.ResponseWriter, r *http.Request) {
	p.pages.Render(w, r, http.StatusOK, "legal", web.Page{Title: "Mentions légales", Data: p.legalData()})
}

func (p *portal) accessibility(w http.ResponseWriter, r *http.Request) {
	p.pages.Render(w, r, http.StatusOK, "accessibility", web.Page{Title: "Déclaration d'accessibilité", Data: p.legalData()})
}

// ---- GET /api/v1/openapi.json ----

func openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(docs.OpenAPIJSON())
}
