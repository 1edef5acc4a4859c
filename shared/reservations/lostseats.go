package reservations

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
)

// LostSeats is what the nightly sweep of lost seats reads and writes (*store.Store).
type LostSeats interface {
	// Activities lists every activity at every site, with its capacity.
	Activities(ctx context.Context) ([]family.Activity, error)
	// FreeLostSeats gives back the seats no child holds on the full days of activity a at site
	// in month's month, from day from on, and says on how many days it did.
	FreeLostSeats(ctx context.Context, a calendar.Activity, site string, month, from date.Date, capacity int, now time.Time) (int, error)
}

// SweepMonths is how far ahead the sweep of lost seats looks: this month and the next twelve,
// every day a parent may still book.
const SweepMonths = 13

// FreeLostSeats gives back, for every activity with a capacity at every site, the seats of the
// days from today on that no child holds: a booking takes a seat on the day's counter before it
// gives it to the child, and a process stopped between the two leaves the counter a seat above
// the children booked (never below), so the day may show full with a seat free. A booking that
// finds a day full gives such seats back itself, but a parent on the planning page sees the day
// full and does not try; the nightly job runs this so that the day is bookable the next morning.
// Each day is counted only when it has been quiet long enough that no change can be half-way,
// and set by a write conditioned on its counter being unchanged (the store's rule). It returns
// how many days had a seat given back; an error on one activity does not stop the others.
func FreeLostSeats(ctx context.Context, st LostSeats, now time.Time) (int, error) {
	acts, err := st.Activities(ctx)
	if err != nil {
		return 0, fmt.Errorf("lost seats: %w", err)
	}
	today := date.Of(now)
	freed := 0
	var errs []error
	for _, a := range acts {
		if a.Capacity <= 0 {
			continue // no limit: no day is ever full
		}
		for m := range SweepMonths {
			n, err := st.FreeLostSeats(ctx, a.Activity, a.Site, today.AddMonths(m), today, a.Capacity, now)
			freed += n
			if err != nil {
				errs = append(errs, fmt.Errorf("lost seats of %s at %s: %w", a.Activity, a.Site, err))
				break
			}
		}
	}
	return freed, errors.Join(errs...)
}
