// Package reservations holds the rules of booking and cancelling a child's activity day, the
// planning a family sees, and long-period requests.
//
// A reservation is (child, activity, day). It may be booked or cancelled only when the child is
// enrolled in the activity on that day, the activity is open that day (calendar with the
// commune's closures), and the request arrives before the day's deadline (shared/cutoff: the
// commune's policy unless the activity overrides it). The server clock decides; the client never
// says what time it is.
//
// The town hall acts under the same rules but the deadline (ForFamily, recorded as TownHall),
// and a closure cancels a closed day's bookings (CancelClosed); shared/townhall holds why.
//
// The package imports no infrastructure: a Service works over a small Repository, which
// shared/store implements on DynamoDB (per activity × site × day, a counter of the seats taken,
// and per child an item holding its seat and change log, each rule kept by one conditional
// write on one of them). Refusals are *fault.Error
// values with stable types; shared/web maps them to HTTP once.
package reservations

import (
	"context"
	"errors"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
)

// Channel is where a change came from, recorded in the history.
type Channel string

// The channels of a change.
const (
	ChannelWeb        Channel = "web"         // a form of the planning page
	ChannelAPI        Channel = "api"         // the JSON API
	ChannelLongPeriod Channel = "long-period" // a long-period request (page or API)
	ChannelTownHall   Channel = "town-hall"   // the town hall, for the family (back-office)
	ChannelClosure    Channel = "closure"     // the town hall closed the day
)

// French is the channel as parents read it in the history.
func (c Channel) French() string {
	switch c {
	case ChannelWeb:
		return "planning"
	case ChannelAPI:
		return "application"
	case ChannelLongPeriod:
		return "demande sur une longue période"
	case ChannelTownHall:
		return "la mairie, pour votre compte"
	case ChannelClosure:
		return "fermeture décidée par la mairie"
	}
	return string(c)
}

// Action is what a change did.
type Action string

// The actions of a change.
const (
	ActionBook   Action = "book"
	ActionCancel Action = "cancel"
)

// French is the action as parents read it.
func (a Action) French() string {
	switch a {
	case ActionBook:
		return "réservation"
	case ActionCancel:
		return "annulation"
	}
	return string(a)
}

// ParseAction reads "book" or "cancel".
func ParseAction(s string) (Action, error) {
	switch Action(s) {
	case ActionBook, ActionCancel:
		return Action(s), nil
	}
	return "", ErrInvalidAction
}

// Actor is who asks for a change: the signed-in parent, their family, and the channel.
type Actor struct {
	FamilyID string
	Email    string
	Channel  Channel
	Name     string // how e-mails greet the parent ("Anne Martin"), never stored
}

// Change is one entry of a day's history: who did what for which child, when, from where.
type Change struct {
	Who     string    // the parent account's e-mail, or TownHall for the town hall's changes
	At      time.Time // server time of the change
	Channel Channel
	Action  Action
	ChildID string
}

// Slot is one activity at one site on one day: the unit that holds bookings and a capacity.
type Slot struct {
	Activity calendar.Activity
	Site     string
	Day      date.Date
}

// Booking is a child's seat on a slot.
type Booking struct {
	At      time.Time
	By      string
	Channel Channel
}

// MaxChangesPerDay is how many changes (bookings and cancellations) one child may have on one
// slot. It bounds the slot's stored item, which holds every child's history: without it, a
// script booking and cancelling the same day thousands of times would grow that item toward
// DynamoDB's 400 KB limit and then nobody could book the day. Ten changes (five changes of mind)
// are more than any family needs; beyond them, the town hall makes the change. Only bookings
// are refused at the cap: a child holding a seat may always give it up, so no child is ever
// trapped booked, and a child's history holds at most MaxChangesPerDay+1 entries.
const MaxChangesPerDay = 10

