package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/reservations/reservationstest"
	"github.com/preau/preau/shared/web"
)

type fixture struct {
	*reservationstest.Served
	mails *mailbox
}

// mailbox records the summaries sent.
type mailbox struct {
	mu   sync.Mutex
	sent []reservations.LongSummary
	to   []string
}

func (m *mailbox) SendLongPeriodSummary(_ context.Context, to, _ string, s reservations.LongSummary) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent, m.to = append(m.sent, s), append(m.to, to)
	return nil
}

func setup(t testing.TB) *fixture {
	t.Helper()
	mails := &mailbox{}
	served := reservationstest.Serve(t, func(env *reservationstest.Env) (http.Handler, error) {
		svc := env.ServiceWith(env.Store, reservations.Options{Notifier: mails, Link: link})
		return New(Deps{Commune: "Laigneville", Service: svc, Sessions: reservationstest.Parents, Cookies: web.Cookies{Insecure: true}})
	})
	return &fixture{Served: served, mails: mails}
}

func link(path string) string { return "https://portail.example.fr" + path }

// failingDays is the store, except that writes to the days in fail are refused.
type failingDays struct {
	*reservationstest.Memory
	fail map[string]bool
}

var errStore = errors.New("store unavailable")

func (s failingDays) BookDay(ctx context.Context, sl reservations.Slot, child string, capacity int, c reservations.Change) (reservations.Outcome, error) {
	if s.fail[sl.Day.String()] {
		return 0, errStore
	}
	return s.Memory.BookDay(ctx, sl, child, capacity, c)
}

func (s failingDays) BookNewDay(ctx context.Context, sl reservations.Slot, capacity int, cs []reservations.Change) (bool, error) {
	if s.fail[sl.Day.String()] {
		return false, errStore
	}
	return s.Memory.BookNewDay(ctx, sl, capacity, cs)
}

func (f *fixture) api(t *testing.T, who, body string) (*httptest.ResponseRecorder, result) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/api/v1/long-period-requests", bytes.NewBufferString(body))
	r.Header.Set("Content-Type", "application/json")
	if who != "" {
		r.AddCookie(&http.Cookie{Name: "preau_session", Value: who})
	}
	w := httptest.NewRecorder()
	f.Handler.ServeHTTP(w, r)
	var res result
	if w.Code == 200 {
		if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
			t.Fatal(err)
		}
	}
	return w, res
}

type item struct{ ChildID, Date, Activity, Reason string }

type result struct {
	Preview bool
	Applied []item
	Skipped []item
}

func (r result) reasons() map[string]int {
	m := map[string]int{}
	for _, s := range r.Skipped {
		m[s.Reason]++
	}
	return m
}

func (f *fixture) booked(t *testing.T, site, day string) int {
	t.Helper()
	d, err := f.Store.Day(context.Background(), reservations.Slot{Activity: calendar.Canteen, Site: site, Day: date.MustParse(day)})
	if err != nil {
		t.Fatal(err)
	}
	return d.Booked
}

// TestLongPeriodAcrossHolidays books December 2026 to mid-January 2027 for two children: the
// first days are past their deadline, Wednesdays are not asked for, the Christmas holidays and
// New Year's Day are closed, the commune's closure too.
func TestLongPeriodAcrossHolidays(t *testing.T) {
	f := setup(t)
	body := `{"children":["c_lea","c_tom"],"activities":["cantine"],"from":"2026-12-01","to":"2027-01-15","weekdays":[1,2,4,5],"action":"book"%s}`
	w, prev := f.api(t, "parent-a", fmt.Sprintf(body, `,"preview":true`))
	if w.Code != 200 || !prev.Preview {
		t.Fatalf("preview: %d %s", w.Code, w.Body)
	}
	if f.booked(t, "jules-ferry", "2026-12-07") != 0 {
		t.Fatal("the preview booked")
	}
	// School days asked for: Dec 7, 8, 11, 14, 15, 17, 18 (Dec 10 closed for the canteen) and
	// Jan 4, 5, 7, 8, 11, 12, 14, 15 — 15 each; deadline passed for Dec 1, 3, 4.
	r := prev.reasons()
	if len(prev.Applied) != 30 || r["deadline-passed"] != 6 || r["closed"] == 0 {
		t.Fatalf("preview: %d applied, skipped %v", len(prev.Applied), r)
	}
	for _, s := range prev.Skipped {
		if s.Date == "2026-12-10" && s.Reason != "closed" || s.Date == "2027-01-01" && s.Reason != "closed" || s.Date == "2026-12-09" {
			t.Fatalf("skipped %+v", s)
		}
	}
	w, res := f.api(t, "parent-a", fmt.Sprintf(body, ""))
	if w.Code != 200 || res.Preview || len(res.Applied) != 30 {
		t.Fatalf("apply: %d, %d applied", w.Code, len(res.Applied))
	}
	if f.booked(t, "jules-ferry", "2026-12-07") != 1 || f.booked(t, "jules-ferry", "2027-01-15") != 1 || f.booked(t, "petit-prince", "2027-01-04") != 1 {
		t.Fatal("days not booked")
	}
	if len(f.mails.sent) != 1 || f.mails.to[0] != "a@example.fr" || len(f.mails.sent[0].Applied) != 2 {
		t.Fatalf("summary e-mails: %+v", f.mails.sent)
	}
	// Replaying the same request changes nothing.
	_, again := f.api(t, "parent-a", fmt.Sprintf(body, ""))
	if len(again.Applied) != 0 || again.reasons()["already-booked"] != 30 {
		t.Fatalf("replay: %d applied, skipped %v", len(again.Applied), again.reasons())
	}
	d, _ := f.Store.Day(context.Background(), reservations.Slot{Activity: calendar.Canteen, Site: "jules-ferry", Day: date.MustParse("2026-12-07")})
	if len(d.History) != 1 || d.History[0].Channel != reservations.ChannelLongPeriod {
		t.Fatalf("log %+v", d.History)
	}
	// Cancel the Fridays of December.
	_, c := f.api(t, "parent-a", `{"children":["c_lea"],"activities":["cantine"],"from":"2026-12-07","to":"2026-12-31","weekdays":[5],"action":"cancel"}`)
	if len(c.Applied) != 2 || f.booked(t, "jules-ferry", "2026-12-11") != 0 || f.booked(t, "jules-ferry", "2026-12-18") != 0 {
		t.Fatalf("cancel: %+v", c)
	}
}

