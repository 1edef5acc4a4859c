package store_test

import (
	"context"
	"testing"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/family"
)

func TestActivitiesListsEverySite(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	zero, eight := 0, 8
	want := []family.Activity{
		{Activity: calendar.Canteen, Site: "jules-ferry", Capacity: 120},
		{Activity: calendar.Canteen, Site: "petit-prince", Capacity: 60},
		{Activity: calendar.WednesdayCentre, Site: "centre", CutoffDays: &zero, CutoffHour: &eight},
	}
	for _, a := range want {
		if err := st.PutActivity(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.Activities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i, a := range got {
		w := want[i]
		if a.Activity != w.Activity || a.Site != w.Site || a.Capacity != w.Capacity || (a.CutoffDays == nil) != (w.CutoffDays == nil) {
			t.Errorf("%d: %+v, want %+v", i, a, w)
		}
	}
	if d := got[2]; *d.CutoffDays != 0 || *d.CutoffHour != 8 {
		t.Errorf("override %+v", d)
	}
}
