package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/fr"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/web"
)

// escaped holds the pages, written from templates/ by go generate ./shared/tmpl.
//
//go:embed escaped/*.html
var escaped embed.FS

// LongPeriods is the reservation rules a long-period request needs; *reservations.Service
// implements it (and e-mails the summary of an applied request).
type LongPeriods interface {
	Now() time.Time
	Household(ctx context.Context, who reservations.Actor) (reservations.Household, error)
	OwnCutoffs(ctx context.Context, h reservations.Household) ([]reservations.ActivityPolicy, error)
	CutoffNotice(own []reservations.ActivityPolicy) string
	PreviewLong(ctx context.Context, who reservations.Actor, q reservations.LongRequest) (reservations.LongResult, error)
	ApplyLong(ctx context.Context, who reservations.Actor, q reservations.LongRequest) (reservations.LongResult, error)
}

// Deps is what the LongPeriod handler needs; main.go builds it once per cold start.
type Deps struct {
	Commune  string
	Service  LongPeriods
	Sessions web.SessionResolver
	Cookies  web.Cookies
	HSTS     bool
}

type handler struct {
	Deps
	pages *web.Renderer
}

// New returns the LongPeriod function's handler: the form, its preview and confirmation, and
// the JSON API.
func New(d Deps) (http.Handler, error) {
	if d.Service == nil || d.Sessions == nil {
		return nil, errors.New("longperiod: service and sessions are required")
	}
	pages, err := web.LoadRenderer(d.Commune, d.Cookies, escaped)
	if err != nil {
		return nil, fmt.Errorf("longperiod: %w", err)
	}
	h := &handler{Deps: d, pages: pages}
	signedIn := web.SignedIn(d.Sessions, d.Cookies)
	mux := web.NewRouter()
	mux.Handle("GET /espace-famille/longue-periode", signedIn(h.formPage))
	mux.Handle("POST /espace-famille/longue-periode", signedIn(h.formPost))
	mux.Handle("POST /api/v1/long-period-requests", signedIn(h.api))
	return web.Handler(mux, web.Options{Function: "LongPeriod", HSTS: d.HSTS}), nil
}

// ---- JSON ----

type requestJSON struct {
	Children   []string `json:"children"`
	Activities []string `json:"activities"`
	From       string   `json:"from"`
	To         string   `json:"to"`
	Weekdays   []int    `json:"weekdays"` // ISO: 1 Monday … 7 Sunday
	Action     string   `json:"action"`
	Preview    bool     `json:"preview"`
}

type itemJSON struct {
	ChildID  string              `json:"childId"`
	Date     date.Date           `json:"date"`
	Activity calendar.Activity   `json:"activity"`
	Reason   reservations.Reason `json:"reason,omitempty"`
	Detail   string              `json:"detail,omitempty"`
}

type resultJSON struct {
	Preview bool       `json:"preview"`
	Applied []itemJSON `json:"applied"`
	Skipped []itemJSON `json:"skipped"`
}

func (h *handler) api(w http.ResponseWriter, r *http.Request) {
	var in requestJSON
	if err := web.DecodeJSON(w, r, &in); err != nil {
		web.Error(w, r, err)
		return
	}
	q, err := reservations.ParseLongRequest(in.Children, in.Activities, in.From, in.To, in.Weekdays, in.Action)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	res, err := h.run(r, q, in.Preview, reservations.ChannelAPI)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	out := resultJSON{Preview: in.Preview, Applied: itemsJSON(res.Applied), Skipped: itemsJSON(res.Skipped)}
	web.WriteJSON(w, http.StatusOK, out)
}

func itemsJSON(items []reservations.LongItem) []itemJSON {
	out := make([]itemJSON, 0, len(items))
	for _, it := range items {
		out = append(out, itemJSON{ChildID: it.Child.ID, Date: it.Date, Activity: it.Activity, Reason: it.Reason, Detail: it.Detail})
	}
	return out
}

// run previews or applies q for the viewer; the rules e-mail the summary of an applied request.
func (h *handler) run(r *http.Request, q reservations.LongRequest, preview bool, ch reservations.Channel) (reservations.LongResult, error) {
	v := web.ViewerFrom(r.Context())
	who := reservations.Actor{FamilyID: v.FamilyID, Email: v.Email, Channel: ch, Name: v.FirstName + " " + v.LastName}
	if preview {
		return h.Service.PreviewLong(r.Context(), who, q)
	}
	res, err := h.Service.ApplyLong(r.Context(), who, q)
	if err == nil && res.Err != nil {
		// Some days failed or were not reached: they are listed as skipped, the others are done.
		slog.ErrorContext(r.Context(), "long-period request incomplete", "err", res.Err.Error(),
			"skipped", res.SkippedBy(), "request_id", web.RequestID(r.Context()))
	}
	return res, err
}

// ---- Pages ----

type formData struct {
	Warning    string
	NoFamily   bool
	Children   []option
	Activities []option
	Weekdays   []option
	From, To   string
	Action     string
}

type option struct {
	Value, Label string
	Checked      bool
}

type previewData struct {
	Form      formData
	Request   reservations.LongRequest
	Period    string
	ActionFr  string
	Applied   []reservations.LongGroup
	Count     int
	Skipped   []skippedView
	SkipCount int
	Done      bool
}

type skippedView struct{ Day, Child, Activity, Why string }

// warning states the rule each day is held to: the commune's, and the activities' own (own).
func (h *handler) warning(own []reservations.ActivityPolicy) string {
	return "Chaque jour est traité avec sa propre date limite. " + h.Service.CutoffNotice(own) +
		" Les jours fermés, complets ou dont le délai est dépassé sont ignorés."
}

