package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/fr"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/web"
)

// escaped holds the pages, written from templates/ by go generate ./shared/tmpl.
//
//go:embed escaped/*.html
var escaped embed.FS

// Planner is the reservation rules the planning reads; *reservations.Service implements it.
type Planner interface {
	Now() time.Time
	Calendar(ctx context.Context) (*calendar.Calendar, error)
	ChildPlanning(ctx context.Context, who reservations.Actor, childID string, from, to date.Date) (reservations.ChildPlanning, error)
	FamilyPlanning(ctx context.Context, who reservations.Actor, from, to date.Date) (reservations.FamilyPlanning, error)
	CutoffNotice(own []reservations.ActivityPolicy) string
}

// FeedRules are the calendar feed rules; *reservations.Feeds implements them.
type FeedRules interface {
	Current(ctx context.Context, who reservations.Actor) (reservations.MemberFeed, bool, error)
	Start(ctx context.Context, who reservations.Actor) (reservations.MemberFeed, error)
	Revoke(ctx context.Context, who reservations.Actor) error
	Open(ctx context.Context, token string) (reservations.FamilyPlanning, reservations.FeedHolder, error)
}

// Deps is what the Planning handler needs; main.go builds it once per cold start.
type Deps struct {
	Commune  string
	BaseURL  string // public URL of the portal, for the feed's address
	Service  Planner
	Feeds    FeedRules
	Sessions web.SessionResolver
	Cookies  web.Cookies
	HSTS     bool
}

type handler struct {
	Deps
	pages *web.Renderer
}

// New returns the Planning function's handler: the planning page and API, and the calendar feed.
func New(d Deps) (http.Handler, error) {
	if d.Service == nil || d.Feeds == nil || d.Sessions == nil {
		return nil, errors.New("planning: service, feeds and sessions are required")
	}
	pages, err := web.LoadRenderer(d.Commune, d.Cookies, escaped)
	if err != nil {
		return nil, fmt.Errorf("planning: %w", err)
	}
	h := &handler{Deps: d, pages: pages}
	signedIn := web.SignedIn(d.Sessions, d.Cookies)
	mux := web.NewRouter()
	mux.Handle("GET /espace-famille/planning", signedIn(h.page))
	mux.Handle("GET /api/v1/children/{childId}/planning", signedIn(h.api))
	mux.Handle("POST /espace-famille/calendrier", signedIn(h.feedForm))
	mux.HandleFunc("GET /calendrier/{token}", h.feed)
	return web.Handler(mux, web.Options{Function: "Planning", HSTS: d.HSTS}), nil
}

// ---- JSON ----

type planningJSON struct {
	ChildID string    `json:"childId"`
	From    date.Date `json:"from"`
	To      date.Date `json:"to"`
	Days    []dayJSON `json:"days"`
}

type dayJSON struct {
	Date       date.Date  `json:"date"`
	Activities []cellJSON `json:"activities"`
}

type cellJSON struct {
	Activity   calendar.Activity `json:"activity"`
	Open       bool              `json:"open"`
	Booked     bool              `json:"booked"`
	Deadline   *string           `json:"deadline"`
	Changeable bool              `json:"changeable"`
	Reason     *string           `json:"reason"`
	PriceCents int64             `json:"priceCents"`
}

