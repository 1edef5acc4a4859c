package billing_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/reservations/reservationstest"
)

var canteen = family.Activity{Activity: calendar.Canteen, Site: "jules-ferry", SiteName: "École Jules Ferry",
	PriceCents: map[string]int64{"A": 120, "B": 250, "C": 380, "D": 450}}

func TestDraftSkipsUnbilledDays(t *testing.T) {
	month := date.New(2026, time.November, 1)
	h := billing.Household{Family: family.Family{ID: "f_1", Name: "Famille Martin", QuotientBracket: "B"},
		Children: []family.Child{{ID: "c_lea", FirstName: "Léa"}, {ID: "c_hugo", FirstName: "Hugo"}}}
	evening := family.Activity{Activity: calendar.EveningCare, Site: "jules-ferry", SiteName: "École Jules Ferry",
		PriceCents: map[string]int64{"B": 180}}
	days := []date.Date{date.New(2026, 11, 2), date.New(2026, 11, 3), date.New(2026, 11, 5), date.New(2026, 11, 6)}
	booked := []billing.Booked{
		{ChildID: "c_hugo", Activity: calendar.Canteen, Site: "jules-ferry", Days: days},
		{ChildID: "c_lea", Activity: calendar.EveningCare, Site: "jules-ferry", Days: days[:2]},
		{ChildID: "c_lea", Activity: calendar.Canteen, Site: "jules-ferry", Days: days},
		{ChildID: "c_other", Activity: calendar.Canteen, Site: "jules-ferry", Days: days}, // not this family's
	}
	unbilled := []billing.Unbilled{
		{Day: days[0], Activity: calendar.Canteen, Site: "jules-ferry", Reason: "fermeture"},                  // every child
		{Day: days[3], Activity: calendar.Canteen, Site: "jules-ferry", ChildID: "c_hugo", Reason: "absence"}, // Hugo only
	}
	inv := billing.Draft(h, month, booked, billing.ActivityIndex([]family.Activity{canteen, evening}), unbilled)
	want := []billing.Line{
		{ChildID: "c_lea", ChildName: "Léa", Activity: calendar.Canteen, Site: "jules-ferry", SiteName: "École Jules Ferry", Days: 3, UnitCents: 250, AmountCents: 750},
		{ChildID: "c_lea", ChildName: "Léa", Activity: calendar.EveningCare, Site: "jules-ferry", SiteName: "École Jules Ferry", Days: 2, UnitCents: 180, AmountCents: 360},
		{ChildID: "c_hugo", ChildName: "Hugo", Activity: calendar.Canteen, Site: "jules-ferry", SiteName: "École Jules Ferry", Days: 2, UnitCents: 250, AmountCents: 500},
	}
	if len(inv.Lines) != len(want) {
		t.Fatalf("lines = %+v, want %+v", inv.Lines, want)
	}
	for i := range want {
		if inv.Lines[i] != want[i] {
			t.Errorf("line %d = %+v, want %+v", i, inv.Lines[i], want[i])
		}
	}
	if inv.TotalCents != 1610 {
		t.Errorf("total = %d, want 1610", inv.TotalCents)
	}
}

func TestPayableUntilTheDueDateInclusiveInParis(t *testing.T) {
	inv := billing.Invoice{Number: "2026000001", TotalCents: 1250, DueOn: date.New(2026, time.December, 31)}
	lastMinute := time.Date(2026, time.December, 31, 23, 59, 59, 0, date.Paris)
	if !inv.PayableOnline(lastMinute) || inv.CanPay(lastMinute) != nil {
		t.Errorf("not payable at %s, the due date's last second in Paris", lastMinute)
	}
	if s := inv.Status(lastMinute); s != billing.StatusToPay {
		t.Errorf("status = %s, want à payer", s)
	}
	// 23:30 UTC on the 31st is already 1 January in Paris.
	after := time.Date(2026, time.December, 31, 23, 30, 0, 0, time.UTC)
	if inv.PayableOnline(after) || !errors.Is(inv.CanPay(after), billing.ErrPastDue) {
		t.Errorf("payable at %s, after the due date in Paris", after)
	}
	if s := inv.Status(after); s != billing.StatusOverdue || s.French() != "échue" {
		t.Errorf("status = %s, want échue", s)
	}
	inv.Payments = []billing.Payment{{IDOp: "op", AmountCents: 1250, At: lastMinute}}
	if !errors.Is(inv.CanPay(lastMinute), billing.ErrAlreadyPaid) || inv.Status(after).French() != "payée" {
		t.Errorf("a paid invoice is payable or not payée")
	}
}

