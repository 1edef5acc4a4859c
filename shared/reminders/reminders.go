// Package reminders decides which parents are told, before a deadline, that a day their child
// is enrolled in is about to close unbooked, and which parents get the Friday summary of next
// week's bookings. It also holds what parents choose (on or off, which activities, which
// weekdays, the weekly summary) and the signed one-click unsubscribe link.
//
// A run is a function of the instant it stands for: the reminders run finds the open days of
// every enrolled activity whose deadline falls in (at, at+window] (the reservations domain says
// which days close when; this package never computes a cutoff), keeps those not booked, and
// sends one e-mail per parent. "Never twice" is one conditional write per parent × deadline (a
// Marker) taken before sending, released if the send fails and marked sent after it: a Lambda
// retry, two overlapping runs or a run stopped half-way send each e-mail once.
//
// The package imports no infrastructure: the Runner works over small interfaces that
// shared/store implements on DynamoDB and reminderstest implements in memory.
package reminders

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/reservations"
)

// Preferences are what a parent chose on Mon espace → Rappels.
type Preferences struct {
	// Enabled turns the deadline reminders on.
	Enabled bool
	// Activities are the activities reminded of, in calendar.Activities order.
	Activities []calendar.Activity
	// Weekdays are the service days reminded of ("Hugo ne mange jamais à la cantine le
	// vendredi": leave Friday out), Monday first.
	Weekdays []time.Weekday
	// WeeklySummary sends next week's bookings on Friday evening.
	WeeklySummary bool
}

// Weekdays are the days an activity may run, Monday first: the choices of Preferences.Weekdays.
func Weekdays() []time.Weekday {
	return []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
}

// DefaultPreferences are a parent's until they choose: reminders on for the canteen, every
// weekday, no weekly summary.
func DefaultPreferences() Preferences {
	return Preferences{Enabled: true, Activities: []calendar.Activity{calendar.Canteen}, Weekdays: Weekdays()}
}

// Wants reports whether the parent wants to be reminded of activity a on day d.
func (p Preferences) Wants(a calendar.Activity, d date.Date) bool {
	return p.Enabled && slices.Contains(p.Activities, a) && slices.Contains(p.Weekdays, d.Weekday())
}

// Normalise checks p and returns it in a canonical order, without duplicates. An unknown
// activity or a weekend day is a field error ("invalid-fields").
func (p Preferences) Normalise() (Preferences, error) {
	out := Preferences{Enabled: p.Enabled, WeeklySummary: p.WeeklySummary,
		Activities: []calendar.Activity{}, Weekdays: []time.Weekday{}}
	var errs fault.Fields
	for _, a := range p.Activities {
		if !a.Valid() && !errs.Has("activities") {
			errs.Add("activities", "Choisissez parmi les activités proposées.")
		}
	}
	for _, w := range p.Weekdays {
		if !slices.Contains(Weekdays(), w) && !errs.Has("weekdays") {
			errs.Add("weekdays", "Choisissez des jours du lundi au vendredi.")
		}
	}
	if err := errs.Err(); err != nil {
		return Preferences{}, err
	}
	for _, a := range calendar.Activities() {
		if slices.Contains(p.Activities, a) {
			out.Activities = append(out.Activities, a)
		}
	}
	for _, w := range Weekdays() {
		if slices.Contains(p.Weekdays, w) {
			out.Weekdays = append(out.Weekdays, w)
		}
	}
	return out, nil
}

// Parent is a parent account as reminders need it.
type Parent struct {
	Email     string
	Greeting  string // "Mme Martin"
	FamilyID  string // "" when not linked
	Confirmed bool
	// Preferences are the parent's, or DefaultPreferences when never chosen.
	Preferences Preferences
}

// Enrolled is an enrolment with its family, as the enrolments-by-activity index lists it.
type Enrolled struct {
	FamilyID string
	family.Enrolment
}