func (h *handler) api(w http.ResponseWriter, r *http.Request) {
	v := web.ViewerFrom(r.Context())
	q := r.URL.Query()
	from, err := reservations.ParseDay(q.Get("from"))
	if err != nil {
		web.Error(w, r, err)
		return
	}
	to, err := reservations.ParseDay(q.Get("to"))
	if err != nil {
		web.Error(w, r, err)
		return
	}
	p, err := h.Service.ChildPlanning(r.Context(), actor(v), r.PathValue("childId"), from, to)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	out := planningJSON{ChildID: p.Child.ID, From: from, To: to, Days: make([]dayJSON, 0, len(p.Days))}
	for _, d := range p.Days {
		dj := dayJSON{Date: d.Date, Activities: make([]cellJSON, 0, len(d.Cells))}
		for _, c := range d.Cells {
			cj := cellJSON{Activity: c.Activity, Open: c.Open, Booked: c.Booked, Changeable: c.Changeable, PriceCents: c.PriceCents}
			if !c.Deadline.IsZero() {
				s := c.Deadline.Format(time.RFC3339)
				cj.Deadline = &s
			}
			switch {
			case c.Closed != "":
				s := string(c.Closed)
				cj.Reason = &s
			case c.Reason != "":
				s := string(c.Reason)
				cj.Reason = &s
			}
			dj.Activities = append(dj.Activities, cj)
		}
		out.Days = append(out.Days, dj)
	}
	web.WriteJSON(w, http.StatusOK, out)
}

// ---- Page ----

type pageData struct {
	NoFamily   bool
	MonthLabel string
	Mois       string // "2026-12"
	Prev, Next string
	PrevLabel  string
	NextLabel  string
	Warning    string
	// Forecast is the month's booked days and what they will cost: "décembre : 23 jours
	// réservés, 57,50 € estimés".
	Forecast  string
	Billed    bool // some day of the month is booked and priced
	Children  []childView
	History   []historyView
	FeedURL   string
	FeedSince string
}

type childView struct {
	ID, Name   string
	Activities string
	Weeks      []weekView
}

// weekView is a child's week, Monday to Friday (the days of the month only), shown as a list of
// days on a phone and as a grid (activities × days) on wider screens.
type weekView struct {
	ID      string // anchor "semaine-2026-12-07-c_lea"
	Label   string // "Semaine du lundi 7 décembre"
	Caption string // the grid's caption: child and week
	// Summary replaces the week's days when none of the child's activities runs that week
	// because of the school holidays: one line instead of a closed cell per day and activity.
	Summary string
	Days    []dayView    // the phone's list: days with something to say
	Columns []columnView // the grid's days
	Rows    []rowView    // the grid's activities
}

type dayView struct {
	ID     string // anchor "jour-2026-12-07-c_lea"
	Date   string
	Label  string
	Closed string // set when every activity shown is closed that day: why
	// Deadline is said once for the day when every activity shown that day shares it (the
	// cells' own Deadline is then empty).
	Deadline string
	Cells    []cellView // the activities that run, or are closed for a reason worth saying
}

type columnView struct {
	Label string // "lundi 7 décembre"
	Short string // "lun. 7 déc."
}

type rowView struct {
	Label string
	Cells []cellView // one per column
}

type cellView struct {
	Activity   string
	Label      string
	Date       string // the day, YYYY-MM-DD
	DayLabel   string // "lundi 7 décembre"
	Status     string // réservé, non réservé, fermé, complet
	Class      string
	Why        string
	Deadline   string // "modifiable jusqu'au jeudi 3 décembre à 10h00", "délai dépassé"
	Short      string // the same for the grid: "modifiable jusqu'au jeu. 3 déc. à 10h00"
	Price      string // what the day costs the family: "2,50 €" ("" when free or not bookable)
	Changeable bool
	Booked     bool
	Action     string
	Button     string
	// Pattern is true when the activity never runs on that weekday or in that part of the year
	// (no canteen on Wednesdays, no Wednesday centre on Mondays): not worth a line.
	Pattern bool
	reason  calendar.Reason
	// The form's other fields, and the child's name for the button's accessible name.
	ChildID, ChildName, Mois string
}

type historyView struct {
	When, Child, What, Day, Channel, Who string
}

// warning is the town hall's notice, shown where parents book (from the parents' guide), with
// the commune's rule and the activities' own cutoffs (own).
func (h *handler) warning(own []reservations.ActivityPolicy) string {
	return "Les repas doivent être réservés sur le portail. Nous vous recommandons d'effectuer vos " +
		"réservations sur une longue durée (vous pourrez annuler des réservations prises à l'avance). " +
		h.Service.CutoffNotice(own)
}