func TestObjectKeepsPayFiPCharacters(t *testing.T) {
	got := billing.Object("Facture 2026000001 décembre 2026 – Famille Lefèvre & co")
	if got != "Facture 2026000001 decembre 2026   Famille Lefevre   co" {
		t.Errorf("Object = %q", got)
	}
	long := billing.Object(string(make([]byte, 300)))
	if len(long) > 100 {
		t.Errorf("objet of %d characters", len(long))
	}
}

func TestNumbers(t *testing.T) {
	if n := billing.Number(2026, 42); n != "2026000042" || !billing.ValidNumber(n) {
		t.Errorf("Number = %q", n)
	}
	for _, bad := range []string{"", "2026", "2026-00004", "20260000421", "../../etc"} {
		if billing.ValidNumber(bad) {
			t.Errorf("ValidNumber(%q) = true", bad)
		}
	}
	if m := billing.MonthToBill(time.Date(2027, time.January, 1, 6, 0, 0, 0, date.Paris)); m != date.New(2026, time.December, 1) {
		t.Errorf("MonthToBill = %s", m)
	}
}

// The planning's forecast is what the invoice run would bill for the same bookings: the same
// prices (the family's bracket, the non-resident rate), the booked days of the month only, and
// none of a day the activity does not run.
func TestForecastMatchesTheInvoice(t *testing.T) {
	ctx := context.Background()
	month := date.New(2026, time.December, 1)
	for _, fam := range []family.Family{{ID: "f_a", Name: "Famille Martin", QuotientBracket: "B"}, {ID: "f_a", Name: "Famille Martin", NonResident: true}, {ID: "f_a", Name: "Famille Martin"}} {
		env := reservationstest.New(t)
		st := env.Store
		if err := st.PutFamily(ctx, fam); err != nil {
			t.Fatal(err)
		}
		jf := canteen
		jf.NonResidentPriceCents = 610
		pp := family.Activity{Activity: calendar.Canteen, Site: "petit-prince", Capacity: 1, PriceCents: map[string]int64{"A": 100, "B": 200}}
		for _, a := range []family.Activity{jf, pp} {
			if err := st.PutActivity(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		// Léa at jules-ferry: three December days, one in November (not this month's), and the
		// closed 10 December (booked before the closure: not billed). Tom at petit-prince: two days.
		booked := map[reservations.Slot]string{}
		for _, d := range []string{"2026-11-30", "2026-12-07", "2026-12-08", "2026-12-10", "2026-12-14"} {
			booked[reservations.Slot{Activity: calendar.Canteen, Site: "jules-ferry", Day: date.MustParse(d)}] = "c_lea"
		}
		for _, d := range []string{"2026-12-07", "2026-12-17"} {
			booked[reservations.Slot{Activity: calendar.Canteen, Site: "petit-prince", Day: date.MustParse(d)}] = "c_tom"
		}
		var bs []billing.Booked
		for sl, child := range booked {
			if _, err := st.BookDay(ctx, sl, child, 0, reservations.Change{Who: "a@example.fr", At: month.At(8, 0, date.Paris).AddDate(0, 0, -10),
				Channel: reservations.ChannelWeb, Action: reservations.ActionBook, ChildID: child}); err != nil {
				t.Fatal(err)
			}
			bs = append(bs, billing.Booked{ChildID: child, Activity: sl.Activity, Site: sl.Site, Days: []date.Date{sl.Day}})
		}
		fp, err := env.Service.FamilyPlanning(ctx, reservations.Actor{FamilyID: "f_a", Email: "a@example.fr"}, date.New(2026, time.November, 30), month.AddMonths(1).AddDays(-1))
		if err != nil {
			t.Fatal(err)
		}
		h, err := st.Household(ctx, "f_a")
		if err != nil {
			t.Fatal(err)
		}
		closure := []billing.Unbilled{{Day: date.MustParse("2026-12-10"), Activity: calendar.Canteen, Site: "jules-ferry", Reason: "fermeture"}}
		inv := billing.Draft(billing.Household{Family: fam, Children: h.Children}, month, bs, billing.ActivityIndex([]family.Activity{jf, pp}), closure)
		f := billing.ForecastOf(fp, month)
		if f.Days != 5 || f.AmountCents != inv.TotalCents || f.AmountCents == 0 {
			t.Errorf("%+v: forecast %+v, invoice total %d", fam, f, inv.TotalCents)
		}
	}
	days := billing.Forecast{Month: month, Days: 23, AmountCents: 5750}
	if days.French() != "décembre : 23 jours réservés, 57,50\u00a0€ estimés" {
		t.Errorf("%q", days.French())
	}
	one := billing.Forecast{Month: month, Days: 1, AmountCents: 250}
	if one.French() != "décembre : 1 jour réservé, 2,50\u00a0€ estimés" {
		t.Errorf("%q", one.French())
	}
}
