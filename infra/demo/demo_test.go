package demo

import (
	"context"
	"testing"
	"time"

	"github.com/preau/preau/infra/dynamotest"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/store"
)

func TestLoad(t *testing.T) {
	env := dynamotest.New(t)
	s := store.New(env.Client, store.Tables{Data: env.DataTable, Session: env.SessionTable})
	ctx := context.Background()
	now := time.Date(2026, time.December, 3, 9, 0, 0, 0, time.UTC)
	if err := Load(ctx, s, now); err != nil {
		t.Fatal(err)
	}

	for _, f := range Families {
		t.Run(f.Name, func(t *testing.T) {
			if !family.ValidCodeShape("BLENFANCE-12087-", f.SubscriberCode) {
				t.Errorf("code %s has not the issued shape", f.SubscriberCode)
			}
			code, err := s.SubscriberCode(ctx, f.SubscriberCode)
			if err != nil || code.FamilyID != f.ID {
				t.Fatalf("code: %+v, %v", code, err)
			}
			rec, err := s.Family(ctx, f.ID)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Family.Name != f.Name || len(rec.Children) != len(f.Children) {
				t.Errorf("family %+v with %d children", rec.Family, len(rec.Children))
			}
			for _, c := range f.Children {
				for _, a := range c.Activities {
					e, err := s.Enrolment(ctx, f.ID, c.ID, a)
					if err != nil || e.Site != SiteOf(c.Child, a) || e.From.String() != "2026-09-01" {
						t.Errorf("enrolment %s of %s: %+v, %v", a, c.FirstName, e, err)
					}
					if _, err := s.Activity(ctx, a, e.Site); err != nil {
						t.Errorf("no settings for %s at %s: %v", a, e.Site, err)
					}
				}
			}
		})
	}
	t.Run("capacities", func(t *testing.T) {
		a, err := s.Activity(ctx, calendar.WednesdayCentre, LeisureCentre)
		if err != nil || a.Capacity != 24 || a.PriceCents["A"] != 400 {
			t.Errorf("mercredi: %+v, %v", a, err)
		}
	})
	t.Run("the Martin family has last month's invoice to pay", func(t *testing.T) {
		invs, err := s.Invoices(ctx, Families[0].ID)
		if err != nil || len(invs) != 1 {
			t.Fatalf("invoices = %+v, %v", invs, err)
		}
		inv := invs[0]
		if inv.Number != "2026000001" || inv.Month.String() != "2026-11-01" || inv.TotalCents <= 0 || len(inv.Lines) != 6 ||
			inv.DueOn.String() != "2027-01-02" || !inv.PayableOnline(now) {
			t.Errorf("invoice = %+v", inv)
		}
	})
	t.Run("a second load keeps changes", func(t *testing.T) {
		f := Families[0].Family
		f.Name = "Famille Martin-Durand"
		if err := s.PutFamily(ctx, f); err != nil {
			t.Fatal(err)
		}
		if err := Load(ctx, s, now); err != nil {
			t.Fatal(err)
		}
		if invs, _ := s.Invoices(ctx, f.ID); len(invs) != 1 {
			t.Errorf("a second load made %d invoices", len(invs))
		}
		rec, err := s.Family(ctx, f.ID)
		if err != nil || rec.Family.Name != "Famille Martin-Durand" {
			t.Errorf("demo reloaded over changes: %+v, %v", rec.Family, err)
		}
	})
}

func TestSchoolYearStart(t *testing.T) {
	for in, want := range map[string]string{
		"2026-08-31T21:59:59Z": "2025-09-01", // 23:59:59 in Paris, still August
		"2026-08-31T22:00:00Z": "2026-09-01",
		"2027-06-30T12:00:00Z": "2026-09-01",
	} {
		now, _ := time.Parse(time.RFC3339, in)
		if got := SchoolYearStart(now).String(); got != want {
			t.Errorf("SchoolYearStart(%s) = %s, want %s", in, got, want)
		}
	}
}