func monthLabel(d date.Date) string { return fr.MonthName(d.Month()) + " " + fmt.Sprint(d.Year()) }

func (h *handler) page(w http.ResponseWriter, r *http.Request) {
	v := web.ViewerFrom(r.Context())
	now := h.Service.Now()
	month := date.Of(now).FirstOfMonth()
	if m := r.URL.Query().Get("mois"); m != "" {
		t, err := time.Parse("2006-01", m)
		if err != nil || t.Year() < 2000 || t.Year() > 2100 {
			web.Error(w, r, reservations.ErrInvalidDate.WithDetail("Le mois doit être au format AAAA-MM, par exemple 2026-12."))
			return
		}
		month = date.New(t.Year(), t.Month(), 1)
	}
	prev, next := month.AddMonths(-1), month.AddMonths(1)
	data := pageData{Mois: month.MonthKey(), MonthLabel: monthLabel(month), Prev: prev.MonthKey(), Next: next.MonthKey(),
		PrevLabel: monthLabel(prev), NextLabel: monthLabel(next), Warning: h.warning(nil)}
	// The member's calendar feed is read while the planning is: neither needs the other.
	feed := make(chan feedRead, 1)
	go func() {
		f, ok, err := h.Feeds.Current(r.Context(), actor(v))
		feed <- feedRead{f, ok, err}
	}()
	fp, err := h.Service.FamilyPlanning(r.Context(), actor(v), month, next.AddDays(-1))
	member := <-feed
	if errors.Is(err, reservations.ErrNoFamily) {
		data.NoFamily = true
		h.pages.Render(w, r, http.StatusOK, "planning", web.Page{Title: "Planning des activités", Nav: "famille", Data: data})
		return
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	data.Warning = h.warning(fp.OwnCutoffs)
	fc := billing.ForecastOf(fp, month)
	data.Forecast, data.Billed = fc.French(), fc.AmountCents > 0
	cal, err := h.Service.Calendar(r.Context())
	if err != nil {
		web.Error(w, r, err)
		return
	}
	for _, c := range fp.Children {
		data.Children = append(data.Children, childViewOf(c, cal, data.Mois))
	}
	for _, e := range fp.History {
		data.History = append(data.History, historyView{
			When:    fr.LongDate(date.Of(e.At)) + " à " + fr.Clock(e.At),
			Child:   e.Child.FirstName,
			What:    e.Action.French() + " – " + e.Activity.Label(),
			Day:     fr.LongDate(e.Day),
			Channel: e.Channel.French(),
			Who:     e.Who,
		})
	}
	if member.err != nil {
		web.Error(w, r, member.err)
		return
	}
	// The member's own feed shows only if its address answers (the rules say so).
	if member.ok {
		data.FeedURL = h.feedURL(member.feed.Token)
		data.FeedSince = fr.LongDateYear(date.Of(member.feed.CreatedAt))
	}
	h.pages.Render(w, r, http.StatusOK, "planning", web.Page{Title: "Planning des activités", Nav: "famille", Data: data})
}

// feedRead is what Feeds.Current answered.
type feedRead struct {
	feed reservations.MemberFeed
	ok   bool
	err  error
}

// patternClosure reports whether a closed reason is only the activity's weekly or yearly pattern
// (parents know there is no canteen on Wednesdays), as opposed to a closure worth saying: a public
// holiday, the school holidays, a closure of the commune, an unknown calendar.
func patternClosure(r calendar.Reason) bool {
	switch r {
	case calendar.ReasonWeekend, calendar.ReasonWednesday, calendar.ReasonNotWednesday, calendar.ReasonSchoolPeriod:
		return true
	}
	return false
}

func childViewOf(c reservations.ChildPlanning, cal *calendar.Calendar, mois string) childView {
	cv := childView{ID: c.Child.ID, Name: strings.TrimSpace(c.Child.FirstName + " " + c.Child.LastName)}
	var labels []string
	for _, a := range c.Activities {
		labels = append(labels, a.Label())
	}
	cv.Activities = strings.Join(labels, ", ")
	var week *weekView
	for _, d := range c.Days {
		wd := d.Date.Weekday()
		if wd == time.Saturday || wd == time.Sunday {
			continue
		}
		if week == nil || wd == time.Monday {
			monday := d.Date.AddDays(-int(wd - time.Monday))
			cv.Weeks = append(cv.Weeks, weekView{
				ID:      "semaine-" + monday.String() + "-" + c.Child.ID,
				Label:   "Semaine du " + fr.LongDate(monday),
				Caption: cv.Name + " – semaine du " + fr.LongDate(monday),
			})
			week = &cv.Weeks[len(cv.Weeks)-1]
			for _, a := range c.Activities {
				week.Rows = append(week.Rows, rowView{Label: a.Label()})
			}
		}
		label := fr.LongDate(d.Date)
		week.Columns = append(week.Columns, columnView{Label: label, Short: shortDate(d.Date)})
		dv := dayView{ID: "jour-" + d.Date.String() + "-" + c.Child.ID, Date: d.Date.String(), Label: label}
		allClosed := true
		for i, cell := range d.Cells {
			v := cellViewOf(cell, d.Date)
			v.ChildID, v.ChildName, v.Mois = c.Child.ID, cv.Name, mois
			week.Rows[i].Cells = append(week.Rows[i].Cells, v)
			if v.Pattern {
				continue
			}
			if cell.Open || cell.Booked {
				allClosed = false
			}
			dv.Cells = append(dv.Cells, v)
		}
		if len(dv.Cells) == 0 {
			continue // nothing runs that day, as every week: no line
		}
		if allClosed {
			dv.Closed = dv.Cells[0].Why
		}
		dv.Deadline = dv.Cells[0].Deadline
		for _, v := range dv.Cells {
			if v.Deadline != dv.Deadline {
				dv.Deadline = ""
			}
		}
		if dv.Deadline != "" {
			for i := range dv.Cells {
				dv.Cells[i].Deadline = ""
			}
		}
		week.Days = append(week.Days, dv)
	}
	for i := range cv.Weeks {
		cv.Weeks[i].Summary = holidaySummary(cv.Weeks[i], cal)
	}
	return cv
}

// holidaySummary is the one line that says a whole week is school holidays for every activity
// of the child ("Vacances de Noël : pas de restauration scolaire ni d'accueil périscolaire du
// soir."), or "" when the week has anything else to show.
func holidaySummary(w weekView, cal *calendar.Calendar) string {
	period := ""
	var closed []string
	for _, r := range w.Rows {
		for _, c := range r.Cells {
			if c.Pattern {
				continue
			}
			// A public holiday or a closure inside the holidays is part of them.
			holidayish := c.reason == calendar.ReasonSchoolHoliday || c.reason == calendar.ReasonPublicHoliday || c.reason == calendar.ReasonClosure
			if c.Class != "closed" || c.Booked || !holidayish {
				return ""
			}
			p, ok := cal.SchoolHoliday(date.MustParse(c.Date))
			if !ok || (period != "" && p.Name != period) {
				return ""
			}
			period = p.Name
			if !slices.Contains(closed, r.Label) {
				closed = append(closed, r.Label)
			}
		}
	}
	if period == "" {
		return ""
	}
	return period + " : pas " + frenchList(closed) + "."
}

// frenchList joins activity labels after "pas": "de restauration scolaire, d'accueil
// périscolaire du soir ni d'accueil de loisirs du mercredi".
func frenchList(labels []string) string {
	parts := make([]string, len(labels))
	for i, l := range labels {
		l = strings.ToLower(l[:1]) + l[1:]
		if strings.ContainsRune("aeiouéèh", []rune(l)[0]) {
			parts[i] = "d'" + l
		} else {
			parts[i] = "de " + l
		}
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " ni " + parts[len(parts)-1]
}

var shortWeekdays = [...]string{"dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."}
var shortMonths = [...]string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}

// shortDate is "lun. 7 déc.", for the grid's narrow columns.
func shortDate(d date.Date) string {
	return fmt.Sprintf("%s %d %s", shortWeekdays[d.Weekday()], d.Day(), shortMonths[d.Month()-1])
}

func cellViewOf(c reservations.Cell, day date.Date) cellView {
	v := cellView{Activity: string(c.Activity), Label: c.Activity.Label(), Date: day.String(), DayLabel: fr.LongDate(day),
		Booked: c.Booked, Changeable: c.Changeable, reason: c.Closed}
	switch {
	case !c.Open:
		v.Status, v.Class, v.Why = "fermé", "closed", c.ReasonText
		v.Pattern = !c.Booked && patternClosure(c.Closed)
		if c.Booked {
			v.Status = "fermé (réservation à régulariser)"
		}
	case !c.Enrolled:
		v.Status, v.Class = "non inscrit", "closed"
	case c.Booked:
		v.Status, v.Class = "réservé", "booked"
	case c.Full:
		v.Status, v.Class = "complet", "full"
	default:
		v.Status, v.Class = "non réservé", "free"
	}
	if c.Open && c.Enrolled && c.PriceCents > 0 {
		v.Price = fr.Euros(c.PriceCents)
	}
	if c.Open && c.Enrolled {
		switch {
		case c.Changeable:
			v.Deadline = "modifiable jusqu'au " + fr.DeadlineText(c.Deadline)
			t := c.Deadline.In(date.Paris)
			v.Short = "modifiable jusqu'au " + shortDate(date.Of(t)) + " à " + fr.Clock(t)
		case c.Reason == reservations.ReasonDeadlinePassed:
			v.Deadline, v.Short = "délai dépassé", "délai dépassé"
		case c.Reason == reservations.ReasonTooManyChanges:
			v.Deadline, v.Short = c.ReasonText, c.ReasonText
		}
	}
	if c.Booked {
		v.Action, v.Button = "/espace-famille/annulations", "Annuler"
	} else {
		v.Action, v.Button = "/espace-famille/reservations", "Réserver"
	}
	return v
}

// ---- Calendar feed ----

func (h *handler) feedForm(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	who := actor(web.ViewerFrom(r.Context()))
	switch r.PostFormValue("action") {
	case "creer":
		if _, err := h.Feeds.Start(r.Context(), who); err != nil {
			web.Error(w, r, err)
			return
		}
		h.Cookies.SetFlash(w, "Votre lien d'agenda est prêt. L'ancien lien, s'il y en avait un, ne fonctionne plus.")
	case "revoquer":
		if err := h.Feeds.Revoke(r.Context(), who); err != nil {
			web.Error(w, r, err)
			return
		}
		h.Cookies.SetFlash(w, "Le lien d'agenda est désactivé.")
	default:
		web.Error(w, r, fault.New(fault.Invalid, "invalid-action", "Action inconnue", "Cette action n'existe pas."))
		return
	}
	http.Redirect(w, r, "/espace-famille/planning#agenda", http.StatusSeeOther)
}

func (h *handler) feed(w http.ResponseWriter, r *http.Request) {
	fp, holder, err := h.Feeds.Open(r.Context(), strings.TrimSuffix(r.PathValue("token"), ".ics"))
	if err != nil {
		web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=900")
	w.Header().Set("Content-Disposition", `inline; filename="planning.ics"`)
	_, _ = w.Write(icsOf(fp, holder.FamilyID, h.Commune, h.BaseURL))
}

// actor is the signed-in parent as the reservation rules see them.
func actor(v *web.Viewer) reservations.Actor {
	return reservations.Actor{FamilyID: v.FamilyID, Email: v.Email, Channel: reservations.ChannelWeb}
}

func (h *handler) feedURL(token string) string {
	return strings.TrimRight(h.BaseURL, "/") + "/calendrier/" + token + ".ics"
}