func TestLongPeriodWednesdaysAndEnrolment(t *testing.T) {
	f := setup(t)
	_, res := f.api(t, "parent-a", `{"children":["c_lea"],"activities":["cantine","mercredi"],"from":"2026-12-07","to":"2026-12-18","weekdays":[3],"action":"book","preview":true}`)
	r := res.reasons()
	if len(res.Applied) != 0 || r["not-enrolled"] != 2 || r["closed"] != 2 {
		t.Fatalf("Wednesdays: %d applied, %v", len(res.Applied), r)
	}
}

// TestLongPeriodAcrossDST stands on either side of a deadline that falls after the change to
// summer time (Tuesday 30 March 2027, 10:00 +02:00, for Thursday 1 April).
func TestLongPeriodAcrossDST(t *testing.T) {
	f := setup(t)
	body := `{"children":["c_lea"],"activities":["cantine"],"from":"2027-03-22","to":"2027-04-02","weekdays":[1,2,3,4,5],"action":"book","preview":true}`
	deadline := time.Date(2027, 3, 30, 10, 0, 0, 0, date.Paris)
	if _, off := deadline.Zone(); off != 7200 {
		t.Fatal("test expects summer time")
	}
	tests := []struct {
		name  string
		now   time.Time
		first string
	}{
		{"one second before", deadline.Add(-time.Second), "2027-04-01"},
		{"at the deadline", deadline, "2027-04-02"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.Clock.Set(tt.now)
			_, res := f.api(t, "parent-a", body)
			if len(res.Applied) == 0 || res.Applied[0].Date != tt.first {
				t.Fatalf("first applied %+v, want %s", res.Applied, tt.first)
			}
		})
	}
}

func TestLongPeriodRefusals(t *testing.T) {
	f := setup(t)
	tests := []struct {
		name, who, body string
		status          int
	}{
		{"family B's child", "parent-a", `{"children":["c_zoe"],"activities":["cantine"],"from":"2026-12-07","to":"2026-12-18","weekdays":[1],"action":"book"}`, 404},
		{"one of B's children among A's", "parent-a", `{"children":["c_lea","c_zoe"],"activities":["cantine"],"from":"2026-12-07","to":"2026-12-18","weekdays":[1],"action":"book"}`, 404},
		{"unlinked", "unlinked", `{"children":["c_zoe"],"activities":["cantine"],"from":"2026-12-07","to":"2026-12-18","weekdays":[1],"action":"book"}`, 404},
		{"no longer a member", "left", `{"children":["c_lea"],"activities":["cantine"],"from":"2026-12-07","to":"2026-12-18","weekdays":[1],"action":"book"}`, 404},
		{"anonymous", "", `{"children":["c_lea"],"activities":["cantine"],"from":"2026-12-07","to":"2026-12-18","weekdays":[1],"action":"book"}`, 401},
		{"bad date", "parent-a", `{"children":["c_lea"],"activities":["cantine"],"from":"2026-12-32","to":"2026-12-18","weekdays":[1],"action":"book"}`, 400},
		{"bad activity", "parent-a", `{"children":["c_lea"],"activities":["piscine"],"from":"2026-12-07","to":"2026-12-18","weekdays":[1],"action":"book"}`, 400},
		{"bad weekday", "parent-a", `{"children":["c_lea"],"activities":["cantine"],"from":"2026-12-07","to":"2026-12-18","weekdays":[8],"action":"book"}`, 400},
		{"bad action", "parent-a", `{"children":["c_lea"],"activities":["cantine"],"from":"2026-12-07","to":"2026-12-18","weekdays":[1],"action":"swap"}`, 400},
		{"too long", "parent-a", `{"children":["c_lea"],"activities":["cantine"],"from":"2026-12-07","to":"2028-12-18","weekdays":[1],"action":"book"}`, 400},
		{"reversed", "parent-a", `{"children":["c_lea"],"activities":["cantine"],"from":"2026-12-18","to":"2026-12-07","weekdays":[1],"action":"book"}`, 400},
		{"no child", "parent-a", `{"children":[],"activities":["cantine"],"from":"2026-12-07","to":"2026-12-18","weekdays":[1],"action":"book"}`, 400},
		{"unknown field", "parent-a", `{"kids":["c_lea"]}`, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if w, _ := f.api(t, tt.who, tt.body); w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
		})
	}
	if f.booked(t, "jules-ferry", "2026-12-07") != 0 || f.booked(t, "jules-ferry", "2026-12-14") != 0 || len(f.mails.sent) != 0 {
		t.Fatal("a refused request changed something")
	}
}

