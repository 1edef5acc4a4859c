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

func TestCancelAPI(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	sl := reservations.Slot{Activity: calendar.Canteen, Site: "jules-ferry", Day: date.MustParse("2026-12-07")}
	for _, child := range []string{"c_lea", "c_zoe"} {
		if _, err := f.Store.BookDay(ctx, sl, child, 0, reservations.Change{Who: "x@example.fr", At: reservationstest.Deadline.Add(-48 * time.Hour),
			Channel: reservations.ChannelWeb, Action: reservations.ActionBook, ChildID: child}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, who, path string
		status          int
		problem         string
	}{
		{"another family's child", "parent-a", "/api/v1/children/c_zoe/reservations/2026-12-07/cantine", 404, "child-not-found"},
		{"no longer a member", "left", "/api/v1/children/c_lea/reservations/2026-12-07/cantine", 404, "child-not-found"},
		{"unauthenticated", "", "/api/v1/children/c_lea/reservations/2026-12-07/cantine", 401, "unauthenticated"},
		{"cancel", "parent-a", "/api/v1/children/c_lea/reservations/2026-12-07/cantine", 204, ""},
		{"cancel again", "parent-a", "/api/v1/children/c_lea/reservations/2026-12-07/cantine", 204, ""},
		{"nothing booked", "parent-a", "/api/v1/children/c_lea/reservations/2026-12-08/cantine", 204, ""},
		{"bad date", "parent-a", "/api/v1/children/c_lea/reservations/07-12-2026/cantine", 400, "invalid-date"},
		{"bad activity", "parent-a", "/api/v1/children/c_lea/reservations/2026-12-07/CANTINE", 400, "invalid-activity"},
		{"deadline passed", "parent-a", "/api/v1/children/c_lea/reservations/2026-12-04/cantine", 409, "deadline-passed"},
		{"closed", "parent-a", "/api/v1/children/c_lea/reservations/2026-12-12/cantine", 409, "closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.Do(t, tt.who, http.MethodDelete, tt.path, nil)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if tt.problem != "" && reservationstest.ProblemType(t, w) != tt.problem {
				t.Fatalf("problem %s, want %s", w.Body, tt.problem)
			}
		})
	}
	d, err := f.Store.Day(ctx, sl)
	if err != nil {
		t.Fatal(err)
	}
	_, zoe := d.Bookings["c_zoe"]
	if d.Booked != 1 || !zoe || len(d.History) != 3 {
		t.Fatalf("day %+v: want only Zoé booked and one cancellation logged", d)
	}
}

func TestCancelAtTheDeadline(t *testing.T) {
	f := setup(t)
	path := "/api/v1/children/c_lea/reservations/2026-12-07/cantine"
	f.Clock.Set(reservationstest.Deadline.Add(-time.Second))
	if w := f.Do(t, "parent-a", http.MethodDelete, path, nil); w.Code != 204 {
		t.Fatalf("one second before: %d %s", w.Code, w.Body)
	}
	f.Clock.Set(reservationstest.Deadline)
	w := f.Do(t, "parent-a", http.MethodDelete, path, nil)
	var p map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &p)
	if w.Code != 409 || p["deadline"] != "2026-12-03T10:00:00+01:00" {
		t.Fatalf("at the deadline: %d %v", w.Code, p)
	}
}

func TestCancelForm(t *testing.T) {
	f := setup(t)
	form := url.Values{"child": {"c_lea"}, "date": {"2026-12-07"}, "activity": {"cantine"}, "mois": {"2026-12"}}
	w := f.Do(t, "parent-a", http.MethodPost, "/espace-famille/annulations", form)
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/espace-famille/planning?mois=2026-12") {
		t.Fatalf("status %d location %q", w.Code, w.Header().Get("Location"))
	}
	if got, want := reservationstest.Flash(t, w), "Restauration scolaire n'était pas réservé pour lea le lundi 7 décembre : rien à annuler."; got != want {
		t.Fatalf("flash %q, want %q", got, want)
	}
	f.Clock.Set(reservationstest.Deadline)
	w = f.Do(t, "parent-a", http.MethodPost, "/espace-famille/annulations", form)
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(reservationstest.Flash(t, w), "Annulation impossible. ") {
		t.Fatalf("refusal: status %d, flash %q", w.Code, reservationstest.Flash(t, w))
	}
	if w := f.Do(t, "", http.MethodPost, "/espace-famille/annulations", form); w.Code != http.StatusUnauthorized {
		t.Fatalf("anonymous: %d", w.Code)
	}
}

// TestCancelFormTampered posts forms whose date or activity the planning never offers: the parent goes
// back to the planning with the refusal in French, and nothing changes.
func TestCancelFormTampered(t *testing.T) {
	f := setup(t)
	tests := []struct {
		name, date, activity, mois string
		location, flash            string
	}{
		{"bad date", "2026-13-07", "cantine", "2026-12", "/espace-famille/planning?mois=2026-12",
			"Annulation impossible. La date « 2026-13-07 » n'est pas au format AAAA-MM-JJ."},
		{"bad date, no month", "demain", "cantine", "", "/espace-famille/planning",
			"Annulation impossible. La date « demain » n'est pas au format AAAA-MM-JJ."},
		{"unknown activity", "2026-12-07", "piscine", "2026-12", "/espace-famille/planning?mois=2026-12#semaine-2026-12-07-c_lea",
			"Annulation impossible. L'activité demandée n'existe pas."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"child": {"c_lea"}, "date": {tt.date}, "activity": {tt.activity}, "mois": {tt.mois}}
			w := f.Do(t, "parent-a", http.MethodPost, "/espace-famille/annulations", form)
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
