package reservations

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
)

// TownHall is who the town hall's changes are recorded as in a day's history: parents read
// "la mairie". Which staff member acted, and why, is in the staff journal and the family's
// record of the town hall's changes (shared/townhall).
const TownHall = "la mairie"

// ForFamily books (ActionBook) or cancels (ActionCancel) activity a on day for a child of
// family familyID, for the town hall: every rule of Book and Cancel applies — the child is the
// family's, enrolled that day, the activity open, a seat free, the child's changes under
// MaxChangesPerDay — but the deadline, which binds parents only. The change is recorded as
// TownHall's, on ChannelTownHall. Result.Deadline is the day's deadline, passed or not.
func (s *Service) ForFamily(ctx context.Context, familyID string, act Action, childID string, day date.Date, a calendar.Activity) (Result, error) {
	if act != ActionBook && act != ActionCancel {
		return Result{}, ErrInvalidAction
	}
	h, err := s.repo.Household(ctx, familyID)
	if errors.Is(err, ErrNoHousehold) {
		return Result{}, ErrChildNotFound
	}
	if err != nil {
		return Result{}, fmt.Errorf("household: %w", err)
	}
	rs, err := s.rulesNow(ctx)
	if err != nil {
		return Result{}, err
	}
	c, err := s.check(h, rs, childID, day, a)
	if err != nil {
		return Result{}, err
	}
	return s.outcome(ctx, Actor{FamilyID: familyID, Email: TownHall, Channel: ChannelTownHall}, act, c, s.clock.Now())
}

// CancelClosed cancels every booking of d, a whole day as the back-office reads it, whose
// activity the town hall has just closed that day, recording each cancellation as TownHall's
// on ChannelClosure. It returns the children whose seat a closure took: those cancelled now
// (or by a concurrent save of the same closure) and those whose last change that day already
// is a closure's cancellation — an earlier save, perhaps stopped before its e-mails — so that
// saving a closure again finds the same children, and its notices can be sent once.
func (s *Service) CancelClosed(ctx context.Context, d Day) ([]string, error) {
	now := s.clock.Now()
	var out []string
	for _, child := range slices.Sorted(maps.Keys(d.Bookings)) {
		ch := Change{Who: TownHall, At: now, Channel: ChannelClosure, Action: ActionCancel, ChildID: child}
		if _, err := s.repo.CancelDay(ctx, d.Slot, child, ch); err != nil {
			return nil, fmt.Errorf("closure of %s %s: %w", d.Activity, d.Day, err)
		}
		out = append(out, child)
	}
	last := map[string]Change{}
	for _, ch := range d.History { // oldest first
		last[ch.ChildID] = ch
	}
	for child, ch := range last {
		if _, booked := d.Bookings[child]; !booked && ch.Channel == ChannelClosure && ch.Action == ActionCancel {
			out = append(out, child)
		}
	}
	slices.Sort(out)
	return out, nil
}
