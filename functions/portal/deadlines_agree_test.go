package main

import (
	"context"
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/reservations"
)

// TestPublishedPlannedAndEnforcedDeadlinesAgree walks every day of the 2026-2027 school year
// for every activity, with two activities under their own cutoff and commune closures, and
// holds three answers to the same instant: what GET /api/v1/deadlines publishes, what the
// planning shows, and what booking enforces (a booking a nanosecond before is taken and reports
// that deadline; one at the instant is refused with it). A closed day is closed for all three.
func TestPublishedPlannedAndEnforcedDeadlinesAgree(t *testing.T) {
	ctx := context.Background()
	zero, one, eight := 0, 1, 8
	r := newRepo(t, fakeClosures{list: []calendar.Closure{
		{Day: date.MustParse("2027-01-14"), Label: "Journée pédagogique"},
		{Day: date.MustParse("2027-01-13"), Label: "Formation des animateurs", Activities: []calendar.Activity{calendar.WednesdayCentre}},
	}},
		family.Activity{Activity: calendar.WednesdayCentre, Site: "s", CutoffDays: &zero, CutoffHour: &eight},
		family.Activity{Activity: calendar.EveningCare, Site: "s", CutoffDays: &one},
		family.Activity{Activity: calendar.Canteen, Site: "s", Capacity: 200})
	first, last := date.MustParse("2026-09-01"), date.MustParse("2027-08-31")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(r.PutFamily(ctx, family.Family{ID: "f", Name: "Famille F"}))
	must(r.AddMember(ctx, "f", "p@example.fr", first.At(9, 0, date.Paris)))
	must(r.PutChild(ctx, family.Child{ID: "c", FamilyID: "f", FirstName: "Léa"}))
	for _, a := range calendar.Activities() {
		must(r.PutEnrolment(ctx, "f", family.Enrolment{ChildID: "c", Activity: a, Site: "s", From: first}))
	}
	clk := clock.NewFixed(first.At(0, 0, date.Paris).AddDate(0, -1, 0))
	svc := reservations.New(r, clk, calendar.Default(), cutoff.DefaultPolicy(), reservations.Options{SettingsTTL: time.Hour})
	who := reservations.Actor{FamilyID: "f", Email: "p@example.fr", Channel: reservations.ChannelAPI}

	published := fetchDeadlines(t, newHandler(t, svc), first.String(), last.String())
	if len(published.Days) != first.DaysUntil(last)+1 {
		t.Fatalf("%d days published", len(published.Days))
	}
	planned := map[date.Date]reservations.PlanningDay{}
	for from := first; !from.After(last); from = from.AddDays(reservations.MaxPlanningDays) {
		to := from.AddDays(reservations.MaxPlanningDays - 1)
		if to.After(last) {
			to = last
		}
		p, err := svc.ChildPlanning(ctx, who, "c", from, to)
		must(err)
		for _, d := range p.Days {
			planned[d.Date] = d
		}
	}
	opened, checked := 0, 0
	for _, day := range published.Days {
		d := date.MustParse(day.Date)
		pd, ok := planned[d]
		if !ok || len(pd.Cells) != len(calendar.Activities()) {
			t.Fatalf("%s: planned %+v", d, pd)
		}
		for i, pub := range day.Activities {
			a := calendar.Activity(pub.Activity)
			cell := pd.Cells[i]
			if cell.Activity != a || cell.Open != pub.Open {
				t.Fatalf("%s %s: published open=%v, planned %+v", d, a, pub.Open, cell)
			}
			if !pub.Open {
				if string(cell.Closed) != pub.Reason {
					t.Fatalf("%s %s: published closed for %q, planned for %q", d, a, pub.Reason, cell.Closed)
				}
				_, err := svc.Book(ctx, who, "c", d, a)
				if f, ok := fault.As(err); !ok || f.Type != "closed" {
					t.Fatalf("%s %s: published closed, booking answers %v", d, a, err)
				}
				continue
			}
			opened++
			deadline, err := time.Parse(time.RFC3339, *pub.Deadline)
			must(err)
			if !cell.Deadline.Equal(deadline) {
				t.Fatalf("%s %s: published %s, planned %s", d, a, deadline, cell.Deadline)
			}
			clk.Set(deadline.Add(-time.Nanosecond))
			res, err := svc.Book(ctx, who, "c", d, a)
			if err != nil || !res.Deadline.Equal(deadline) {
				t.Fatalf("%s %s: a nanosecond before the published %s, booking answers %+v, %v", d, a, deadline, res, err)
			}
			clk.Set(deadline)
			_, err = svc.Cancel(ctx, who, "c", d, a)
			f, ok := fault.As(err)
			if !ok || f.Type != "deadline-passed" || f.Ext["deadline"] != deadline.Format(time.RFC3339) {
				t.Fatalf("%s %s: at the published %s, cancelling answers %v", d, a, deadline, err)
			}
			checked++
		}
	}
	if opened < 400 || checked != opened {
		t.Fatalf("only %d open activity days checked of %d", checked, opened)
	}
}
