package main

import (
	"context"
	"net/http"
	"time"

	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/headcount"
	"github.com/preau/preau/shared/staff"
	"github.com/preau/preau/shared/web"
)

// Headcounts counts booked children (*headcount.Counter).
type Headcounts interface {
	Day(ctx context.Context, day date.Date, now time.Time) ([]headcount.Count, error)
	Week(ctx context.Context, day date.Date, now time.Time) ([]date.Date, [][]headcount.Count, error)
}

// dayOf reads ?jour=yyyy-mm-dd, today (Paris) by default.
func (g *gestion) dayOf(r *http.Request) date.Date {
	if d, err := date.Parse(r.URL.Query().Get("jour")); err == nil {
		return d
	}
	return date.Of(g.Clock.Now())
}

func (g *gestion) headcountDay(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	day := g.dayOf(r)
	counts, err := g.Headcounts.Day(r.Context(), day, g.Clock.Now())
	if err != nil {
		web.Error(w, r, err)
		return
	}
	g.render(w, r, http.StatusOK, "headcounts", page{Title: "Effectifs du jour", Nav: "effectifs", Staff: v, Data: struct {
		Day, Previous, Next date.Date
		Counts              []headcount.Count
	}{day, day.AddDays(-1), day.AddDays(1), counts}})
}

func (g *gestion) headcountWeek(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	days, rows, err := g.Headcounts.Week(r.Context(), g.dayOf(r), g.Clock.Now())
	if err != nil {
		web.Error(w, r, err)
		return
	}
	// One line per activity and site, one column per day.
	type line struct {
		Label  string
		Counts []headcount.Count
	}
	var lines []line
	if len(rows) > 0 {
		for i, c := range rows[0] {
			l := line{Label: c.Activity.Label() + " — " + c.SiteName}
			for _, row := range rows {
				l.Counts = append(l.Counts, row[i])
			}
			lines = append(lines, l)
		}
	}
	g.render(w, r, http.StatusOK, "headcounts-week", page{Title: "Effectifs de la semaine", Nav: "effectifs", Staff: v, Data: struct {
		Days           []date.Date
		Lines          []line
		Previous, Next date.Date
	}{days, lines, days[0].AddDays(-7), days[0].AddDays(7)}})
}

func (g *gestion) headcountCSV(w http.ResponseWriter, r *http.Request, _ *staff.Viewer) {
	day := g.dayOf(r)
	counts, err := g.Headcounts.Day(r.Context(), day, g.Clock.Now())
	if err != nil {
		web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="effectifs-`+day.String()+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(headcount.CSV(counts))
}
