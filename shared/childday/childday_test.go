package childday

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/reservations"
)

func TestFromPathAndForm(t *testing.T) {
	tests := []struct {
		name, day, activity string
		want                error
	}{
		{"valid", "2026-12-07", "cantine", nil},
		{"bad date", "07-12-2026", "cantine", reservations.ErrInvalidDate},
		{"bad date and activity: the date first", "2026-13-07", "piscine", reservations.ErrInvalidDate},
		{"bad activity", "2026-12-07", "CANTINE", reservations.ErrInvalidActivity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := httptest.NewRequest(http.MethodPut, "/x", nil)
			path.SetPathValue("childId", "c_lea")
			path.SetPathValue("date", tt.day)
			path.SetPathValue("activity", tt.activity)
			form := httptest.NewRequest(http.MethodPost, "/x",
				strings.NewReader(url.Values{"child": {"c_lea"}, "date": {tt.day}, "activity": {tt.activity}}.Encode()))
			form.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for from, r := range map[string]*http.Request{"path": path, "form": form} {
				var got Target
				var err error
				if from == "path" {
					got, err = FromPath(r)
				} else {
					got, err = FromForm(r)
				}
				if tt.want != nil {
					if !errors.Is(err, tt.want) {
						t.Fatalf("%s: error %v, want %v", from, err, tt.want)
					}
					continue
				}
				want := Target{ChildID: "c_lea", Day: date.MustParse("2026-12-07"), Activity: calendar.Canteen}
				if err != nil || got != want {
					t.Fatalf("%s: %+v, %v; want %+v", from, got, err, want)
				}
			}
		})
	}
}

func TestPlanningURL(t *testing.T) {
	tests := []struct {
		name, mois, day, child, want string
	}{
		{"posted month", "2026-11", "2026-12-07", "c_lea", "/espace-famille/planning?mois=2026-11#semaine-2026-12-07-c_lea"},
		{"the day's month", "", "2026-12-07", "c_lea", "/espace-famille/planning?mois=2026-12#semaine-2026-12-07-c_lea"},
		{"bad month", "décembre", "2026-12-07", "c_lea", "/espace-famille/planning?mois=2026-12#semaine-2026-12-07-c_lea"},
		{"child escaped", "", "2026-12-07", "c/x y", "/espace-famille/planning?mois=2026-12#semaine-2026-12-07-c%2Fx%20y"},
		{"a Thursday goes to its week", "", "2026-12-10", "c_lea", "/espace-famille/planning?mois=2026-12#semaine-2026-12-07-c_lea"},
		{"a Sunday goes to its week", "", "2026-12-13", "c_lea", "/espace-famille/planning?mois=2026-12#semaine-2026-12-07-c_lea"},
		{"a week across months", "", "2027-01-01", "c_lea", "/espace-famille/planning?mois=2027-01#semaine-2026-12-28-c_lea"},
		{"nothing valid", "", "demain", "c_lea", "/espace-famille/planning"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := url.Values{"mois": {tt.mois}, "date": {tt.day}, "child": {tt.child}}.Encode()
			r := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if got := PlanningURL(r); got != tt.want {
				t.Fatalf("%q, want %q", got, tt.want)
			}
		})
	}
}

func TestPlanningWeekURL(t *testing.T) {
	if got, want := PlanningWeekURL("c_lea", date.MustParse("2026-12-04")), "/espace-famille/planning?mois=2026-12#semaine-2026-11-30-c_lea"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}
