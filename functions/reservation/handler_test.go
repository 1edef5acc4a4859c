package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/reservations/reservationstest"
	"github.com/preau/preau/shared/web"
)

func setup(t testing.TB) *reservationstest.Served {
	t.Helper()
	return reservationstest.Serve(t, func(env *reservationstest.Env) (http.Handler, error) {
		return New(Deps{Service: env.Service, Sessions: reservationstest.Parents, Cookies: web.Cookies{Insecure: true}})
	})
}

func TestBookAPI(t *testing.T) {
	f := setup(t)
	tests := []struct {
		name, who, path string
		status          int
		problem         string
	}{
		{"new booking", "parent-a", "/api/v1/children/c_lea/reservations/2026-12-07/cantine", 201, ""},
		{"double submit", "parent-a", "/api/v1/children/c_lea/reservations/2026-12-07/cantine", 200, ""},
		{"unauthenticated", "", "/api/v1/children/c_lea/reservations/2026-12-08/cantine", 401, "unauthenticated"},
		{"another family's child", "parent-b", "/api/v1/children/c_lea/reservations/2026-12-08/cantine", 404, "child-not-found"},
		{"unknown child", "parent-a", "/api/v1/children/c_nobody/reservations/2026-12-08/cantine", 404, "child-not-found"},
		{"unlinked account", "unlinked", "/api/v1/children/c_lea/reservations/2026-12-08/cantine", 404, "child-not-found"},
		{"no longer a member", "left", "/api/v1/children/c_lea/reservations/2026-12-08/cantine", 404, "child-not-found"},
		{"bad date", "parent-a", "/api/v1/children/c_lea/reservations/2026-13-07/cantine", 400, "invalid-date"},
		{"bad activity", "parent-a", "/api/v1/children/c_lea/reservations/2026-12-08/piscine", 400, "invalid-activity"},
		{"not enrolled", "parent-a", "/api/v1/children/c_lea/reservations/2026-12-09/mercredi", 409, "not-enrolled"},
		{"Wednesday, no canteen", "parent-a", "/api/v1/children/c_lea/reservations/2026-12-09/cantine", 409, "closed"},
		{"commune closure", "parent-a", "/api/v1/children/c_lea/reservations/2026-12-10/cantine", 409, "closed"},
		{"Christmas holidays", "parent-a", "/api/v1/children/c_lea/reservations/2026-12-21/cantine", 409, "closed"},
		{"deadline passed", "parent-a", "/api/v1/children/c_lea/reservations/2026-12-03/cantine", 409, "deadline-passed"},
		{"last seat", "parent-a", "/api/v1/children/c_tom/reservations/2026-12-07/cantine", 201, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.Do(t, tt.who, http.MethodPut, tt.path, nil)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if tt.problem != "" {
				if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
					t.Fatalf("content type %q", ct)
				}
				if got := reservationstest.ProblemType(t, w); got != tt.problem {
					t.Fatalf("problem %q, want %q", got, tt.problem)
				}
			}
		})
	}
	d, err := f.Store.Day(context.Background(), reservations.Slot{Activity: calendar.Canteen, Site: "jules-ferry", Day: date.MustParse("2026-12-07")})
	if err != nil {
		t.Fatal(err)
	}
	if d.Booked != 1 || len(d.History) != 1 || d.History[0].Channel != reservations.ChannelAPI || d.History[0].Who != "a@example.fr" {
		t.Fatalf("day %+v: want one booking and one log entry", d)
	}
}

func TestBookFull(t *testing.T) {
	f := setup(t)
	// c_tom's site has one seat: take it for another child first.
	if _, err := f.Store.BookDay(context.Background(), reservations.Slot{Activity: calendar.Canteen, Site: "petit-prince", Day: date.MustParse("2026-12-08")},
		"c_other", 1, reservations.Change{Who: "x@example.fr", At: reservationstest.Deadline, Channel: reservations.ChannelWeb, Action: reservations.ActionBook, ChildID: "c_other"}); err != nil {
		t.Fatal(err)
	}
	w := f.Do(t, "parent-a", http.MethodPut, "/api/v1/children/c_tom/reservations/2026-12-08/cantine", nil)
	if w.Code != 409 || reservationstest.ProblemType(t, w) != "full" {
		t.Fatalf("status %d %s", w.Code, w.Body)
	}
}

