package reservations

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
)

// Options tune a Service.
type Options struct {
	// SettingsTTL is how long activity settings and closures are reused before being read
	// again (0: read them on every request). They change a few times a year; a Lambda
	// container keeps them a minute to spare reads per request.
	SettingsTTL time.Duration
	// Notifier sends the summary of each applied long-period request (nil: no e-mail).
	Notifier Notifier
	// Link makes the absolute URL of a portal path for e-mails ("/espace-famille/planning").
	Link func(path string) string
	// Holidays holds the school holidays the town hall loaded (a new school year, or a
	// correction): each school year it has replaces the base calendar's. nil: the base only.
	Holidays HolidayStore
}

// HolidayStore is where the school holidays the town hall loaded are kept (shared/store).
type HolidayStore interface {
	// SchoolHolidays returns every loaded period, of every school year loaded.
	SchoolHolidays(ctx context.Context) ([]calendar.Period, error)
}

// Service applies the reservation rules over a Repository, with the server clock. It is also
// where deadlines are published (Deadlines): booking, the planning and the published schedule
// read the same rules from the same cache, so they state the same instant.
type Service struct {
	repo   Repository
	clock  clock.Clock
	base   *calendar.Calendar
	policy cutoff.Policy
	ttl    time.Duration
	notify Notifier
	link   func(string) string
	loaded HolidayStore

	mu    sync.Mutex
	rules *rules // nil until first read
	until time.Time
}

// rules is what every deadline depends on, read together and kept together for SettingsTTL:
// the commune calendar with its closures, and the settings of every activity at every site.
type rules struct {
	cal      *calendar.Calendar
	settings map[settingsKey]family.Activity
}

type settingsKey struct {
	a    calendar.Activity
	site string
}

// New returns a Service. base is the commune's school calendar (closures are read from repo
// and added to it); policy is the commune's cutoff, which an activity's settings may override.
func New(repo Repository, clk clock.Clock, base *calendar.Calendar, policy cutoff.Policy, o Options) *Service {
	link := o.Link
	if link == nil {
		link = func(path string) string { return path }
	}
	return &Service{repo: repo, clock: clk, base: base, policy: policy, ttl: o.SettingsTTL, notify: o.Notifier, link: link, loaded: o.Holidays}
}

// Now is the server's current instant, as the rules see it.
func (s *Service) Now() time.Time { return s.clock.Now() }

// rulesNow returns the calendar with its closures (and the school years the town hall loaded)
// and every activity's settings, read again
// once SettingsTTL has passed.
func (s *Service) rulesNow(ctx context.Context) (*rules, error) {
	now := s.clock.Now()
	s.mu.Lock()
	if s.rules != nil && now.Before(s.until) {
		r := s.rules
		s.mu.Unlock()
		return r, nil
	}
	s.mu.Unlock()
	// Both reads at once: a cold container's first request waits for one round trip, not two.
	var (
		cls   []calendar.Closure
		acts  []family.Activity
		clErr error
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		cls, clErr = s.repo.Closures(ctx)
	}()
	acts, err := s.repo.Activities(ctx)
	<-done
	if clErr != nil {
		return nil, fmt.Errorf("closures: %w", clErr)
	}
	if err != nil {
		return nil, fmt.Errorf("activity settings: %w", err)
	}
	base := s.base
	if s.loaded != nil {
		ps, err := s.loaded.SchoolHolidays(ctx)
		if err != nil {
			return nil, fmt.Errorf("school holidays: %w", err)
		}
		base = base.WithSchoolYears(ps)
	}
	r := &rules{cal: base.WithClosures(cls), settings: make(map[settingsKey]family.Activity, len(acts))}
	for _, a := range acts {
		r.settings[settingsKey{a.Activity, a.Site}] = a
	}
	if s.ttl > 0 {
		s.mu.Lock()
		s.rules, s.until = r, now.Add(s.ttl)
		s.mu.Unlock()
	}
	return r, nil
}

