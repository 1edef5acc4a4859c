package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/reservations"
)

// fakeDays holds day items as the store returns them, by activity#site#yyyy-mm.
type fakeDays map[string][]reservations.Day

func (f fakeDays) DaysOfMonth(_ context.Context, a calendar.Activity, site string, month date.Date) ([]reservations.Day, error) {
	return f[string(a)+"#"+site+"#"+month.MonthKey()], nil
}

type defaultCalendar struct{}

func (defaultCalendar) Calendar(context.Context) (*calendar.Calendar, error) {
	return calendar.Default(), nil
}

func TestHeadcountPagesShowTheBookings(t *testing.T) {
	f := newFixture(t)
	full := f.signIn(t)
	ctx := context.Background()
	_ = f.reg.PutEnrolment(ctx, "f_e9s741y99c", family.Enrolment{ChildID: "c_1", Activity: calendar.Canteen, Site: "jules-ferry",
		From: date.New(2026, time.September, 1)})
	monday := date.New(2026, time.December, 7)
	f.days["cantine#jules-ferry#2026-12"] = []reservations.Day{{Slot: reservations.Slot{Activity: calendar.Canteen,
		Site: "jules-ferry", Day: monday}, Bookings: map[string]reservations.Booking{"c_1": {By: "p@example.org"}}, Booked: 1}}

	res, body := f.do(t, "GET", "/gestion/effectifs?jour=2026-12-07", nil, full)
	if res.StatusCode != 200 || !strings.Contains(body, "<strong>1 enfant</strong>") || !strings.Contains(body, "provisoire") ||
		!strings.Contains(body, "Martin Léa") {
		t.Fatalf("day page: %d\n%.4000s", res.StatusCode, body)
	}
	f.clk.Set(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)) // 10:00 in Paris: the deadline
	full = f.signIn(t)                                      // the morning's session has ended
	_, body = f.do(t, "GET", "/gestion/effectifs?jour=2026-12-07", nil, full)
	if !strings.Contains(body, "définitif") {
		t.Fatalf("after the deadline:\n%.4000s", body)
	}
	res, body = f.do(t, "GET", "/gestion/effectifs.csv?jour=2026-12-07", nil, full)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.HasPrefix(body, "\ufeffjour;") || !strings.Contains(body, "2026-12-07;Restauration scolaire;École Jules Ferry;définitif;1;1;") {
		t.Fatalf("csv: %d %s\n%s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	res, body = f.do(t, "GET", "/gestion/effectifs/semaine?jour=2026-12-09", nil, full)
	if res.StatusCode != 200 || !strings.Contains(body, "Restauration scolaire — École Jules Ferry") ||
		!strings.Contains(body, `<td class="num">1</td>`) {
		t.Fatalf("week: %d\n%.4000s", res.StatusCode, body)
	}
}