// TestLongPeriodFieldErrors: a request missing or overflowing a list is refused with the field
// to correct, and a body of repeated values is refused, not processed.
func TestLongPeriodFieldErrors(t *testing.T) {
	f := setup(t)
	repeated := strings.TrimSuffix(strings.Repeat(`"cantine",`, 3000), ",")
	tests := []struct {
		name, body string
		fields     []string
	}{
		{"nothing chosen", `{"children":[],"activities":[],"from":"2026-12-07","to":"2026-12-18","weekdays":[],"action":"book"}`, []string{"children", "activities", "weekdays"}},
		{"reversed", `{"children":["c_lea"],"activities":["cantine"],"from":"2026-12-18","to":"2026-12-07","weekdays":[1],"action":"book"}`, []string{"to"}},
		{"repeated activities", `{"children":["c_lea"],"activities":[` + repeated + `],"from":"2026-12-07","to":"2026-12-18","weekdays":[1],"action":"book"}`, []string{"activities"}},
		{"weekday 0", `{"children":["c_lea"],"activities":["cantine"],"from":"2026-12-07","to":"2026-12-18","weekdays":[0],"action":"book"}`, []string{"weekdays"}},
		{"every field wrong at once", `{"children":[],"activities":["piscine"],"from":"2026-12-32","to":"demain","weekdays":[8],"action":"swap"}`,
			[]string{"from", "to", "activities", "weekdays", "action", "children"}},
		{"a bad weekday hides nothing", `{"children":["c_lea"],"activities":["cantine"],"from":"2026-12-18","to":"2026-12-07","weekdays":[1,9],"action":"book"}`,
			[]string{"weekdays", "to"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, _ := f.api(t, "parent-a", tt.body)
			var p struct {
				Type   string
				Errors []struct{ Field, Detail string }
			}
			if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || w.Code != 400 {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			var got []string
			for _, e := range p.Errors {
				got = append(got, e.Field)
			}
			if !strings.HasSuffix(p.Type, "invalid-fields") || strings.Join(got, ",") != strings.Join(tt.fields, ",") {
				t.Fatalf("problem %s, fields %v, want %v", p.Type, got, tt.fields)
			}
		})
	}
}

// TestLongPeriodDuplicates: a child or weekday named twice, apart, books each day once.
func TestLongPeriodDuplicates(t *testing.T) {
	f := setup(t)
	w, res := f.api(t, "parent-a", `{"children":["c_lea","c_tom","c_lea"],"activities":["cantine"],"from":"2026-12-07","to":"2026-12-08","weekdays":[1,2,1],"action":"book"}`)
	if w.Code != 200 || len(res.Applied) != 4 || len(res.Skipped) != 0 {
		t.Fatalf("%d: %d applied, skipped %v", w.Code, len(res.Applied), res.reasons())
	}
	d, err := f.Store.Day(context.Background(), reservations.Slot{Activity: calendar.Canteen, Site: "jules-ferry", Day: date.MustParse("2026-12-07")})
	if err != nil || d.Booked != 1 || len(d.History) != 1 {
		t.Fatalf("day %+v %v", d, err)
	}
}

func TestLongPeriodPages(t *testing.T) {
	f := setup(t)
	w := f.Do(t, "parent-a", http.MethodGet, "/espace-famille/longue-periode", nil)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `value="c_lea"`) || !strings.Contains(w.Body.String(), "2 jours ouvrés avant le jour concerné, avant 10h00") {
		t.Fatalf("form: %d", w.Code)
	}
	if w := f.Do(t, "left", http.MethodGet, "/espace-famille/longue-periode", nil); w.Code != 200 || strings.Contains(w.Body.String(), "c_lea") {
		t.Fatalf("form of a parent who is no longer a member: %d", w.Code)
	}
	if w := f.Do(t, "", http.MethodGet, "/espace-famille/longue-periode", nil); w.Code != 303 {
		t.Fatalf("anonymous form: %d", w.Code)
	}
	form := url.Values{"etape": {"apercu"}, "enfant": {"c_lea"}, "activite": {"cantine"}, "du": {"2026-12-07"}, "au": {"2026-12-31"},
		"jour": {"1", "2", "4", "5"}, "action": {"book"}}
	w = f.Do(t, "parent-a", http.MethodPost, "/espace-famille/longue-periode", form)
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, "Jours qui seront traités : 7") || !strings.Contains(body, "Vacances de Noël") ||
		!strings.Contains(body, `name="etape" value="confirmer"`) || f.booked(t, "jules-ferry", "2026-12-07") != 0 {
		t.Fatalf("preview: %d %s", w.Code, body)
	}
	form.Set("etape", "confirmer")
	w = f.Do(t, "parent-a", http.MethodPost, "/espace-famille/longue-periode", form)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "Demande enregistrée") || f.booked(t, "jules-ferry", "2026-12-07") != 1 || len(f.mails.sent) != 1 {
		t.Fatalf("confirm: %d", w.Code)
	}
	form.Set("enfant", "c_zoe")
	if w := f.Do(t, "parent-a", http.MethodPost, "/espace-famille/longue-periode", form); w.Code != 404 {
		t.Fatalf("family B's child by form: %d", w.Code)
	}
	form.Del("enfant")
	form.Del("jour")
	w = f.Do(t, "parent-a", http.MethodPost, "/espace-famille/longue-periode", form)
	if w.Code != 400 || !strings.Contains(w.Body.String(), "Choisissez au moins un enfant.") || !strings.Contains(w.Body.String(), "Choisissez au moins un jour") {
		t.Fatalf("missing fields: %d", w.Code)
	}
}

