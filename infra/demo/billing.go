package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/store"
)

// LoadInvoice gives the Martin family an invoice to pay: its children's usual days of the month
// before now are booked (Léa: canteen and after-school care on school days, Wednesdays at the
// centre; Hugo: canteen and morning care), then that month's invoice run runs as the Billing
// function would, without e-mail. Nothing is booked before the enrolments start (September).
func LoadInvoice(ctx context.Context, s *store.Store, now time.Time) error {
	month := billing.MonthToBill(now)
	last := month.AddMonths(1).AddDays(-1)
	fam := Families[0]
	cal := calendar.Default()
	start := SchoolYearStart(now)
	for _, c := range fam.Children {
		for _, a := range c.Activities {
			site := SiteOf(c.Child, a)
			for _, d := range cal.OpenDays(a, site, month, last) {
				if d.Before(start) {
					continue
				}
				ch := reservations.Change{Who: ParentEmail, At: d.AddDays(-7).At(9, 0, date.Paris), Channel: reservations.ChannelWeb,
					Action: reservations.ActionBook, ChildID: c.ID}
				if _, err := s.BookDay(ctx, reservations.Slot{Activity: a, Site: site, Day: d}, c.ID, 0, ch); err != nil {
					return fmt.Errorf("demo invoice: booking: %w", err)
				}
			}
		}
	}
	r := &billing.Runner{Books: s, Ledger: s, Notifier: silent{}, Link: func(p string) string { return p }}
	if _, err := r.Run(ctx, month, now); err != nil {
		return fmt.Errorf("demo invoice: %w", err)
	}
	return nil
}

// silent sends no e-mail: the demo's invoice is loaded, not announced.
type silent struct{}

func (silent) SendInvoice(context.Context, string, string, string, string, string, string, string) error {
	return nil
}
func (silent) SendReceipt(context.Context, string, string, string, string, string, string, string) error {
	return nil
}
