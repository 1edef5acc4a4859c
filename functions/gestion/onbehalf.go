package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/fr"
	"github.com/preau/preau/shared/registry"
	"github.com/preau/preau/shared/staff"
	"github.com/preau/preau/shared/townhall"
	"github.com/preau/preau/shared/web"
)

// OnBehalf are the changes staff make on a family's days (*townhall.Service).
type OnBehalf interface {
	FamilyDays(ctx context.Context, familyID string, month date.Date) (townhall.FamilyDays, error)
	ChangeDay(ctx context.Context, who, familyID string, in townhall.DayChangeInput, now time.Time) (townhall.DayChange, error)
}

type familyDaysData struct {
	Record         registry.Record
	Days           townhall.FamilyDays
	In             townhall.DayChangeInput
	Activities     []calendar.Activity
	MonthLabel     string
	Previous, Next string
}

// monthOf reads ?mois=yyyy-mm (this month by default).
func (g *gestion) monthOf(r *http.Request) date.Date {
	if t, err := time.Parse("2006-01", r.URL.Query().Get("mois")); err == nil && t.Year() >= 2000 && t.Year() <= 2100 {
		return date.New(t.Year(), t.Month(), 1)
	}
	return date.Of(g.Clock.Now()).FirstOfMonth()
}

func (g *gestion) familyDaysData(ctx context.Context, id string, month date.Date, in townhall.DayChangeInput) (familyDaysData, error) {
	rec, err := g.Registry.Family(ctx, id)
	if err != nil {
		return familyDaysData{}, err
	}
	days, err := g.OnBehalf.FamilyDays(ctx, id, month)
	if err != nil {
		return familyDaysData{}, err
	}
	return familyDaysData{Record: rec, Days: days, In: in, Activities: calendar.Activities(),
		MonthLabel: fr.MonthName(month.Month()) + " " + fmt.Sprint(month.Year()),
		Previous:   month.AddMonths(-1).MonthKey(), Next: month.AddMonths(1).MonthKey()}, nil
}

func (g *gestion) familyDaysPage(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	d, err := g.familyDaysData(r.Context(), r.PathValue("id"), g.monthOf(r), townhall.DayChangeInput{Action: "book"})
	if err != nil {
		web.Error(w, r, err)
		return
	}
	g.render(w, r, http.StatusOK, "family-days", page{Title: "Jours de " + d.Record.Family.Name, Nav: "familles", Staff: v, Data: d})
}

func (g *gestion) changeFamilyDay(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	id := r.PathValue("id")
	in := townhall.DayChangeInput{ChildID: r.PostFormValue("childId"), Activity: r.PostFormValue("activity"), Day: r.PostFormValue("day"),
		Action: r.PostFormValue("action"), Reason: r.PostFormValue("reason")}
	res, err := g.OnBehalf.ChangeDay(r.Context(), v.Email, id, in, g.Clock.Now())
	if fe, ok := fault.As(err); ok && (fe.Kind == fault.Invalid || fe.Kind == fault.Conflict) {
		month := g.monthOf(r)
		if d, perr := date.Parse(in.Day); perr == nil {
			month = d.FirstOfMonth()
		}
		d, derr := g.familyDaysData(r.Context(), id, month, in)
		if derr != nil {
			web.Error(w, r, derr)
			return
		}
		errs := web.FormErrors(err)
		if len(errs) == 0 {
			errs = []web.FieldErrorView{{Field: "day", Detail: fe.Detail}}
		}
		status := http.StatusBadRequest
		if fe.Kind == fault.Conflict {
			status = http.StatusConflict
		}
		g.render(w, r, status, "family-days", page{Title: "Jours de " + d.Record.Family.Name, Nav: "familles", Staff: v, Errors: errs, Data: d})
		return
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	flash := res.Child + ", " + fr.LongDateYear(res.Day) + " : "
	switch {
	case !res.Changed && res.Kind == townhall.ChangeBooked:
		flash += "déjà réservé, rien n'a changé."
	case !res.Changed && res.Kind == townhall.ChangeCanceled:
		flash += "n'était pas réservé, rien n'a changé."
	case !res.Changed:
		flash += "déjà non facturé, rien n'a changé."
	case res.Kind == townhall.ChangeBooked:
		flash += "réservé pour la famille."
	case res.Kind == townhall.ChangeCanceled:
		flash += "annulé pour la famille."
	default:
		flash += "ne sera pas facturé."
	}
	if res.Changed && res.Passed {
		flash += " (Date limite des parents passée.)"
	}
	g.Cookies.SetFlash(w, flash)
	d, _ := date.Parse(in.Day)
	http.Redirect(w, r, "/gestion/familles/"+id+"/jours?mois="+d.MonthKey(), http.StatusSeeOther)
}
