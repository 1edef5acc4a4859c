// Package reminderstest holds an in-memory store for the reminder rules: it implements
// reminders.Repository and reminders.PreferenceStore, and enough of reservations.Repository for
// a reservations.Service to publish deadlines over it, so tests of the reminders and of the
// functions built on them run without emulators. shared/store passes the same contract tests
// (shared/store/reminders_test.go runs them against both).
package reminderstest

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/reminders"
	"github.com/preau/preau/shared/reservations"
)

// Account is a parent account as the fake keeps it.
type Account struct {
	Email     string
	Greeting  string
	FamilyID  string
	Confirmed bool
}

type marker struct {
	claim     string
	claimedAt time.Time
	sent      bool
}

type slotKey struct {
	a    calendar.Activity
	site string
	day  date.Date
}

// Store is the in-memory store. The zero value is not ready: use New.
type Store struct {
	mu       sync.Mutex
	families map[string]reminders.Household
	accounts map[string]Account
	prefs    map[string]reminders.Preferences
	settings map[reservations.Slot]family.Activity // keyed by activity and site (day zero)
	closures []calendar.Closure
	bookings map[slotKey]map[string]reservations.Booking
	markers  map[string]map[string]marker
}

// New returns an empty store.
func New() *Store {
	return &Store{families: map[string]reminders.Household{}, accounts: map[string]Account{},
		prefs: map[string]reminders.Preferences{}, settings: map[reservations.Slot]family.Activity{},
		bookings: map[slotKey]map[string]reservations.Booking{}, markers: map[string]map[string]marker{}}
}

// PutHousehold creates or replaces a family with its children, enrolments and members.
func (s *Store) PutHousehold(h reminders.Household) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.families[h.Family.ID] = h
}

// PutAccount creates or replaces a parent account.
func (s *Store) PutAccount(a Account) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accounts[a.Email] = a
}

// PutActivity sets an activity's settings at a site (prices, cutoff).
func (s *Store) PutActivity(a family.Activity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settings[reservations.Slot{Activity: a.Activity, Site: a.Site}] = a
}

// PutClosure adds a closure day of the commune.
func (s *Store) PutClosure(c calendar.Closure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closures = append(s.closures, c)
}

// Book gives a child a seat on a slot.
func (s *Store) Book(sl reservations.Slot, childID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := slotKey{sl.Activity, sl.Site, sl.Day}
	if s.bookings[k] == nil {
		s.bookings[k] = map[string]reservations.Booking{}
	}
	s.bookings[k][childID] = reservations.Booking{}
}

// EnrolmentsIn lists every enrolment in activity a (reminders.Enrolments).
func (s *Store) EnrolmentsIn(_ context.Context, a calendar.Activity) ([]reminders.Enrolled, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []reminders.Enrolled
	for id, h := range s.families {
		for _, e := range h.Enrolments {
			if e.Activity == a {
				out = append(out, reminders.Enrolled{FamilyID: id, Enrolment: e})
			}
		}
	}
	return out, nil
}

// ReminderHousehold reads a family (reminders.Households).
func (s *Store) ReminderHousehold(_ context.Context, familyID string) (reminders.Household, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.families[familyID]
	if !ok {
		return reminders.Household{}, reminders.ErrNoHousehold
	}
	return h, nil
}

// ReminderParent reads an account with its preferences (reminders.Parents).
func (s *Store) ReminderParent(_ context.Context, email string) (reminders.Parent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[email]
	if !ok {
		return reminders.Parent{}, reminders.ErrNoParent
	}
	p, ok := s.prefs[email]
	if !ok {
		p = reminders.DefaultPreferences()
	}
	return reminders.Parent{Email: email, Greeting: a.Greeting, FamilyID: a.FamilyID, Confirmed: a.Confirmed, Preferences: p}, nil
}

// SetReminderPreferences stores a parent's choice (reminders.PreferenceStore).
func (s *Store) SetReminderPreferences(_ context.Context, email string, p reminders.Preferences) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prefs[email] = p
	return nil
}

// SummarySubscribers lists the parents whose preferences ask for the weekly summary.
func (s *Store) SummarySubscribers(context.Context) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for email, p := range s.prefs {
		if p.WeeklySummary {
			out = append(out, email)
		}
	}
	slices.Sort(out)
	return out, nil
}

// ReminderDays returns the stored days of a month (reminders.Days).
func (s *Store) ReminderDays(ctx context.Context, a calendar.Activity, site string, month date.Date) ([]reservations.Day, error) {
	return s.DaysOfMonth(ctx, a, site, month)
}

