package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/infra/dynamotest"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/store"
	"github.com/preau/preau/shared/web"
)

// sessions is a fake resolver: the cookie value names the parent.
type sessions map[string]*web.Viewer

func (s sessions) ResolveSession(_ context.Context, token string) (*web.Viewer, error) {
	return s[token], nil
}

var parents = sessions{
	"parent-a": {Email: "a@example.fr", FirstName: "Anne", FamilyID: "f_a"},
	"parent-b": {Email: "b@example.fr", FirstName: "Bruno", FamilyID: "f_b"},
	"unlinked": {Email: "u@example.fr", FirstName: "Ugo"},
	// left's account still names family A, but the family no longer lists it as a member.
	"left": {Email: "gone@example.fr", FirstName: "Gaston", FamilyID: "f_a"},
}

type fixture struct {
	h     http.Handler
	st    *store.Store
	clock *clock.Fixed
}

// deadline of Monday 2026-12-07 under the commune's rule.
var deadline = time.Date(2026, 12, 3, 10, 0, 0, 0, date.Paris)

func setup(t *testing.T) *fixture {
	t.Helper()
	env := dynamotest.New(t)
	st := store.New(env.Client, store.Tables{Data: env.DataTable, Session: env.SessionTable})
	ctx := context.Background()
	from := date.MustParse("2026-09-01")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []struct{ fam, child, site string }{{"f_a", "c_lea", "jules-ferry"}, {"f_b", "c_zoe", "jules-ferry"}, {"f_a", "c_tom", "petit-prince"}} {
		must(st.PutFamily(ctx, family.Family{ID: f.fam, Name: "Famille " + f.fam}))
		must(st.AddMember(ctx, f.fam, strings.TrimPrefix(f.fam, "f_")+"@example.fr", from.At(9, 0, date.Paris)))
		must(st.PutChild(ctx, family.Child{ID: f.child, FamilyID: f.fam, FirstName: strings.TrimPrefix(f.child, "c_")}))
		must(st.PutEnrolment(ctx, f.fam, family.Enrolment{ChildID: f.child, Activity: calendar.Canteen, Site: f.site, From: from}))
	}
	must(st.PutActivity(ctx, family.Activity{Activity: calendar.Canteen, Site: "petit-prince", Capacity: 1}))
	must(st.PutClosure(ctx, calendar.Closure{Day: date.MustParse("2026-12-10"), Label: "Formation des agents", Activities: []calendar.Activity{calendar.Canteen}}))
	clk := clock.NewFixed(deadline.Add(-time.Hour))
	svc := reservations.New(st, clk, calendar.Default(), cutoff.DefaultPolicy(), reservations.Options{})
	h, err := New(Deps{Service: svc, Sessions: parents, Cookies: web.Cookies{Insecure: true}})
	must(err)
	return &fixture{h: h, st: st, clock: clk}
}

func (f *fixture) do(t *testing.T, who, method, target string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	r := httptest.NewRequest(method, target, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if who != "" {
		r.AddCookie(&http.Cookie{Name: "preau_session", Value: who})
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}

func problemType(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatalf("body %q: %v", w.Body.String(), err)
	}
	s, _ := p["type"].(string)
	return strings.TrimPrefix(s, web.ProblemBase)
}

func TestCancelAPI(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	sl := reservations.Slot{Activity: calendar.Canteen, Site: "jules-ferry", Day: date.MustParse("2026-12-07")}
	for _, child := range []string{"c_lea", "c_zoe"} {
		if _, err := f.st.BookDay(ctx, sl, child, 0, reservations.Change{Who: "x@example.fr", At: deadline.Add(-48 * time.Hour),
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
			w := f.do(t, tt.who, http.MethodDelete, tt.path, nil)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if tt.problem != "" && problemType(t, w) != tt.problem {
				t.Fatalf("problem %s, want %s", w.Body, tt.problem)
			}
		})
	}
	d, err := f.st.Day(ctx, sl)
	if err != nil {
		t.Fatal(err)
	}
	_, zoe := d.Bookings["c_zoe"]
	if d.Booked != 1 || !zoe || len(d.Log) != 3 {
		t.Fatalf("day %+v: want only Zoé booked and one cancellation logged", d)
	}
}

func TestCancelAtTheDeadline(t *testing.T) {
	f := setup(t)
	path := "/api/v1/children/c_lea/reservations/2026-12-07/cantine"
	f.clock.Set(deadline.Add(-time.Second))
	if w := f.do(t, "parent-a", http.MethodDelete, path, nil); w.Code != 204 {
		t.Fatalf("one second before: %d %s", w.Code, w.Body)
	}
	f.clock.Set(deadline)
	w := f.do(t, "parent-a", http.MethodDelete, path, nil)
	var p map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &p)
	if w.Code != 409 || p["deadline"] != "2026-12-03T10:00:00+01:00" {
		t.Fatalf("at the deadline: %d %v", w.Code, p)
	}
}

func TestCancelForm(t *testing.T) {
	f := setup(t)
	form := url.Values{"child": {"c_lea"}, "date": {"2026-12-07"}, "activity": {"cantine"}, "mois": {"2026-12"}}
	w := f.do(t, "parent-a", http.MethodPost, "/espace-famille/annulations", form)
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/espace-famille/planning?mois=2026-12") {
		t.Fatalf("status %d location %q", w.Code, w.Header().Get("Location"))
	}
	if w := f.do(t, "", http.MethodPost, "/espace-famille/annulations", form); w.Code != http.StatusUnauthorized {
		t.Fatalf("anonymous: %d", w.Code)
	}
}
