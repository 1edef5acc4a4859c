package registrytest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/registry"
)

// Store is a register store that also answers headcounts' question.
type Store interface {
	registry.Store
	ChildFamilies(ctx context.Context, a calendar.Activity) (map[string]string, error)
}

// Contract runs the behaviour every register store must have against fresh stores.
func Contract(t *testing.T, newStore func(t *testing.T) Store) {
	ctx := context.Background()
	t.Run("families: create once, update, list by name", func(t *testing.T) {
		s := newStore(t)
		b := family.Family{ID: "f_b", Name: "Famille Bernard", SubscriberCode: "P-AAAA-BBBB", QuotientBracket: "B"}
		a := family.Family{ID: "f_a", Name: "famille Arnaud", SubscriberCode: "P-CCCC-DDDD", QuotientBracket: "A", NonResident: true}
		for _, f := range []family.Family{b, a} {
			if err := s.CreateFamily(ctx, f); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.CreateFamily(ctx, b); !errors.Is(err, registry.ErrExists) {
			t.Fatalf("second create: %v", err)
		}
		list, err := s.Families(ctx)
		if err != nil || len(list) != 2 || list[0] != a || list[1] != b {
			t.Fatalf("families = %+v, %v", list, err)
		}
		b2 := b
		b2.Name, b2.QuotientBracket, b2.NonResident, b2.SubscriberCode = "Famille Bernard-Petit", "C", true, "ignored"
		if err := s.UpdateFamily(ctx, b2); err != nil {
			t.Fatal(err)
		}
		rec, err := s.FamilyRecord(ctx, "f_b")
		want := family.Family{ID: "f_b", Name: "Famille Bernard-Petit", SubscriberCode: "P-AAAA-BBBB", QuotientBracket: "C", NonResident: true}
		if err != nil || rec.Family != want {
			t.Fatalf("updated = %+v, %v", rec.Family, err)
		}
		if err := s.UpdateFamily(ctx, family.Family{ID: "f_none", Name: "X"}); !errors.Is(err, registry.ErrNotFound) {
			t.Fatalf("update absent: %v", err)
		}
		if _, err := s.FamilyRecord(ctx, "f_none"); !errors.Is(err, registry.ErrNotFound) {
			t.Fatalf("absent record: %v", err)
		}
		if err := s.PutFamily(ctx, family.Family{ID: "f_b", Name: "Famille B", SubscriberCode: "P-EEEE-FFFF", QuotientBracket: "D"}); err != nil {
			t.Fatal(err)
		}
		rec, _ = s.FamilyRecord(ctx, "f_b")
		if rec.Family.SubscriberCode != "P-EEEE-FFFF" || rec.Family.NonResident {
			t.Fatalf("put replaces: %+v", rec.Family)
		}
	})
	t.Run("children are kept with their fields", func(t *testing.T) {
		s := newStore(t)
		if err := s.PutFamily(ctx, family.Family{ID: "f_c", Name: "Famille C", QuotientBracket: "A"}); err != nil {
			t.Fatal(err)
		}
		c := family.Child{ID: "c_1", FamilyID: "f_c", FirstName: "Zoé", LastName: "C", BirthDate: date.New(2018, time.May, 3),
			School: "jules-ferry", Class: "CE1", Diet: "sans viande", PAI: true}
		for range 2 {
			if err := s.PutChild(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		rec, err := s.FamilyRecord(ctx, "f_c")
		if err != nil || len(rec.Children) != 1 || rec.Children[0] != c {
			t.Fatalf("children = %+v, %v", rec.Children, err)
		}
		e := family.Enrolment{ChildID: "c_1", Activity: calendar.Canteen, Site: "jules-ferry", From: date.New(2026, time.September, 1)}
		if err := s.PutEnrolment(ctx, "f_c", e); err != nil {
			t.Fatal(err)
		}
		e.Site, e.Until = "louise-michel", date.New(2027, time.July, 3)
		if err := s.PutEnrolment(ctx, "f_c", e); err != nil {
			t.Fatal(err)
		}
		rec, _ = s.FamilyRecord(ctx, "f_c")
		if len(rec.Enrolments) != 1 || rec.Enrolments[0] != e {
			t.Fatalf("enrolments = %+v", rec.Enrolments)
		}
		owners, err := s.ChildFamilies(ctx, calendar.Canteen)
		if err != nil || len(owners) != 1 || owners["c_1"] != "f_c" {
			t.Fatalf("child families = %v, %v", owners, err)
		}
		if owners, err := s.ChildFamilies(ctx, calendar.HolidayCentre); err != nil || len(owners) != 0 {
			t.Fatalf("child families of another activity = %v, %v", owners, err)
		}
	})
	t.Run("codes: issued once, revoked, switched from the expected one only", func(t *testing.T) {
		s := newStore(t)
		if err := s.PutFamily(ctx, family.Family{ID: "f_d", Name: "Famille D", SubscriberCode: "P-OLD", QuotientBracket: "A"}); err != nil {
			t.Fatal(err)
		}
		var won atomic.Int32
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				if err := s.CreateCode(ctx, family.SubscriberCode{Code: "P-NEW1", FamilyID: "f_d"}); err == nil {
					won.Add(1)
				} else if !errors.Is(err, registry.ErrExists) {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Fatalf("%d creations of one code", won.Load())
		}
		if _, err := s.Code(ctx, "P-NONE"); !errors.Is(err, registry.ErrNotFound) {
			t.Fatalf("absent code: %v", err)
		}
		if err := s.RevokeCode(ctx, "P-NONE"); !errors.Is(err, registry.ErrNotFound) {
			t.Fatalf("revoke absent code: %v", err)
		}
		for range 2 {
			if err := s.RevokeCode(ctx, "P-NEW1"); err != nil {
				t.Fatal(err)
			}
		}
		if c, err := s.Code(ctx, "P-NEW1"); err != nil || !c.Revoked || c.FamilyID != "f_d" {
			t.Fatalf("revoked code = %+v, %v", c, err)
		}
		if err := s.SwitchCode(ctx, "f_d", "P-WRONG", "P-NEW2"); !errors.Is(err, registry.ErrStale) {
			t.Fatalf("switch from a stale code: %v", err)
		}
		if err := s.SwitchCode(ctx, "f_d", "P-OLD", "P-NEW2"); err != nil {
			t.Fatal(err)
		}
		if err := s.SwitchCode(ctx, "f_d", "P-OLD", "P-NEW3"); !errors.Is(err, registry.ErrStale) {
			t.Fatalf("second switch from the same code: %v", err)
		}
		rec, _ := s.FamilyRecord(ctx, "f_d")
		if rec.Family.SubscriberCode != "P-NEW2" {
			t.Fatalf("code = %s", rec.Family.SubscriberCode)
		}
	})
}