// DaysOfMonth returns the stored days of a month.
func (s *Store) DaysOfMonth(_ context.Context, a calendar.Activity, site string, month date.Date) ([]reservations.Day, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []reservations.Day
	for k, b := range s.bookings {
		if k.a != a || k.site != site || k.day.MonthKey() != month.MonthKey() {
			continue
		}
		d := reservations.Day{Slot: reservations.Slot{Activity: a, Site: site, Day: k.day}, Bookings: map[string]reservations.Booking{}, Booked: len(b)}
		for c, v := range b {
			d.Bookings[c] = v
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(x, y reservations.Day) int { return x.Day.Compare(y.Day) })
	return out, nil
}

// ActivitySettings returns an activity's settings at a site.
func (s *Store) ActivitySettings(_ context.Context, a calendar.Activity, site string) (family.Activity, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.settings[reservations.Slot{Activity: a, Site: site}]
	return st, ok, nil
}

// Activities returns every activity's settings (reservations.Repository).
func (s *Store) Activities(context.Context) ([]family.Activity, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]family.Activity, 0, len(s.settings))
	for _, st := range s.settings {
		out = append(out, st)
	}
	return out, nil
}

// Closures returns the commune's closures.
func (s *Store) Closures(context.Context) ([]calendar.Closure, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.closures), nil
}

// ClaimMarker takes a marker unless sent or freshly claimed by another run (reminders.Markers).
func (s *Store) ClaimMarker(_ context.Context, m reminders.Marker, now, staleBefore time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.markers[m.Email] == nil {
		s.markers[m.Email] = map[string]marker{}
	}
	cur, ok := s.markers[m.Email][m.Key]
	if ok && (cur.sent || !cur.claimedAt.Before(staleBefore)) {
		return false, nil
	}
	s.markers[m.Email][m.Key] = marker{claim: m.Claim, claimedAt: now}
	return true, nil
}

// MarkSent records the marker's e-mail as sent, if the claim is still m's.
func (s *Store) MarkSent(_ context.Context, m reminders.Marker, _ time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.markers[m.Email][m.Key]
	if !ok || cur.claim != m.Claim {
		return reminders.ErrClaimLost
	}
	cur.sent = true
	s.markers[m.Email][m.Key] = cur
	return nil
}

// ReleaseMarker forgets the marker if the claim is still m's.
func (s *Store) ReleaseMarker(_ context.Context, m reminders.Marker) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.markers[m.Email][m.Key]; ok && cur.claim == m.Claim && !cur.sent {
		delete(s.markers[m.Email], m.Key)
	}
	return nil
}

// The reservations.Repository methods below let a reservations.Service publish deadlines over
// this store (closures and settings); the reminder rules never book.

// Household reads a family for the reservation rules.
func (s *Store) Household(ctx context.Context, familyID string) (reservations.Household, error) {
	h, err := s.ReminderHousehold(ctx, familyID)
	if err != nil {
		return reservations.Household{}, reservations.ErrNoHousehold
	}
	return reservations.Household{FamilyID: familyID, Family: h.Family, Children: h.Children, Enrolments: h.Enrolments, Members: h.Members}, nil
}

// BookDay books a child (capacity and change caps are not modelled here).
func (s *Store) BookDay(_ context.Context, sl reservations.Slot, childID string, _ int, _ reservations.Change) (reservations.Outcome, error) {
	s.Book(sl, childID)
	return reservations.Applied, nil
}

// BookNewDay books every change's child on a new slot.
func (s *Store) BookNewDay(_ context.Context, sl reservations.Slot, _ int, cs []reservations.Change) (bool, error) {
	for _, c := range cs {
		s.Book(sl, c.ChildID)
	}
	return true, nil
}

// CancelDay removes a child's seat.
func (s *Store) CancelDay(_ context.Context, sl reservations.Slot, childID string, _ reservations.Change) (reservations.Outcome, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := slotKey{sl.Activity, sl.Site, sl.Day}
	if _, ok := s.bookings[k][childID]; !ok {
		return reservations.Unchanged, nil
	}
	delete(s.bookings[k], childID)
	return reservations.Applied, nil
}

// FamilyDaysOfMonth returns the month's days with the children's bookings only.
func (s *Store) FamilyDaysOfMonth(ctx context.Context, a calendar.Activity, site string, month date.Date, children []string) ([]reservations.Day, error) {
	ds, err := s.DaysOfMonth(ctx, a, site, month)
	for i := range ds {
		for c := range ds[i].Bookings {
			if !slices.Contains(children, c) {
				delete(ds[i].Bookings, c)
			}
		}
	}
	return ds, err
}

var (
	_ reminders.Repository      = (*Store)(nil)
	_ reminders.PreferenceStore = (*Store)(nil)
	_ reservations.Repository   = (*Store)(nil)
)
