package main

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/staff"
	"github.com/preau/preau/shared/townhall"
	"github.com/preau/preau/shared/web"
)

// Settings are the activities' settings as staff edit them (*townhall.Service).
type Settings interface {
	Activities(ctx context.Context) ([]family.Activity, error)
	Activity(ctx context.Context, a, site string) (family.Activity, error)
	DescribeActivity(a family.Activity) string
	UpdateActivity(ctx context.Context, who, a, site string, in townhall.ActivityInput, now time.Time) error
}

type activityRow struct {
	Activity    family.Activity
	Description string
}

func (g *gestion) activitiesPage(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	acts, err := g.Settings.Activities(r.Context())
	if err != nil {
		web.Error(w, r, err)
		return
	}
	rows := make([]activityRow, 0, len(acts))
	for _, a := range acts {
		rows = append(rows, activityRow{a, g.Settings.DescribeActivity(a)})
	}
	g.render(w, r, http.StatusOK, "activities", page{Title: "Activités : places, dates limites et tarifs", Nav: "calendrier", Staff: v, Data: rows})
}

type activityForm struct {
	Activity family.Activity
	In       townhall.ActivityInput
	Brackets []string
}

func (g *gestion) activityPage(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	a, err := g.Settings.Activity(r.Context(), r.PathValue("activity"), r.PathValue("site"))
	if err != nil {
		web.Error(w, r, err)
		return
	}
	g.render(w, r, http.StatusOK, "activity", page{Title: a.Activity.Label() + " — " + a.SiteName, Nav: "calendrier", Staff: v,
		Data: activityForm{Activity: a, In: townhall.InputOf(a), Brackets: slices.Sorted(maps.Keys(a.PriceCents))}})
}

func (g *gestion) saveActivity(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	act, site := r.PathValue("activity"), r.PathValue("site")
	cur, err := g.Settings.Activity(r.Context(), act, site)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	in := townhall.ActivityInput{Capacity: r.PostFormValue("capacity"), CutoffDays: r.PostFormValue("cutoffDays"),
		CutoffHour: r.PostFormValue("cutoffHour"), NonResident: r.PostFormValue("nonResident"), Prices: map[string]string{}}
	for b := range cur.PriceCents {
		in.Prices[b] = r.PostFormValue("price-" + b)
	}
	err = g.Settings.UpdateActivity(r.Context(), v.Email, act, site, in, g.Clock.Now())
	if fe, ok := fault.As(err); ok && fe.Kind == fault.Invalid {
		g.render(w, r, http.StatusBadRequest, "activity", page{Title: cur.Activity.Label() + " — " + cur.SiteName, Nav: "calendrier", Staff: v,
			Errors: web.FormErrors(err), Data: activityForm{Activity: cur, In: in, Brackets: slices.Sorted(maps.Keys(cur.PriceCents))}})
		return
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	g.Cookies.SetFlash(w, "Réglages de « "+cur.Activity.Label()+" — "+cur.SiteName+" » enregistrés : ils s'appliquent aux réservations dans la minute.")
	http.Redirect(w, r, "/gestion/activites", http.StatusSeeOther)
}
