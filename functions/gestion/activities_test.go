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
)

// TestActivitySettingsAreWhatTheRulesApply: staff change the capacity, the cutoff and the
// prices of an activity at a site; the reservation rules apply them at once, and the journal
// keeps before → after.
func TestActivitySettingsAreWhatTheRulesApply(t *testing.T) {
	f := newFixture(t)
	// Thursday 3 December 2026: Monday 7 closes that day at 10:00 under the commune's rule; with
	// the activity's own "1 working day before, 12:00" it is still open until Friday noon.
	f.clk.Set(time.Date(2026, 12, 3, 11, 0, 0, 0, date.Paris))
	full := f.signIn(t)
	ctx := context.Background()
	res, body := f.do(t, "GET", "/gestion/activites", nil, full)
	if res.StatusCode != 200 || !strings.Contains(body, "2 places par jour") || !strings.Contains(body, `href="/gestion/activites/cantine/jules-ferry"`) {
		t.Fatalf("activities: %d\n%.2000s", res.StatusCode, body)
	}
	res, body = f.do(t, "GET", "/gestion/activites/cantine/jules-ferry", nil, full)
	if res.StatusCode != 200 || !strings.Contains(body, `name="price-B" inputmode="decimal" value="2,00"`) {
		t.Fatalf("activity form: %d\n%.3000s", res.StatusCode, body)
	}
	bad := url.Values{"capacity": {"-3"}, "cutoffDays": {"x"}, "cutoffHour": {"25"}, "price-A": {"un euro"}, "price-B": {"2"}, "nonResident": {"abc"}}
	res, body = f.do(t, "POST", "/gestion/activites/cantine/jules-ferry", bad, full)
	if res.StatusCode != http.StatusBadRequest || strings.Count(body, `class="field-error"`) != 5 || !strings.Contains(body, `value="un euro"`) {
		t.Fatalf("invalid settings: %d\n%.3000s", res.StatusCode, body)
	}
	monday := date.New(2026, time.December, 7)
	if _, err := f.th.rules.Book(ctx, parentActor, "c_1", monday, calendar.Canteen); err == nil {
		t.Fatal("booked past the commune's deadline")
	}
	good := url.Values{"capacity": {"1"}, "cutoffDays": {"1"}, "cutoffHour": {"12"}, "price-A": {"1,20"}, "price-B": {"2.5"}, "nonResident": {"5,00 €"}}
	res, _ = f.do(t, "POST", "/gestion/activites/cantine/jules-ferry", good, full)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	if _, err := f.th.rules.Book(ctx, parentActor, "c_1", monday, calendar.Canteen); err != nil {
		t.Fatalf("the activity's own cutoff is not applied: %v", err)
	}
	acts, _ := f.th.st.Activities(ctx)
	a := acts[0]
	if a.Capacity != 1 || a.PriceCents["A"] != 120 || a.PriceCents["B"] != 250 || a.NonResidentPriceCents != 500 || *a.CutoffDays != 1 || *a.CutoffHour != 12 {
		t.Fatalf("stored %+v", a)
	}
	// The capacity is applied too: the one place is taken.
	if err := f.th.st.PutChild(ctx, familyChild("c_2", "Hugo")); err != nil {
		t.Fatal(err)
	}
	if err := f.th.st.PutEnrolment(ctx, "f_e9s741y99c", enrolment("c_2")); err != nil {
		t.Fatal(err)
	}
	_, err := f.th.rules.Book(ctx, parentActor, "c_2", monday, calendar.Canteen)
	if fe, ok := fault.As(err); !ok || fe.Type != "full" {
		t.Fatalf("capacity not applied: %v", err)
	}
	entries := staffActions(t, f, "2026-12")
	if len(entries) != 1 || entries[0].Action != "Activité modifiée" || !strings.Contains(entries[0].Before, "2 places par jour") ||
		!strings.Contains(entries[0].After, "1 place") || !strings.Contains(entries[0].After, "hors commune : 5,00") ||
		!strings.Contains(entries[0].After, "1 jour ouvré avant le jour concerné, avant 12h00") {
		t.Fatalf("journal %+v", entries)
	}
	res, _ = f.do(t, "GET", "/gestion/activites/piscine/jules-ferry", nil, full)
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown activity: %d", res.StatusCode)
	}
}