// Day is the stored state of a slot: bookings by child id, their count, and the change log.
type Day struct {
	Slot
	Bookings map[string]Booking
	Booked   int
	History  []Change // every child's changes, oldest first
	// Changes counts each child's changes that count against MaxChangesPerDay.
	Changes map[string]int
}

// Outcome is what a single-item write did.
type Outcome int

// The outcomes of BookDay and CancelDay.
const (
	Applied        Outcome = iota + 1 // the booking was made, or removed
	Unchanged                         // already booked (book), or nothing to cancel (cancel)
	Full                              // no seat left (book only)
	TooManyChanges                    // the child's changes of the day reached MaxChangesPerDay
)

// Household is a family as the reservation rules need it.
type Household struct {
	FamilyID string
	// Family is the family's own record: its quotient bracket and residence set the price of a
	// day.
	Family     family.Family
	Children   []family.Child
	Enrolments []family.Enrolment
	// Members are the e-mails of the parent accounts linked to the family: only they act on it.
	Members []string
}

// Child returns the family's child with id, if it is theirs.
func (h Household) Child(id string) (family.Child, bool) {
	for _, c := range h.Children {
		if c.ID == id {
			return c, true
		}
	}
	return family.Child{}, false
}

// EnrolmentOn returns the child's enrolment in activity a that covers day d.
func (h Household) EnrolmentOn(childID string, a calendar.Activity, d date.Date) (family.Enrolment, bool) {
	for _, e := range h.Enrolments {
		if e.ChildID == childID && e.Activity == a && e.Covers(d) {
			return e, true
		}
	}
	return family.Enrolment{}, false
}

// enrolmentsOf returns the child's enrolments overlapping [from, to], in activity order.
func (h Household) enrolmentsOf(childID string, from, to date.Date) []family.Enrolment {
	var out []family.Enrolment
	for _, a := range calendar.Activities() {
		for _, e := range h.Enrolments {
			if e.ChildID != childID || e.Activity != a {
				continue
			}
			if e.From.After(to) || (!e.Until.IsZero() && e.Until.Before(from)) {
				continue
			}
			out = append(out, e)
		}
	}
	return out
}

// ErrNoHousehold is what a Repository returns for a family that does not exist.
var ErrNoHousehold = errors.New("reservations: no such family")

// Repository is the storage the rules need. shared/store implements it.
type Repository interface {
	// Household reads a family's children, enrolments and members; ErrNoHousehold when absent.
	Household(ctx context.Context, familyID string) (Household, error)
	// Activities returns the settings of every activity at every site that has some (an
	// activity at a site without settings has no capacity limit and the commune's cutoff).
	Activities(ctx context.Context) ([]family.Activity, error)
	// Closures returns the commune's closure days.
	Closures(ctx context.Context) ([]calendar.Closure, error)
	// BookDay gives childID a seat on the slot unless it has one (Unchanged), capacity (> 0)
	// seats are taken (Full) or the child has MaxChangesPerDay changes that day
	// (TooManyChanges), recording c in the slot's log in the same write.
	BookDay(ctx context.Context, s Slot, childID string, capacity int, c Change) (Outcome, error)
	// BookNewDay creates a slot believed not stored yet with the bookings of every change in cs
	// (its seats taken in one write); false (nothing changed) when the slot exists after all or
	// cs exceeds the capacity.
	BookNewDay(ctx context.Context, s Slot, capacity int, cs []Change) (bool, error)
	// CancelDay removes childID's seat (Unchanged when there was none), recording c. It is
	// never refused for the child's number of changes: a seat can always be given up.
	CancelDay(ctx context.Context, s Slot, childID string, c Change) (Outcome, error)
	// FamilyDaysOfMonth returns the stored days of activity a at site in the month of month,
	// each day's bookings, log and changes being only those of children (Booked still counts
	// every booking). An empty children list is an error, never "every child".
	FamilyDaysOfMonth(ctx context.Context, a calendar.Activity, site string, month date.Date, children []string) ([]Day, error)
}
