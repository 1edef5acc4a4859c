package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/reservations"
)

// TestStaffBookForTheFamilyPastTheDeadline: on Friday 4 December the parent can no longer book
// Monday 7; staff can, with a written reason, then leave the day unbilled; the family's page
// shows the days and the history, the parent's planning history says "la mairie".
func TestStaffBookForTheFamilyPastTheDeadline(t *testing.T) {
	f := newFixture(t)
	f.clk.Set(time.Date(2026, 12, 4, 9, 0, 0, 0, date.Paris))
	full := f.signIn(t)
	ctx := context.Background()
	monday := date.New(2026, time.December, 7)
	_, err := f.th.rules.Book(ctx, parentActor, "c_1", monday, calendar.Canteen)
	if fe, ok := fault.As(err); !ok || fe.Type != "deadline-passed" {
		t.Fatalf("parent past the deadline: %v", err)
	}
	target := "/gestion/familles/f_e9s741y99c/jours"
	res, body := f.do(t, "GET", target+"?mois=2026-12", nil, full)
	if res.StatusCode != 200 || !strings.Contains(body, `name="reason"`) || !strings.Contains(body, "Aucun changement fait par la mairie") {
		t.Fatalf("family days page: %d\n%.3000s", res.StatusCode, body)
	}
	form := url.Values{"childId": {"c_1"}, "activity": {"cantine"}, "day": {"2026-12-07"}, "action": {"book"}, "reason": {" "}}
	res, body = f.do(t, "POST", target, form, full)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Écrivez le motif") || !strings.Contains(body, `value="2026-12-07"`) {
		t.Fatalf("no reason: %d\n%.3000s", res.StatusCode, body)
	}
	form.Set("reason", "Demande du père par téléphone")
	res, _ = f.do(t, "POST", target, form, full)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != target+"?mois=2026-12" {
		t.Fatalf("staff booking: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	form.Set("action", "unbill")
	form.Set("reason", "Certificat médical")
	res, _ = f.do(t, "POST", target, form, full)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("unbill: %d", res.StatusCode)
	}
	_, body = f.do(t, "GET", target+"?mois=2026-12", nil, full)
	for _, want := range []string{"lundi 7 décembre — <strong>non facturé</strong> (Absence justifiée – Certificat médical)",
		"Demande du père par téléphone", "réservation par la mairie", "absence justifiée, non facturée", agentEmail} {
		if !strings.Contains(body, want) {
			t.Errorf("family days page lacks %q", want)
		}
	}
	// A day not booked cannot be left unbilled: the form says why.
	form.Set("day", "2026-12-08")
	res, body = f.do(t, "POST", target, form, full)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "rien à ne pas facturer") {
		t.Fatalf("unbill a day not booked: %d\n%.2000s", res.StatusCode, body)
	}
	// The parent's planning reads the town hall's change.
	d, _ := f.th.st.Day(ctx, reservations.Slot{Activity: calendar.Canteen, Site: "jules-ferry", Day: monday})
	last := d.History[len(d.History)-1]
	if last.Who != reservations.TownHall || last.Channel.French() != "la mairie, pour votre compte" {
		t.Fatalf("history %+v", last)
	}
	entries := staffActions(t, f, "2026-12")
	if len(entries) != 2 || !strings.Contains(entries[1].After+entries[0].After, "motif : Demande du père par téléphone") {
		t.Fatalf("journal %+v", entries)
	}
}
