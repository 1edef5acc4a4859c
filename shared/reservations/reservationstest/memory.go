package reservationstest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/reservations"
)

// Store is everything the reservation rules and the calendar feeds keep, with the writes that
// set up a test's data. shared/store implements it on DynamoDB, Memory in memory; StoreContract
// holds both to the same behaviour.
type Store interface {
	reservations.Repository
	reservations.FeedStore
	PutFamily(ctx context.Context, f family.Family) error
	PutChild(ctx context.Context, c family.Child) error
	PutEnrolment(ctx context.Context, familyID string, e family.Enrolment) error
	AddMember(ctx context.Context, familyID, email string, at time.Time) error
	RemoveMember(ctx context.Context, familyID, email string) error
	PutActivity(ctx context.Context, a family.Activity) error
	PutClosure(ctx context.Context, c calendar.Closure) error
	// Day returns the stored state of a slot (an empty day when nothing was ever booked).
	Day(ctx context.Context, s reservations.Slot) (reservations.Day, error)
}

// Memory is an in-memory Store, safe for concurrent use (long periods write from several
// goroutines). Its zero value is not ready: use NewMemory.
type Memory struct {
	mu         sync.Mutex
	families   map[string]*memFamily
	activities map[settingsKey]family.Activity
	closures   map[date.Date]calendar.Closure
	days       map[reservations.Slot]*memDay
	feeds      map[string]reservations.FeedHolder // by token hash
}

type memFamily struct {
	put        bool // the family itself was put, not only items under it
	family     family.Family
	children   map[string]family.Child
	enrolments map[string]family.Enrolment // by child id and activity
	members    map[string]time.Time
	feeds      map[string]reservations.Feed // by member
}

type settingsKey struct {
	a    calendar.Activity
	site string
}

type memDay struct {
	bookings map[string]reservations.Booking
	history  map[string][]reservations.Change
}

// NewMemory returns an empty Memory.
func NewMemory() *Memory {
	return &Memory{families: map[string]*memFamily{}, activities: map[settingsKey]family.Activity{},
		closures: map[date.Date]calendar.Closure{}, days: map[reservations.Slot]*memDay{}, feeds: map[string]reservations.FeedHolder{}}
}

var _ Store = (*Memory)(nil)

// errNoChildren refuses a family's month read without children, as the store does.
var errNoChildren = errors.New("memory: a family's month read needs its children")

func (m *Memory) family(id string) *memFamily {
	f := m.families[id]
	if f == nil {
		f = &memFamily{family: family.Family{ID: id}, children: map[string]family.Child{}, enrolments: map[string]family.Enrolment{},
			members: map[string]time.Time{}, feeds: map[string]reservations.Feed{}}
		m.families[id] = f
	}
	return f
}

// PutFamily creates or replaces a family.
func (m *Memory) PutFamily(_ context.Context, f family.Family) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	fam := m.family(f.ID)
	fam.family, fam.put = f, true
	return nil
}

// PutChild creates or replaces a child of its family.
func (m *Memory) PutChild(_ context.Context, c family.Child) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.family(c.FamilyID).children[c.ID] = c
	return nil
}

// PutEnrolment creates or replaces a child's enrolment in an activity.
func (m *Memory) PutEnrolment(_ context.Context, familyID string, e family.Enrolment) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.family(familyID).enrolments[e.ChildID+"#"+string(e.Activity)] = e
	return nil
}

// AddMember links the account email to the family (idempotent).
func (m *Memory) AddMember(_ context.Context, familyID, email string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.family(familyID).members[email] = at
	return nil
}

// RemoveMember unlinks the account email from the family (idempotent).
func (m *Memory) RemoveMember(_ context.Context, familyID, email string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if f := m.families[familyID]; f != nil {
		delete(f.members, email)
	}
	return nil
}

// PutActivity creates or replaces an activity's settings at a site.
func (m *Memory) PutActivity(_ context.Context, a family.Activity) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.activities[settingsKey{a.Activity, a.Site}] = a
	return nil
}