// Household is a family with its children, enrolments and the e-mails of its parent accounts.
type Household struct {
	Family     family.Family
	Children   []family.Child
	Enrolments []family.Enrolment
	Members    []string
}

// ErrNoParent is what Parents returns for an e-mail without an account.
var ErrNoParent = errors.New("reminders: no such account")

// ErrClaimLost is what MarkSent returns when the marker is no longer the run's claim.
var ErrClaimLost = errors.New("reminders: marker claimed by another run")

// ErrNoHousehold is what Households returns for a family that does not exist.
var ErrNoHousehold = errors.New("reminders: no such family")

// Enrolments lists enrolments by activity across families (an index, never a scan).
type Enrolments interface {
	EnrolmentsIn(ctx context.Context, a calendar.Activity) ([]Enrolled, error)
}

// Households reads a family (one call).
type Households interface {
	ReminderHousehold(ctx context.Context, familyID string) (Household, error)
}

// Parents reads a parent's account with their preferences (one call); ErrNoParent if absent.
type Parents interface {
	ReminderParent(ctx context.Context, email string) (Parent, error)
}

// PreferenceStore keeps what parents choose.
type PreferenceStore interface {
	Parents
	// SetReminderPreferences stores p as the parent's choice.
	SetReminderPreferences(ctx context.Context, email string, p Preferences) error
	// SummarySubscribers lists the parents whose stored preferences ask for the weekly summary
	// (an index of those preferences, never a scan).
	SummarySubscribers(ctx context.Context) ([]string, error)
}

// Days reads a month of an activity at a site: every stored day with its bookings. The read
// may miss a change of the last second (shared/store reads it eventually consistent, at half
// the price): a reminder then tells of a day booked a moment before the run, as it would of a
// day booked a moment after it.
type Days interface {
	ReminderDays(ctx context.Context, a calendar.Activity, site string, month date.Date) ([]reservations.Day, error)
}

// Settings reads an activity's settings at a site (prices); ok false when none are set.
type Settings interface {
	ActivitySettings(ctx context.Context, a calendar.Activity, site string) (s family.Activity, ok bool, err error)
}

// Deadlines says which open days of an activity at a site close between from and to, with their
// deadline: after from, not after to. *reservations.Service implements it: the deadline announced is the one enforced.
type Deadlines interface {
	ClosingBetween(ctx context.Context, a calendar.Activity, site string, from, to time.Time) ([]reservations.Closing, error)
}

// Marker is the record that one e-mail went (or is going) to a parent for one deadline or one
// week's summary.
type Marker struct {
	Email string
	// Key is the deadline ("DEADLINE#2026-12-03T09:00:00Z") or the summary's week
	// ("WEEK#2026-12-07"); see DeadlineKey and WeekKey.
	Key string
	// Claim identifies the run holding the marker, so that it releases or confirms only its own.
	Claim string
	// Expires is when the marker may be forgotten (well after the deadline).
	Expires time.Time
}

// DeadlineKey is the marker key of a deadline.
func DeadlineKey(deadline time.Time) string { return "DEADLINE#" + deadline.UTC().Format(time.RFC3339) }

// WeekKey is the marker key of the summary of the week starting on monday.
func WeekKey(monday date.Date) string { return "WEEK#" + monday.String() }

// Markers hold "never twice".
type Markers interface {
	// ClaimMarker takes m for the run m.Claim at now, unless it is sent, or claimed by another
	// run since staleBefore (a claim older than that belongs to a run that stopped between
	// claiming and sending, and is taken over). One conditional write: of two runs claiming at
	// once, exactly one gets true.
	ClaimMarker(ctx context.Context, m Marker, now, staleBefore time.Time) (bool, error)
	// MarkSent records that m's e-mail went; only the claim's own run does it.
	MarkSent(ctx context.Context, m Marker, now time.Time) error
	// ReleaseMarker forgets m's claim after a failed send, so the next run tries again.
	ReleaseMarker(ctx context.Context, m Marker) error
}
