package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/staff"
	"github.com/preau/preau/shared/townhall"
	"github.com/preau/preau/shared/townhall/townhalltest"
)

// townhallFixture is the town hall's service over memory, with the Martin family (Léa at
// Jules Ferry's canteen, one parent) and the rules parents book with.
type townhallFixture struct {
	svc   *townhall.Service
	st    *townhalltest.Memory
	rules *reservations.Service
	sent  *sentNotices
}

type sentNotices struct {
	mu  sync.Mutex
	got map[string]int
}

func (s *sentNotices) SendClosureNotice(_ context.Context, to, _ string, _ townhall.ClosureNotice) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got[to]++
	return nil
}

func newTownhallFixture(t *testing.T, clk clock.Clock, journal staff.Journal) *townhallFixture {
	t.Helper()
	st := townhalltest.NewMemory()
	ctx := context.Background()
	for _, err := range []error{
		st.PutActivity(ctx, family.Activity{Activity: calendar.Canteen, Site: "jules-ferry", SiteName: "École Jules Ferry", Capacity: 2,
			PriceCents: map[string]int64{"A": 100, "B": 200}}),
		st.PutFamily(ctx, family.Family{ID: "f_e9s741y99c", Name: "Famille Martin", QuotientBracket: "B"}),
		st.PutChild(ctx, family.Child{ID: "c_1", FamilyID: "f_e9s741y99c", FirstName: "Léa", LastName: "Martin", School: "jules-ferry"}),
		st.PutEnrolment(ctx, "f_e9s741y99c", family.Enrolment{ChildID: "c_1", Activity: calendar.Canteen, Site: "jules-ferry",
			From: date.New(2026, time.September, 1)}),
		st.AddMember(ctx, "f_e9s741y99c", "parent@example.org", december1),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	rules := reservations.New(st, clk, calendar.Default(), cutoff.DefaultPolicy(), reservations.Options{Holidays: st})
	sent := &sentNotices{got: map[string]int{}}
	svc := &townhall.Service{Store: st, Rules: rules, Journal: journal, Notifier: sent, Base: calendar.Default(), Zone: calendar.ShippedZone}
	return &townhallFixture{svc: svc, st: st, rules: rules, sent: sent}
}

var parentActor = reservations.Actor{FamilyID: "f_e9s741y99c", Email: "parent@example.org", Channel: reservations.ChannelWeb}

func TestClosingADayFromTheCalendarPage(t *testing.T) {
	f := newFixture(t)
	full := f.signIn(t)
	ctx := context.Background()
	monday := date.New(2026, time.December, 7)
	if _, err := f.th.rules.Book(ctx, parentActor, "c_1", monday, calendar.Canteen); err != nil {
		t.Fatal(err)
	}
	res, body := f.do(t, "GET", "/gestion/calendrier", nil, full)
	if res.StatusCode != 200 || !strings.Contains(body, `name="reason" value="greve"`) || !strings.Contains(body, "Aucune fermeture à venir") ||
		!strings.Contains(body, `name="sites" value="jules-ferry" checked`) {
		t.Fatalf("calendar page: %d\n%.1500s", res.StatusCode, body)
	}
	// A form missing its reason and activities is shown again with its errors.
	res, body = f.do(t, "POST", "/gestion/calendrier/fermetures", url.Values{"day": {"2026-12-07"}}, full)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Cochez au moins une activité") || !strings.Contains(body, `value="2026-12-07"`) {
		t.Fatalf("invalid closure: %d\n%.1500s", res.StatusCode, body)
	}
	// Every site ticked (as the page offers it) closes every site.
	form := url.Values{"day": {"2026-12-07"}, "reason": {"greve"}, "detail": {"mouvement national"}, "activities": {"cantine"}, "sites": {"jules-ferry"}}
	for range 2 {
		res, _ = f.do(t, "POST", "/gestion/calendrier/fermetures", form, full)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/gestion/calendrier" {
			t.Fatalf("close: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
	}
	if n := f.th.sent.got["parent@example.org"]; n != 1 {
		t.Fatalf("the parent got %d notices, want 1", n)
	}
	_, body = f.do(t, "GET", "/gestion/calendrier", nil, full)
	if !strings.Contains(body, "lundi 7 décembre 2026") || !strings.Contains(body, "Grève : mouvement national (Restauration scolaire) — tous les sites") {
		t.Fatalf("closure not listed:\n%.3000s", body)
	}
	if d, _ := f.th.st.Day(ctx, reservations.Slot{Activity: calendar.Canteen, Site: "jules-ferry", Day: monday}); d.Booked != 0 {
		t.Fatalf("booking kept: %+v", d)
	}
	// Reopening removes the closure; the parent may book again.
	res, _ = f.do(t, "POST", "/gestion/calendrier/fermetures/supprimer", url.Values{"day": {"2026-12-07"}}, full)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reopen: %d", res.StatusCode)
	}
	if _, err := f.th.rules.Book(ctx, parentActor, "c_1", monday, calendar.Canteen); err != nil {
		t.Fatalf("book after reopening: %v", err)
	}
	if u, _ := f.th.st.UnbilledDays(ctx, monday); len(u) != 0 {
		t.Fatalf("the reopened day stays unbilled: %+v", u)
	}
	entries := staffActions(t, f, "2026-12")
	if len(entries) != 3 {
		t.Fatalf("journal: %+v", entries)
	}
}

func familyChild(id, name string) family.Child {
	return family.Child{ID: id, FamilyID: "f_e9s741y99c", FirstName: name, LastName: "Martin", School: "jules-ferry"}
}

func enrolment(child string) family.Enrolment {
	return family.Enrolment{ChildID: child, Activity: calendar.Canteen, Site: "jules-ferry", From: date.New(2026, time.September, 1)}
}