// PutClosure records a day the commune closes.
func (m *Memory) PutClosure(_ context.Context, c calendar.Closure) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closures[c.Day] = c
	return nil
}

// DeleteClosure removes the closure of day d (idempotent), as the store does.
func (m *Memory) DeleteClosure(_ context.Context, d date.Date) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.closures, d)
	return nil
}

// Household reads a family's children, enrolments and members, in the store's order.
func (m *Memory) Household(_ context.Context, familyID string) (reservations.Household, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.families[familyID]
	if f == nil || !f.put {
		return reservations.Household{}, reservations.ErrNoHousehold
	}
	h := reservations.Household{FamilyID: familyID, Family: f.family, Members: slices.Sorted(maps.Keys(f.members))}
	for _, id := range slices.Sorted(maps.Keys(f.children)) {
		h.Children = append(h.Children, f.children[id])
	}
	for _, k := range slices.Sorted(maps.Keys(f.enrolments)) {
		h.Enrolments = append(h.Enrolments, f.enrolments[k])
	}
	return h, nil
}

// Activities returns every activity's settings, in activity then site order.
func (m *Memory) Activities(context.Context) ([]family.Activity, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := slices.SortedFunc(maps.Keys(m.activities), func(x, y settingsKey) int {
		return cmp.Or(cmp.Compare(slices.Index(calendar.Activities(), x.a), slices.Index(calendar.Activities(), y.a)), cmp.Compare(x.site, y.site))
	})
	out := make([]family.Activity, 0, len(keys))
	for _, k := range keys {
		out = append(out, m.activities[k])
	}
	return out, nil
}

// Closures returns the commune's closures in day order.
func (m *Memory) Closures(context.Context) ([]calendar.Closure, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]calendar.Closure, 0, len(m.closures))
	for _, d := range slices.SortedFunc(maps.Keys(m.closures), date.Date.Compare) {
		out = append(out, m.closures[d])
	}
	return out, nil
}

func booking(c reservations.Change) reservations.Booking {
	return reservations.Booking{At: c.At, By: c.Who, Channel: c.Channel}
}

// BookDay gives childID a seat, as the store's one conditional write does.
func (m *Memory) BookDay(_ context.Context, s reservations.Slot, childID string, capacity int, c reservations.Change) (reservations.Outcome, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.days[s]
	if d == nil {
		d = &memDay{bookings: map[string]reservations.Booking{}, history: map[string][]reservations.Change{}}
		m.days[s] = d
	}
	switch _, booked := d.bookings[childID]; {
	case booked:
		return reservations.Unchanged, nil
	case len(d.history[childID]) >= reservations.MaxChangesPerDay:
		return reservations.TooManyChanges, nil
	case capacity > 0 && len(d.bookings) >= capacity:
		return reservations.Full, nil
	}
	d.bookings[childID] = booking(c)
	d.history[childID] = append(d.history[childID], c)
	return reservations.Applied, nil
}

// BookNewDay creates a slot's day with every change's booking, false when it exists or cs
// exceeds the capacity.
func (m *Memory) BookNewDay(_ context.Context, s reservations.Slot, capacity int, cs []reservations.Change) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(cs) == 0 || (capacity > 0 && len(cs) > capacity) || m.days[s] != nil {
		return false, nil
	}
	d := &memDay{bookings: map[string]reservations.Booking{}, history: map[string][]reservations.Change{}}
	for _, c := range cs {
		if _, dup := d.bookings[c.ChildID]; dup {
			return false, fmt.Errorf("create day %s: a child booked twice in one write", s.Day)
		}
		d.bookings[c.ChildID] = booking(c)
		d.history[c.ChildID] = []reservations.Change{c}
	}
	m.days[s] = d
	return true, nil
}

// CancelDay removes childID's seat, never refused for the number of changes.
func (m *Memory) CancelDay(_ context.Context, s reservations.Slot, childID string, c reservations.Change) (reservations.Outcome, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.days[s]
	if d == nil {
		return reservations.Unchanged, nil
	}
	if _, booked := d.bookings[childID]; !booked {
		return reservations.Unchanged, nil
	}
	delete(d.bookings, childID)
	d.history[childID] = append(d.history[childID], c)
	return reservations.Applied, nil
}

