package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/staff"
	"github.com/preau/preau/shared/townhall"
	"github.com/preau/preau/shared/web"
)

// Townhall is what staff change in the calendar and in families' days (*townhall.Service).
type Townhall interface {
	Closures(ctx context.Context, now time.Time) ([]calendar.Closure, error)
	Sites(ctx context.Context) ([]townhall.Site, error)
	Close(ctx context.Context, who string, in townhall.ClosureInput, now time.Time) (townhall.ClosureReport, error)
	Reopen(ctx context.Context, who, day string, now time.Time) error
}

type calendarPageData struct {
	Closures   []closureRow
	In         townhall.ClosureInput
	Reasons    any
	Activities []calendar.Activity
	Sites      []townhall.Site
}

// closureRow is an upcoming closure as the page lists it.
type closureRow struct {
	calendar.Closure
	Text string // reason, activities and sites
}

// SiteChecked reports whether the form's site code is ticked.
func (d calendarPageData) SiteChecked(code string) bool { return slices.Contains(d.In.Sites, code) }

// checked reports whether the form's activity a is ticked.
func (d calendarPageData) Checked(a calendar.Activity) bool {
	for _, s := range d.In.Activities {
		if s == string(a) {
			return true
		}
	}
	return false
}

func (g *gestion) calendarData(ctx context.Context, in townhall.ClosureInput) (calendarPageData, error) {
	cls, err := g.Townhall.Closures(ctx, g.Clock.Now())
	if err != nil {
		return calendarPageData{}, err
	}
	sites, err := g.Townhall.Sites(ctx)
	if err != nil {
		return calendarPageData{}, err
	}
	d := calendarPageData{In: in, Reasons: townhall.ClosureReasons, Activities: calendar.Activities(), Sites: sites}
	for _, cl := range cls {
		d.Closures = append(d.Closures, closureRow{cl, townhall.DescribeClosure(cl, sites)})
	}
	return d, nil
}

func (g *gestion) calendarPage(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	in := townhall.ClosureInput{Reason: "greve"}
	for _, a := range calendar.Activities() {
		in.Activities = append(in.Activities, string(a))
	}
	sites, err := g.Townhall.Sites(r.Context())
	if err != nil {
		web.Error(w, r, err)
		return
	}
	for _, s := range sites {
		in.Sites = append(in.Sites, s.Code)
	}
	d, err := g.calendarData(r.Context(), in)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	g.render(w, r, http.StatusOK, "calendar", page{Title: "Calendrier et fermetures", Nav: "calendrier", Staff: v, Data: d})
}

// closeDay saves a closure: its bookings are cancelled, unbilled, and the families told once.
func (g *gestion) closeDay(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	in := townhall.ClosureInput{Day: r.PostFormValue("day"), Reason: r.PostFormValue("reason"), Detail: r.PostFormValue("detail"),
		Activities: r.PostForm["activities"], Sites: r.PostForm["sites"]}
	rep, err := g.Townhall.Close(r.Context(), v.Email, in, g.Clock.Now())
	if fe, ok := fault.As(err); ok && fe.Kind == fault.Invalid {
		d, derr := g.calendarData(r.Context(), in)
		if derr != nil {
			web.Error(w, r, derr)
			return
		}
		g.render(w, r, http.StatusBadRequest, "calendar", page{Title: "Calendrier et fermetures", Nav: "calendrier", Staff: v,
			Errors: web.FormErrors(err), Data: d})
		return
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	flash := fmt.Sprintf("Fermeture enregistrée : %d réservation(s) annulée(s) et non facturée(s), %d famille(s) prévenue(s) par e-mail.",
		rep.Cancelled, rep.Notified)
	if rep.Failed > 0 {
		flash += fmt.Sprintf(" %d e-mail(s) n'ont pas pu partir : enregistrez de nouveau la fermeture pour les renvoyer.", rep.Failed)
	}
	g.Cookies.SetFlash(w, flash)
	http.Redirect(w, r, "/gestion/calendrier", http.StatusSeeOther)
}

// reopenDay removes a closure.
func (g *gestion) reopenDay(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	if err := g.Townhall.Reopen(r.Context(), v.Email, r.PostFormValue("day"), g.Clock.Now()); err != nil {
		web.Error(w, r, err)
		return
	}
	g.Cookies.SetFlash(w, "Fermeture supprimée : le jour est de nouveau ouvert aux réservations.")
	http.Redirect(w, r, "/gestion/calendrier", http.StatusSeeOther)
}
