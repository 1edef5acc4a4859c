package main

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/staff"
	"github.com/preau/preau/shared/townhall"
	"github.com/preau/preau/shared/web"
)

// Holidays are the school years staff load (*townhall.Service).
type Holidays interface {
	SchoolYears(ctx context.Context, now time.Time) ([]townhall.YearInfo, error)
	PreviewFile(ctx context.Context, year int, raw []byte, now time.Time) (townhall.Preview, error)
	PreviewManual(ctx context.Context, year int, rows []townhall.PeriodInput, now time.Time) (townhall.Preview, error)
	ConfirmSchoolYear(ctx context.Context, who string, year int, rows []townhall.PeriodInput, source, version string, now time.Time) error
	SchoolZone() string
}

// maxCalendarBytes bounds the ministry's file (the whole data set, every zone and year, is
// about 200 KB).
const maxCalendarBytes = 4 << 20

// manualNames are the period lines the hand-entry form offers, the usual ones named.
var manualNames = []string{"Vacances de la Toussaint", "Vacances de Noël", "Vacances d'hiver", "Vacances de printemps",
	"Pont de l'Ascension", "Vacances d'été", "", ""}

type holidaysPageData struct {
	Years  []townhall.YearInfo
	Choice []int
	Year   int
	Rows   []townhall.PeriodInput
	Zone   string
}

func (g *gestion) holidaysData(r *http.Request, year int, rows []townhall.PeriodInput) (holidaysPageData, error) {
	now := g.Clock.Now()
	ys, err := g.Holidays.SchoolYears(r.Context(), now)
	if err != nil {
		return holidaysPageData{}, err
	}
	choice := townhall.Years(now)
	if year == 0 {
		year = choice[1]
	}
	if rows == nil {
		for _, n := range manualNames {
			rows = append(rows, townhall.PeriodInput{Name: n})
		}
	}
	return holidaysPageData{Years: ys, Choice: choice, Year: year, Rows: rows, Zone: g.Holidays.SchoolZone()}, nil
}

func (g *gestion) holidaysPage(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	d, err := g.holidaysData(r, 0, nil)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	g.render(w, r, http.StatusOK, "holidays", page{Title: "Vacances scolaires", Nav: "calendrier", Staff: v, Data: d})
}

func (g *gestion) holidaysAgain(w http.ResponseWriter, r *http.Request, v *staff.Viewer, year int, rows []townhall.PeriodInput, err error) {
	d, derr := g.holidaysData(r, year, rows)
	if derr != nil {
		web.Error(w, r, derr)
		return
	}
	errs := web.FormErrors(err)
	if fe, ok := fault.As(err); ok && len(errs) == 0 {
		errs = []web.FieldErrorView{{Field: "fichier", Detail: fe.Detail}}
	}
	g.render(w, r, http.StatusBadRequest, "holidays", page{Title: "Vacances scolaires", Nav: "calendrier", Staff: v, Errors: errs, Data: d})
}

func (g *gestion) renderPreview(w http.ResponseWriter, r *http.Request, v *staff.Viewer, p townhall.Preview) {
	g.render(w, r, http.StatusOK, "holidays-preview", page{Title: "Aperçu des vacances " + p.Label(), Nav: "calendrier", Staff: v, Data: p})
}

// holidaysFile previews the ministry's file.
func (g *gestion) holidaysFile(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	r.Body = http.MaxBytesReader(w, r.Body, maxCalendarBytes+64<<10)
	var raw []byte
	if err := r.ParseMultipartForm(maxCalendarBytes); err == nil {
		if f, _, err := r.FormFile("fichier"); err == nil {
			raw, _ = io.ReadAll(io.LimitReader(f, maxCalendarBytes+1))
			_ = f.Close()
		}
	}
	year, _ := strconv.Atoi(r.FormValue("year"))
	if len(raw) == 0 || len(raw) > maxCalendarBytes {
		g.holidaysAgain(w, r, v, year, nil, townhall.ErrBadFile.WithDetail("Choisissez le fichier CSV du ministère (4 Mo au plus)."))
		return
	}
	p, err := g.Holidays.PreviewFile(r.Context(), year, raw, g.Clock.Now())
	if fe, ok := fault.As(err); ok && fe.Kind == fault.Invalid {
		g.holidaysAgain(w, r, v, year, nil, err)
		return
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	g.renderPreview(w, r, v, p)
}

// periodRows reads the period-<i>-name/first/last fields of a form.
func periodRows(r *http.Request) []townhall.PeriodInput {
	var rows []townhall.PeriodInput
	for i := 0; i < 40; i++ {
		p := "period-" + strconv.Itoa(i) + "-"
		if _, ok := r.PostForm[p+"name"]; !ok {
			break
		}
		rows = append(rows, townhall.PeriodInput{Name: r.PostFormValue(p + "name"), First: r.PostFormValue(p + "first"), Last: r.PostFormValue(p + "last")})
	}
	return rows
}

// holidaysManual previews periods typed by hand.
func (g *gestion) holidaysManual(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	year, _ := strconv.Atoi(r.PostFormValue("year"))
	rows := periodRows(r)
	p, err := g.Holidays.PreviewManual(r.Context(), year, rows, g.Clock.Now())
	if fe, ok := fault.As(err); ok && fe.Kind == fault.Invalid {
		g.holidaysAgain(w, r, v, year, rows, err)
		return
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	g.renderPreview(w, r, v, p)
}

// holidaysConfirm stores a previewed school year.
func (g *gestion) holidaysConfirm(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	year, _ := strconv.Atoi(r.PostFormValue("year"))
	err := g.Holidays.ConfirmSchoolYear(r.Context(), v.Email, year, periodRows(r), r.PostFormValue("source"), r.PostFormValue("version"), g.Clock.Now())
	if err != nil {
		web.Error(w, r, err)
		return
	}
	g.Cookies.SetFlash(w, "Vacances scolaires "+townhall.YearLabel(year)+" enregistrées : les réservations de cette année sont ouvertes.")
	http.Redirect(w, r, "/gestion/calendrier/vacances", http.StatusSeeOther)
}