// TestCutoffThroughTheAPI stands one second before the deadline, then exactly on it.
func TestCutoffThroughTheAPI(t *testing.T) {
	f := setup(t)
	path := "/api/v1/children/c_lea/reservations/2026-12-07/cantine"
	f.Clock.Set(reservationstest.Deadline.Add(-time.Second))
	if w := f.Do(t, "parent-a", http.MethodPut, path, nil); w.Code != 201 {
		t.Fatalf("one second before: %d %s", w.Code, w.Body)
	}
	f.Clock.Set(reservationstest.Deadline)
	w := f.Do(t, "parent-a", http.MethodPut, "/api/v1/children/c_lea/reservations/2026-12-07/cantine", nil)
	// Already booked answers 200 only when the request is on time: at the deadline it is refused.
	if w.Code != 409 {
		t.Fatalf("at the deadline: %d %s", w.Code, w.Body)
	}
	var p map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if p["type"] != "/problems/deadline-passed" || p["deadline"] != "2026-12-03T10:00:00+01:00" {
		t.Fatalf("problem %v", p)
	}
	if !strings.Contains(p["detail"].(string), "jeudi 3 décembre à 10h00") {
		t.Fatalf("detail %q", p["detail"])
	}
}

func TestBookForm(t *testing.T) {
	f := setup(t)
	form := url.Values{"child": {"c_lea"}, "date": {"2026-12-07"}, "activity": {"cantine"}, "mois": {"2026-12"}}
	w := f.Do(t, "parent-a", http.MethodPost, "/espace-famille/reservations", form)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/espace-famille/planning?mois=2026-12#semaine-2026-12-07-c_lea" {
		t.Fatalf("status %d location %q", w.Code, w.Header().Get("Location"))
	}
	if got, want := reservationstest.Flash(t, w), "Réservation enregistrée : Restauration scolaire pour lea le lundi 7 décembre."; got != want {
		t.Fatalf("flash %q, want %q", got, want)
	}
	w = f.Do(t, "parent-a", http.MethodPost, "/espace-famille/reservations", form)
	if got, want := reservationstest.Flash(t, w), "Restauration scolaire était déjà réservé pour lea le lundi 7 décembre."; got != want {
		t.Fatalf("again: flash %q, want %q", got, want)
	}
	f.Clock.Set(reservationstest.Deadline)
	form.Set("date", "2026-12-04")
	w = f.Do(t, "parent-a", http.MethodPost, "/espace-famille/reservations", form)
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(reservationstest.Flash(t, w), "Réservation impossible. ") {
		t.Fatalf("refusal: status %d, flash %q", w.Code, reservationstest.Flash(t, w))
	}
	form.Set("child", "c_zoe")
	if w := f.Do(t, "parent-a", http.MethodPost, "/espace-famille/reservations", form); w.Code != http.StatusNotFound {
		t.Fatalf("another family's child: status %d", w.Code)
	}
	if w := f.Do(t, "", http.MethodPost, "/espace-famille/reservations", form); w.Code != http.StatusUnauthorized {
		t.Fatalf("anonymous: status %d", w.Code)
	}
	d, err := f.Store.Day(context.Background(), reservations.Slot{Activity: calendar.Canteen, Site: "jules-ferry", Day: date.MustParse("2026-12-04")})
	if err != nil || d.Booked != 0 {
		t.Fatalf("refused bookings changed the day: %+v %v", d, err)
	}
}

// TestBookFormTampered posts forms whose date or activity the planning never offers: the parent goes
// back to the planning with the refusal in French, and nothing changes.
func TestBookFormTampered(t *testing.T) {
	f := setup(t)
	tests := []struct {
		name, date, activity, mois string
		location, flash            string
	}{
		{"bad date", "2026-13-07", "cantine", "2026-12", "/espace-famille/planning?mois=2026-12",
			"Réservation impossible. La date « 2026-13-07 » n'est pas au format AAAA-MM-JJ."},
		{"bad date, no month", "demain", "cantine", "", "/espace-famille/planning",
			"Réservation impossible. La date « demain » n'est pas au format AAAA-MM-JJ."},
		{"unknown activity", "2026-12-07", "piscine", "2026-12", "/espace-famille/planning?mois=2026-12#semaine-2026-12-07-c_lea",
			"Réservation impossible. L'activité demandée n'existe pas."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"child": {"c_lea"}, "date": {tt.date}, "activity": {tt.activity}, "mois": {tt.mois}}
			w := f.Do(t, "parent-a", http.MethodPost, "/espace-famille/reservations", form)
			if w.Code != http.StatusSeeOther || w.Header().Get("Location") != tt.location {
				t.Fatalf("status %d location %q, want 303 %q: %s", w.Code, w.Header().Get("Location"), tt.location, w.Body)
			}
			if got := reservationstest.Flash(t, w); got != tt.flash {
				t.Fatalf("flash %q, want %q", got, tt.flash)
			}
		})
	}
	d, err := f.Store.Day(context.Background(), reservations.Slot{Activity: calendar.Canteen, Site: "jules-ferry", Day: date.MustParse("2026-12-07")})
	if err != nil || d.Booked != 0 || len(d.History) != 0 {
		t.Fatalf("refused forms changed the day: %+v %v", d, err)
	}
}
