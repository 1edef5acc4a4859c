package headcount_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/headcount"
	"github.com/preau/preau/shared/registry/registrytest"
	"github.com/preau/preau/shared/reservations"
)

// fakeDays holds day items as the store would return them.
type fakeDays map[string][]reservations.Day

func (f fakeDays) DaysOfMonth(_ context.Context, a calendar.Activity, site string, month date.Date) ([]reservations.Day, error) {
	return f[string(a)+"#"+site+"#"+month.MonthKey()], nil
}

type fixedCalendar struct{}

func (fixedCalendar) Calendar(context.Context) (*calendar.Calendar, error) {
	return calendar.Default(), nil
}

var paris, _ = time.LoadLocation("Europe/Paris")

func TestHeadcountsEqualTheBookings(t *testing.T) {
	ctx := context.Background()
	jf := family.Activity{Activity: calendar.Canteen, Site: "jules-ferry", SiteName: "École Jules Ferry"}
	lm := family.Activity{Activity: calendar.Canteen, Site: "louise-michel", SiteName: "École Louise Michel"}
	reg := registrytest.NewMemory(jf, lm)
	kids := []family.Child{
		{ID: "c_1", FamilyID: "f_1", FirstName: "Léa", LastName: "Martin", Diet: "standard"},
		{ID: "c_2", FamilyID: "f_1", FirstName: "Hugo", LastName: "Martin", Diet: "sans porc", PAI: true},
		{ID: "c_3", FamilyID: "f_2", FirstName: "Inès", LastName: "Dubois", Diet: "végétarien", Class: "CM1"},
		{ID: "c_4", FamilyID: "f_2", FirstName: "Jules", LastName: "Dubois", Diet: "végétarien"},
	}
	for _, f := range []string{"f_1", "f_2"} {
		_ = reg.PutFamily(ctx, family.Family{ID: f, Name: f, QuotientBracket: "A"})
	}
	for _, c := range kids {
		_ = reg.PutChild(ctx, c)
		_ = reg.PutEnrolment(ctx, c.FamilyID, family.Enrolment{ChildID: c.ID, Activity: calendar.Canteen, Site: "jules-ferry",
			From: date.New(2026, time.September, 1)})
	}
	monday := date.New(2026, time.December, 7)
	tuesday := monday.AddDays(1)
	booked := func(ids ...string) map[string]reservations.Booking {
		m := map[string]reservations.Booking{}
		for _, id := range ids {
			m[id] = reservations.Booking{By: "p@example.org"}
		}
		return m
	}
	days := fakeDays{"cantine#jules-ferry#2026-12": {
		{Slot: reservations.Slot{Activity: calendar.Canteen, Site: "jules-ferry", Day: monday}, Bookings: booked("c_1", "c_2", "c_3"), Booked: 3},
		{Slot: reservations.Slot{Activity: calendar.Canteen, Site: "jules-ferry", Day: tuesday}, Bookings: booked("c_4"), Booked: 1},
	}}
	c := &headcount.Counter{Days: days, Families: reg, Settings: reg, Calendars: fixedCalendar{},
		Policy: cutoff.Policy{WorkingDaysBefore: 2, Hour: 10}}

	// Monday 7 December closes on Thursday 3 December at 10:00: final from that instant.
	deadline := time.Date(2026, 12, 3, 10, 0, 0, 0, paris)
	before, err := c.Day(ctx, monday, deadline.Add(-time.Nanosecond))
	if err != nil {
		t.Fatal(err)
	}
	after, _ := c.Day(ctx, monday, deadline)
	if before[0].Final || !after[0].Final || !after[0].Deadline.Equal(deadline) {
		t.Fatalf("final before %v, after %v, deadline %v", before[0].Final, after[0].Final, after[0].Deadline)
	}
	n := after[0]
	if n.Total != 3 || n.PAI != 1 || len(n.Children) != 3 || n.Children[0].Name != "Dubois Inès" || n.Children[0].Class != "CM1" {
		t.Fatalf("count = %+v", n)
	}
	want := map[string]int{"standard": 1, "sans porc": 1, "végétarien": 1, "sans viande": 0}
	sum := 0
	for _, d := range n.Diets {
		if d.N != want[d.Diet] {
			t.Errorf("%s: %d, want %d", d.Diet, d.N, want[d.Diet])
		}
		sum += d.N
	}
	if sum != n.Total {
		t.Errorf("diets add up to %d, total %d", sum, n.Total)
	}
	if after[1].Site != "louise-michel" || after[1].Total != 0 || !after[1].Open {
		t.Fatalf("other site = %+v", after[1])
	}

	days2, week, err := c.Week(ctx, tuesday.AddDays(2), deadline)
	if err != nil || len(days2) != 5 || days2[0] != monday {
		t.Fatalf("week = %v, %v", days2, err)
	}
	if week[0][0].Total != 3 || week[1][0].Total != 1 || week[2][0].Open {
		t.Fatalf("week counts: mon %d, tue %d, wed open %v", week[0][0].Total, week[1][0].Total, week[2][0].Open)
	}

	csv := headcount.CSV(after)
	if !bytes.HasPrefix(csv, []byte("\xef\xbb\xbf")) {
		t.Fatal("no BOM")
	}
	lines := strings.Split(strings.TrimSpace(string(csv[3:])), "\r\n")
	if lines[0] != "jour;activité;site;statut;total;standard;sans porc;végétarien;sans viande;autres régimes;PAI" ||
		lines[1] != "2026-12-07;Restauration scolaire;École Jules Ferry;définitif;3;1;1;1;0;0;1" {
		t.Fatalf("csv:\n%s", csv)
	}
}