// TestLongPeriodWriteFailure: a day the store fails to write is reported skipped ("error"), the
// other days are booked, the answer is 200 with both, and the summary e-mail says so.
func TestLongPeriodWriteFailure(t *testing.T) {
	f := setup(t)
	svc := f.Env.ServiceWith(failingDays{Memory: f.Store, fail: map[string]bool{"2026-12-08": true}}, reservations.Options{Notifier: f.mails, Link: link})
	h, err := New(Deps{Commune: "Laigneville", Service: svc, Sessions: reservationstest.Parents, Cookies: web.Cookies{Insecure: true}})
	if err != nil {
		t.Fatal(err)
	}
	f.Handler = h
	w, res := f.api(t, "parent-a", `{"children":["c_lea"],"activities":["cantine"],"from":"2026-12-07","to":"2026-12-11","weekdays":[1,2,4,5],"action":"book"}`)
	// Thursday 10 is the commune's closure.
	if w.Code != 200 || len(res.Applied) != 2 || res.reasons()["error"] != 1 || res.reasons()["closed"] != 1 || res.Skipped[0].Date != "2026-12-08" {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if f.booked(t, "jules-ferry", "2026-12-07") != 1 || f.booked(t, "jules-ferry", "2026-12-11") != 1 || f.booked(t, "jules-ferry", "2026-12-08") != 0 {
		t.Fatal("the other days were not booked")
	}
	if len(f.mails.sent) != 1 || len(f.mails.sent[0].Skipped) != 2 || !strings.Contains(f.mails.sent[0].Skipped[0], "erreur technique, réessayez") {
		t.Fatalf("summary %+v", f.mails.sent)
	}
}

// TestFormWarningStatesActivityCutoffs: the form states the rule each activity is held to.
func TestFormWarningStatesActivityCutoffs(t *testing.T) {
	f := setup(t)
	zero, eight := 0, 8
	if err := f.Store.PutActivity(context.Background(), family.Activity{Activity: calendar.Canteen, Site: "petit-prince", Capacity: 1, CutoffDays: &zero, CutoffHour: &eight}); err != nil {
		t.Fatal(err)
	}
	body := f.Do(t, "parent-a", http.MethodGet, "/espace-famille/longue-periode", nil).Body.String()
	if !strings.Contains(body, "Pour « Restauration scolaire » : le jour même avant 8h00.") {
		t.Fatal("the form does not state the canteen's own cutoff")
	}
}

// Pages are parsed when first shown: every one of them must parse.
func TestPagesParse(t *testing.T) {
	if err := web.CheckPages(escaped); err != nil {
		t.Fatal(err)
	}
}