var weekdayChoices = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}

// form builds the form's choices from the family, checking what sel says.
func (h *handler) form(ctx context.Context, v *web.Viewer, sel map[string][]string) (formData, error) {
	d := formData{Warning: h.warning(nil), Action: "book"}
	hh, err := h.Service.Household(ctx, reservations.Actor{FamilyID: v.FamilyID, Email: v.Email})
	if errors.Is(err, reservations.ErrNoFamily) {
		d.NoFamily = true
		return d, nil
	}
	if err != nil {
		return d, err
	}
	own, err := h.Service.OwnCutoffs(ctx, hh)
	if err != nil {
		return d, err
	}
	d.Warning = h.warning(own)
	today := date.Of(h.Service.Now())
	d.From, d.To = today.String(), today.AddDays(27).String()
	if v := first(sel["du"]); v != "" {
		d.From = v
	}
	if v := first(sel["au"]); v != "" {
		d.To = v
	}
	if v := first(sel["action"]); v != "" {
		d.Action = v
	}
	for _, c := range hh.Children {
		d.Children = append(d.Children, option{Value: c.ID, Label: strings.TrimSpace(c.FirstName + " " + c.LastName),
			Checked: sel == nil || slices.Contains(sel["enfant"], c.ID)})
	}
	for _, a := range calendar.Activities() {
		if !slices.ContainsFunc(hh.Enrolments, func(e family.Enrolment) bool { return e.Activity == a }) {
			continue
		}
		d.Activities = append(d.Activities, option{Value: string(a), Label: a.Label(),
			Checked: slices.Contains(sel["activite"], string(a)) || (sel == nil && a == calendar.Canteen)})
	}
	for _, w := range weekdayChoices {
		v := strconv.Itoa(int(w))
		d.Weekdays = append(d.Weekdays, option{Value: v, Label: fr.WeekdayName(w),
			Checked: slices.Contains(sel["jour"], v) || (sel == nil && w != time.Wednesday)})
	}
	return d, nil
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func (h *handler) formPage(w http.ResponseWriter, r *http.Request) {
	v := web.ViewerFrom(r.Context())
	d, err := h.form(r.Context(), v, nil)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	h.pages.Render(w, r, http.StatusOK, "form", web.Page{Title: "Demande sur une longue période", Nav: "famille", Data: d})
}

// parseForm reads the form into a request, with field errors.
func parseForm(f map[string][]string) (reservations.LongRequest, error) {
	var errs fault.Fields
	q := reservations.LongRequest{Children: f["enfant"]}
	if len(q.Children) == 0 {
		errs.Add("enfants", "Choisissez au moins un enfant.")
	}
	for _, s := range f["activite"] {
		a, err := reservations.ParseActivity(s)
		if err != nil {
			return q, err
		}
		q.Activities = append(q.Activities, a)
	}
	if len(q.Activities) == 0 {
		errs.Add("activites", "Choisissez au moins une activité.")
	}
	var err error
	if q.From, err = date.Parse(first(f["du"])); err != nil {
		errs.Add("du", "Indiquez la date de début (jj/mm/aaaa).")
	}
	if q.To, err = date.Parse(first(f["au"])); err != nil {
		errs.Add("au", "Indiquez la date de fin (jj/mm/aaaa).")
	}
	if !q.From.IsZero() && !q.To.IsZero() {
		if err := reservations.CheckRange(q.From, q.To, reservations.MaxLongPeriodDays); err != nil {
			f, _ := fault.As(err)
			errs.Add("au", f.Detail)
		}
	}
	for _, s := range f["jour"] {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 6 {
			return q, reservations.ErrInvalidRange
		}
		q.Weekdays = append(q.Weekdays, time.Weekday(n))
	}
	if len(q.Weekdays) == 0 {
		errs.Add("jours", "Choisissez au moins un jour de la semaine.")
	}
	if q.Action, err = reservations.ParseAction(first(f["action"])); err != nil {
		errs.Add("action", "Choisissez réserver ou annuler.")
	}
	return q, errs.Err()
}

func (h *handler) formPost(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	v := web.ViewerFrom(r.Context())
	fd, err := h.form(r.Context(), v, r.PostForm)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	if fd.NoFamily {
		web.Error(w, r, reservations.ErrNoFamily)
		return
	}
	q, err := parseForm(r.PostForm)
	if f, ok := fault.As(err); ok && len(f.Fields) > 0 {
		h.pages.Render(w, r, http.StatusBadRequest, "form", web.Page{Title: "Demande sur une longue période", Nav: "famille",
			Errors: web.FormErrors(err), Data: fd})
		return
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	confirm := r.PostFormValue("etape") == "confirmer"
	res, err := h.run(r, q, !confirm, reservations.ChannelLongPeriod)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	pd := previewData{Form: fd, Request: q, Period: q.Period(), ActionFr: q.Action.French(), Applied: reservations.GroupLong(res.Applied),
		Count: len(res.Applied), SkipCount: len(res.Skipped), Done: confirm}
	for _, it := range res.Skipped {
		pd.Skipped = append(pd.Skipped, skippedView{Day: fr.LongDate(it.Date), Child: it.Child.FirstName, Activity: it.Activity.Label(), Why: it.Detail})
	}
	title := "Vérifiez votre demande"
	if confirm {
		title = "Demande enregistrée"
	}
	h.pages.Render(w, r, http.StatusOK, "preview", web.Page{Title: title, Nav: "famille", Data: pd})
}
