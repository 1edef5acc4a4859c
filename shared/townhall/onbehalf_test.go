package townhall_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/townhall"
)

// TestStaffChangeDaysPastTheDeadline: past Monday 7 December's deadline (Thursday 3, 10:00),
// the parent can neither book nor cancel; staff can, with a reason, and the change is recorded.
func TestStaffChangeDaysPastTheDeadline(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	parent := reservations.Actor{FamilyID: "f_martin", Email: "anne@martin.fr", Channel: reservations.ChannelWeb}
	w.clk.Set(time.Date(2026, 12, 3, 10, 0, 0, 0, date.Paris))
	_, err := w.rules.Book(ctx, parent, "c_lea", monday7, calendar.Canteen)
	if fe, ok := fault.As(err); !ok || fe.Type != "deadline-passed" {
		t.Fatalf("parent past the deadline: %v", err)
	}
	in := townhall.DayChangeInput{ChildID: "c_lea", Activity: "cantine", Day: "2026-12-07", Action: "book", Reason: "  "}
	_, err = w.svc.ChangeDay(ctx, agent, "f_martin", in, w.clk.Now())
	if fe, ok := fault.As(err); !ok || fe.Kind != fault.Invalid || len(fe.Fields) != 1 || fe.Fields[0].Field != "reason" {
		t.Fatalf("no reason: %v", err)
	}
	in.Reason = "Demande de la mère par téléphone : reprise du travail"
	res, err := w.svc.ChangeDay(ctx, agent, "f_martin", in, w.clk.Now())
	if err != nil || !res.Changed || !res.Passed || res.Child != "Léa" {
		t.Fatalf("staff booking: %+v %v", res, err)
	}
	d, _ := w.st.Day(ctx, reservations.Slot{Activity: calendar.Canteen, Site: "jules-ferry", Day: monday7})
	if b, ok := d.Bookings["c_lea"]; !ok || b.By != reservations.TownHall || b.Channel != reservations.ChannelTownHall {
		t.Fatalf("day %+v", d)
	}
	// The parent cannot cancel it; staff can.
	_, err = w.rules.Cancel(ctx, parent, "c_lea", monday7, calendar.Canteen)
	if fe, ok := fault.As(err); !ok || fe.Type != "deadline-passed" {
		t.Fatalf("parent cancel past the deadline: %v", err)
	}
	w.clk.Add(time.Minute)
	in.Action, in.Reason = "cancel", "Finalement absente"
	if res, err := w.svc.ChangeDay(ctx, agent, "f_martin", in, w.clk.Now()); err != nil || !res.Changed {
		t.Fatalf("staff cancel: %+v %v", res, err)
	}
	// Doing it again changes and records nothing.
	if res, err := w.svc.ChangeDay(ctx, agent, "f_martin", in, w.clk.Now()); err != nil || res.Changed {
		t.Fatalf("cancel again: %+v %v", res, err)
	}
	// The rules still hold for staff: another family's child, a child not enrolled, a closed day.
	for name, bad := range map[string]townhall.DayChangeInput{
		"other family's child": {ChildID: "c_yanis", Activity: "cantine", Day: "2026-12-07", Action: "book", Reason: "x"},
		"not enrolled":         {ChildID: "c_lea", Activity: "mercredi", Day: "2026-12-09", Action: "book", Reason: "x"},
		"closed day":           {ChildID: "c_lea", Activity: "cantine", Day: "2026-12-09", Action: "book", Reason: "x"},
	} {
		if _, err := w.svc.ChangeDay(ctx, agent, "f_martin", bad, w.clk.Now()); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	changes, err := w.st.FamilyChanges(ctx, "f_martin")
	if err != nil || len(changes) != 2 || changes[0].Kind != townhall.ChangeCanceled || changes[1].Reason != "Demande de la mère par téléphone : reprise du travail" ||
		changes[1].By != agent || changes[1].Day != monday7 || changes[1].Site != "jules-ferry" {
		t.Fatalf("family record %+v %v", changes, err)
	}
	entries, _ := w.journal.Entries(ctx, "2026-12")
	if len(entries) != 2 || !strings.Contains(entries[0].After+entries[1].After, "après la date limite des parents ; motif : Finalement absente") {
		t.Fatalf("journal %+v", entries)
	}
}

type noInvoiceMail struct{}

func (noInvoiceMail) SendInvoice(context.Context, string, string, string, string, string, string, string) error {
	return nil
}
func (noInvoiceMail) SendReceipt(context.Context, string, string, string, string, string, string, string) error {
	return nil
}

// TestUnbilledDayIsNotInvoiced: a booked day staff leave unbilled (a justified absence) is not
// on the month's invoice.
func TestUnbilledDayIsNotInvoiced(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	tuesday8 := monday7.AddDays(1)
	w.book(t, "f_martin", "anne@martin.fr", "c_lea", calendar.Canteen, monday7)
	w.book(t, "f_martin", "anne@martin.fr", "c_lea", calendar.Canteen, tuesday8)
	in := townhall.DayChangeInput{ChildID: "c_lea", Activity: "cantine", Day: "2026-12-08", Action: "unbill", Reason: "Certificat médical"}
	if res, err := w.svc.ChangeDay(ctx, agent, "f_martin", in, w.clk.Now()); err != nil || !res.Changed {
		t.Fatalf("unbill: %+v %v", res, err)
	}
	if res, err := w.svc.ChangeDay(ctx, agent, "f_martin", in, w.clk.Now()); err != nil || res.Changed {
		t.Fatalf("unbill again: %+v %v", res, err)
	}
	in.Day = "2026-12-10"
	if _, err := w.svc.ChangeDay(ctx, agent, "f_martin", in, w.clk.Now()); !errors.Is(err, townhall.ErrNotBooked) {
		t.Fatalf("unbill a day not booked: %v", err)
	}
	days, err := w.svc.FamilyDays(ctx, "f_martin", monday7)
	if err != nil || len(days.Lines) != 2 {
		t.Fatalf("family days %+v %v", days, err)
	}
	for _, l := range days.Lines {
		if l.ChildID == "c_lea" && (len(l.Booked) != 2 || l.Booked[0].Unbilled != "" || l.Booked[1].Unbilled != "Absence justifiée – Certificat médical") {
			t.Fatalf("Léa's days %+v", l)
		}
	}

	run := &billing.Runner{Books: w.st, Ledger: w.st, Notifier: noInvoiceMail{}, Link: func(p string) string { return p }}
	if _, err := run.Run(ctx, monday7, time.Date(2027, 1, 1, 6, 0, 0, 0, date.Paris)); err != nil {
		t.Fatal(err)
	}
	invs, err := w.st.Invoices(ctx, "f_martin")
	if err != nil || len(invs) != 1 {
		t.Fatalf("invoices %+v %v", invs, err)
	}
	if l := invs[0].Lines; len(l) != 1 || l[0].ChildID != "c_lea" || l[0].Days != 1 || invs[0].TotalCents != 250 {
		t.Fatalf("invoice lines %+v total %d: the unbilled day was invoiced", l, invs[0].TotalCents)
	}
}