// Calendar returns the commune calendar with its closures.
func (s *Service) Calendar(ctx context.Context) (*calendar.Calendar, error) {
	r, err := s.rulesNow(ctx)
	if err != nil {
		return nil, err
	}
	return r.cal, nil
}

// SiteNames returns the name of each site that has activity settings, by code ("jules-ferry":
// "École Jules Ferry"): what pages show of a closure of some sites.
func (s *Service) SiteNames(ctx context.Context) (map[string]string, error) {
	r, err := s.rulesNow(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for k, st := range r.settings {
		if st.SiteName != "" {
			names[k.site] = st.SiteName
		}
	}
	return names, nil
}

// settingsOf returns the activity's settings at site (zero settings when none are set: no
// capacity limit, the commune's cutoff).
func (r *rules) settingsOf(a calendar.Activity, site string) family.Activity {
	if st, ok := r.settings[settingsKey{a, site}]; ok {
		return st
	}
	return family.Activity{Activity: a, Site: site}
}

// policyFor returns the cutoff policy of an activity's settings: the commune's, with the
// activity's overrides.
func (s *Service) policyFor(st family.Activity) cutoff.Policy {
	p := s.policy
	if st.CutoffDays != nil {
		p.WorkingDaysBefore = *st.CutoffDays
	}
	if st.CutoffHour != nil {
		p.Hour = *st.CutoffHour
	}
	return p
}

// household reads the actor's family. An unlinked account, a vanished family, and an account
// that is no longer one of the family's members are all ErrNoFamily: access to a family comes
// from the family's own member list, not only from what the account remembers (the town hall
// may end a link, and a link ended halfway must not leave a parent in).
func (s *Service) household(ctx context.Context, who Actor) (Household, error) {
	if who.FamilyID == "" || who.Email == "" {
		return Household{}, ErrNoFamily
	}
	h, err := s.repo.Household(ctx, who.FamilyID)
	if errors.Is(err, ErrNoHousehold) {
		return Household{}, ErrNoFamily
	}
	if err != nil {
		return Household{}, fmt.Errorf("household: %w", err)
	}
	if !slices.Contains(h.Members, who.Email) {
		return Household{}, ErrNoFamily
	}
	return h, nil
}

// householdAndRules reads the actor's family and the rules at once (the rules are usually
// cached), and returns the family's refusal first, as reading one after the other did. of is
// householdOf's reading: without a family, no child is theirs.
func (s *Service) householdAndRules(ctx context.Context, who Actor, of bool) (Household, *rules, error) {
	var (
		rs     *rules
		rulErr error
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		rs, rulErr = s.rulesNow(ctx)
	}()
	read := s.household
	if of {
		read = s.householdOf
	}
	h, err := read(ctx, who)
	<-done
	if err != nil {
		return Household{}, nil, err
	}
	if rulErr != nil {
		return Household{}, nil, rulErr
	}
	return h, rs, nil
}

// householdOf reads the family of an actor who names a child: without a family, no child is
// theirs, so ErrNoFamily becomes ErrChildNotFound (a request about a child never learns more).
func (s *Service) householdOf(ctx context.Context, who Actor) (Household, error) {
	h, err := s.household(ctx, who)
	if errors.Is(err, ErrNoFamily) {
		return Household{}, ErrChildNotFound
	}
	return h, err
}

// Result says what a Book or Cancel did.
type Result struct {
	// Changed is true when the booking was made (Book) or removed (Cancel); false when it
	// already was (a retry or a double submit).
	Changed  bool
	Child    family.Child
	Deadline time.Time
}

// check holds what a valid request for one day resolved.
type check struct {
	child    family.Child
	slot     Slot
	capacity int
	deadline time.Time
	newDay   bool // the slot had no stored item when the request was read
}

// validate applies every rule but capacity to a request for (child, day, activity), in the
// order that reveals nothing: the child must be the family's before anything else is said.
func (s *Service) validate(h Household, rs *rules, childID string, day date.Date, a calendar.Activity, now time.Time) (check, error) {
	c, err := s.check(h, rs, childID, day, a)
	if err != nil {
		return check{}, err
	}
	if !now.Before(c.deadline) {
		return check{}, deadlinePassed(day, a, c.deadline)
	}
	return c, nil
}

// check applies every rule but the deadline and capacity (the town hall's changes are not
// bound by the deadline), and states the day's deadline.
func (s *Service) check(h Household, rs *rules, childID string, day date.Date, a calendar.Activity) (check, error) {
	child, ok := h.Child(childID)
	if !ok {
		return check{}, ErrChildNotFound
	}
	e, ok := h.EnrolmentOn(childID, a, day)
	if !ok {
		return check{}, ErrNotEnrolled
	}
	if open, r := rs.cal.Open(a, e.Site, day); !open {
		return check{}, closed(rs.cal, day, a, e.Site, r)
	}
	st := rs.settingsOf(a, e.Site)
	deadline, err := cutoff.DeadlineOf(day, rs.cal, s.policyFor(st))
	if err != nil {
		return check{}, fmt.Errorf("deadline: %w", err)
	}
	return check{child: child, slot: Slot{Activity: a, Site: e.Site, Day: day}, capacity: st.Capacity, deadline: deadline}, nil
}

// Book reserves activity a on day for the actor's child. Booking a day already booked is not
// an error: Result.Changed is false and nothing is recorded. An actor without a family gets
// ErrChildNotFound, as for another family's child.
func (s *Service) Book(ctx context.Context, who Actor, childID string, day date.Date, a calendar.Activity) (Result, error) {
	return s.change(ctx, who, ActionBook, childID, day, a)
}

// Cancel removes the actor's child from activity a on day. Cancelling a day that is not booked
// is not an error: Result.Changed is false and nothing is recorded.
func (s *Service) Cancel(ctx context.Context, who Actor, childID string, day date.Date, a calendar.Activity) (Result, error) {
	return s.change(ctx, who, ActionCancel, childID, day, a)
}

func (s *Service) change(ctx context.Context, who Actor, act Action, childID string, day date.Date, a calendar.Activity) (Result, error) {
	h, rs, err := s.householdAndRules(ctx, who, true)
	if err != nil {
		return Result{}, err
	}
	now := s.clock.Now()
	c, err := s.validate(h, rs, childID, day, a, now)
	if err != nil {
		return Result{}, err
	}
	return s.outcome(ctx, who, act, c, now)
}

// outcome applies a checked change and says what it did.
func (s *Service) outcome(ctx context.Context, who Actor, act Action, c check, now time.Time) (Result, error) {
	out, err := s.apply(ctx, who, act, c, now)
	if err != nil {
		return Result{}, err
	}
	switch out {
	case Full:
		return Result{}, ErrFull
	case TooManyChanges:
		return Result{}, ErrTooManyChanges
	case Applied:
		return Result{Changed: true, Child: c.child, Deadline: c.deadline}, nil
	}
	return Result{Child: c.child, Deadline: c.deadline}, nil
}

func (s *Service) apply(ctx context.Context, who Actor, act Action, c check, now time.Time) (Outcome, error) {
	ch := Change{Who: who.Email, At: now, Channel: who.Channel, Action: act, ChildID: c.child.ID}
	var (
		out Outcome
		err error
	)
	if act == ActionBook {
		out, err = s.repo.BookDay(ctx, c.slot, c.child.ID, c.capacity, ch)
	} else {
		out, err = s.repo.CancelDay(ctx, c.slot, c.child.ID, ch)
	}
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", act, c.slot.Day, err)
	}
	return out, nil
}

// Household returns the actor's family: its children and their enrolments (ErrNoFamily when
// the account is not linked, or is no longer one of the family's members).
func (s *Service) Household(ctx context.Context, who Actor) (Household, error) {
	return s.household(ctx, who)
}

// PolicyFor is the cutoff policy the rules enforce for an activity's settings st: the commune's
// policy, with the activity's overrides (the back-office's headcounts state it too).
func PolicyFor(commune cutoff.Policy, st family.Activity) cutoff.Policy {
	return (&Service{policy: commune}).policyFor(st)
}