// FamilyDaysOfMonth returns the month's stored days with only children's entries.
func (m *Memory) FamilyDaysOfMonth(_ context.Context, a calendar.Activity, site string, month date.Date, children []string) ([]reservations.Day, error) {
	if len(children) == 0 {
		return nil, fmt.Errorf("days of %s: %w", month.MonthKey(), errNoChildren)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []reservations.Day
	for s, d := range m.days {
		if s.Activity != a || s.Site != site || s.Day.FirstOfMonth() != month.FirstOfMonth() {
			continue
		}
		out = append(out, d.day(s, children))
	}
	slices.SortFunc(out, func(x, y reservations.Day) int { return x.Day.Compare(y.Day) })
	return out, nil
}

// Day returns the stored state of a slot, every child's entries.
func (m *Memory) Day(_ context.Context, s reservations.Slot) (reservations.Day, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.days[s]
	if d == nil {
		return reservations.Day{Slot: s}, nil
	}
	return d.day(s, nil), nil
}

// day copies the day, keeping only children's entries (all when children is nil).
func (d *memDay) day(s reservations.Slot, children []string) reservations.Day {
	out := reservations.Day{Slot: s, Booked: len(d.bookings)}
	keep := func(child string) bool { return children == nil || slices.Contains(children, child) }
	for child, b := range d.bookings {
		if keep(child) {
			if out.Bookings == nil {
				out.Bookings = map[string]reservations.Booking{}
			}
			out.Bookings[child] = b
		}
	}
	for child, cs := range d.history {
		if !keep(child) {
			continue
		}
		if out.Changes == nil {
			out.Changes = map[string]int{}
		}
		out.Changes[child] = len(cs)
		out.History = append(out.History, cs...)
	}
	slices.SortStableFunc(out.History, func(x, y reservations.Change) int {
		return cmp.Or(x.At.Compare(y.At), cmp.Compare(x.ChildID, y.ChildID))
	})
	return out
}

// MemberFeed returns member email's current feed.
func (m *Memory) MemberFeed(_ context.Context, familyID, email string) (reservations.Feed, bool, error) {
	if email == "" {
		return reservations.Feed{}, false, errors.New("member feed: the member's e-mail is required")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.families[familyID]
	if f == nil {
		return reservations.Feed{}, false, nil
	}
	feed, ok := f.feeds[email]
	return feed, ok, nil
}

// StartMemberFeed makes f member f.Email's current feed, forgetting the one it replaces.
func (m *Memory) StartMemberFeed(_ context.Context, familyID string, f reservations.Feed) error {
	if f.Email == "" {
		return errors.New("start feed: the member's e-mail is required")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	fam := m.family(familyID)
	if old, ok := fam.feeds[f.Email]; ok && old.TokenHash != f.TokenHash {
		delete(m.feeds, old.TokenHash)
	}
	f.CreatedAt = f.CreatedAt.Truncate(time.Second) // the store keeps seconds
	fam.feeds[f.Email] = f
	m.feeds[f.TokenHash] = reservations.FeedHolder{FamilyID: familyID, Email: f.Email}
	return nil
}

// RevokeMemberFeed forgets member email's feed and its lookup.
func (m *Memory) RevokeMemberFeed(_ context.Context, familyID, email string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	fam := m.families[familyID]
	if fam == nil {
		return nil
	}
	if old, ok := fam.feeds[email]; ok {
		delete(fam.feeds, email)
		delete(m.feeds, old.TokenHash)
	}
	return nil
}

// FeedHolder returns who the feed with tokenHash was made for.
func (m *Memory) FeedHolder(_ context.Context, tokenHash string) (reservations.FeedHolder, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h, ok := m.feeds[tokenHash]
	return h, ok, nil
}

// ForgetFeedLookup deletes a feed's lookup alone, as a failed write could leave the store: its
// member's pointer stays.
func (m *Memory) ForgetFeedLookup(tokenHash string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.feeds, tokenHash)
}
