package reminders

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/secret"
)

// Item is one day a parent is reminded of: a child's activity, not booked, closing soon.
type Item struct {
	Child    family.Child
	Activity calendar.Activity
	Site     string
	Day      date.Date
	Deadline time.Time
	// PriceCents is what the day will be billed to the family (family.Activity.DayPrice); Priced is
	// false when the activity has no price at the site.
	PriceCents int64
	Priced     bool
}

// Notice is one reminder e-mail: every item due for one parent, earliest deadline first.
type Notice struct {
	To       string
	Greeting string
	// At is the run's instant: deadlines are told relative to it ("avant demain 10h00").
	At    time.Time
	Items []Item
	// Unsubscribe is the parent's signed unsubscribe token (UnsubscribeToken).
	Unsubscribe string
}

// Booked is one booked day of next week, in a summary.
type Booked struct {
	Child    family.Child
	Activity calendar.Activity
	Day      date.Date
}

// Summary is the Friday e-mail of next week's bookings.
type Summary struct {
	To       string
	Greeting string
	Monday   date.Date // the week summarised, Monday to Sunday
	Bookings []Booked  // by day, child, activity; empty when nothing is booked
	// Unsubscribe is the parent's signed unsubscribe token.
	Unsubscribe string
}

// Notifier sends the e-mails. A returned error means the e-mail did not go.
type Notifier interface {
	SendReminder(ctx context.Context, n Notice) error
	SendWeeklySummary(ctx context.Context, s Summary) error
}

// Repository is everything a run reads and writes; shared/store implements it.
type Repository interface {
	Enrolments
	Households
	Parents
	Days
	Settings
	Markers
	SummarySubscribers(ctx context.Context) ([]string, error)
}

// Runner runs the reminders and the weekly summary.
type Runner struct {
	Repo      Repository
	Deadlines Deadlines
	Notifier  Notifier
	Pacer     Pacer       // nil: no pacing
	Secret    *secret.Key // signs unsubscribe links
	// Window is how far ahead deadlines are reminded (default 24 hours).
	Window time.Duration
	// Workers is how many parents are handled at once (default 4); Pacer still bounds the rate.
	Workers int
	// Lease is how long a claimed marker belongs to the run that claimed it before another run
	// may take it over (default 20 minutes, more than a Lambda invocation lasts), in real time.
	Lease time.Duration
	// Now is the real time, for the invocation's time budget and the markers' leases (default
	// time.Now). Which days are due never depends on it: the run's instant is an argument.
	Now func() time.Time
}

// Report says what a run did; Unfinished is true when it stopped at its time budget with work
// left (another invocation continues: the markers make that safe).
type Report struct {
	Candidates  int // parents with something due (before preferences)
	Sent        int
	AlreadySent int // markers found taken: sent by an earlier run, or being sent by another
	OptedOut    int // parents whose preferences exclude every item
	Failed      int // sends that failed; their markers are released for the next run
	Unfinished  bool
}

// errBudget stops a run at its time budget.
var errBudget = errors.New("reminders: time budget reached")

func (r *Runner) window() time.Duration { return cmp.Or(r.Window, 24*time.Hour) }
func (r *Runner) lease() time.Duration  { return cmp.Or(r.Lease, 20*time.Minute) }
func (r *Runner) workers() int          { return max(1, cmp.Or(r.Workers, 4)) }
func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}
func (r *Runner) pace(ctx context.Context) error {
	if r.Pacer == nil {
		return ctx.Err()
	}
	return r.Pacer.Wait(ctx)
}

// due is one unbooked enrolled day closing in the window, for one family's child.
type due struct {
	familyID string
	childID  string
	slot     reservations.Slot
	deadline time.Time
}

// Remind sends the reminders of the run standing for instant at: every open day of an enrolled
// activity whose deadline falls after at and no later than at+Window, not booked, to each confirmed parent of the
// family who wants it. It stops starting new e-mails at stopBy (zero: no budget) and reports
// Unfinished.
func (r *Runner) Remind(ctx context.Context, at, stopBy time.Time) (Report, error) {
	// The key signs every e-mail's unsubscribe link: without it the run claims and sends nothing.
	if _, err := r.Secret.Bytes(ctx); err != nil {
		return Report{}, fmt.Errorf("remind: %w", err)
	}
	dues, err := r.findDue(ctx, at, at.Add(r.window()))
	if err != nil {
		return Report{}, err
	}
	byFamily := map[string][]due{}
	for _, d := range dues {
		byFamily[d.familyID] = append(byFamily[d.familyID], d)
	}
	families := slices.Sorted(func(yield func(string) bool) {
		for id := range byFamily {
			if !yield(id) {
				return
			}
		}
	})
	var (
		mu     sync.Mutex
		rep    Report
		prices = &priceCache{m: map[reservations.Slot]family.Activity{}}
	)
	add := func(f func(*Report)) { mu.Lock(); f(&rep); mu.Unlock() }
	err = r.each(ctx, families, stopBy, func(ctx context.Context, familyID string) error {
		return r.remindFamily(ctx, familyID, byFamily[familyID], at, prices, add)
	})
	if errors.Is(err, errBudget) {
		rep.Unfinished = true
		err = nil
	}
	return rep, err
}

// each runs f over ids with the Runner's workers, until stopBy. An error of f for one id is
// logged and does not stop the others; a storage failure of the run itself ends it.
func (r *Runner) each(ctx context.Context, ids []string, stopBy time.Time, f func(context.Context, string) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan string)
	var wg sync.WaitGroup
	for range r.workers() {
		wg.Go(func() {
			for id := range next {
				if err := f(ctx, id); err != nil {
					cancel(err)
				}
			}
		})
	}
	var stop error
feed:
	for _, id := range ids {
		if !stopBy.IsZero() && !r.now().Before(stopBy) {
			stop = errBudget
			break
		}
		select {
		case next <- id:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if c := context.Cause(ctx); c != nil && !errors.Is(c, context.Canceled) {
		return c
	}
	if err := ctx.Err(); err != nil && stop == nil {
		return err
	}
	return stop
}

// findDue lists the unbooked enrolled open days closing in (from, to]: one index query per
// activity, the deadlines of each site, and one month query per activity, site and month of a
// closing day.
func (r *Runner) findDue(ctx context.Context, from, to time.Time) ([]due, error) {
	var out []due
	for _, a := range calendar.Activities() {
		ens, err := r.Repo.EnrolmentsIn(ctx, a)
		if err != nil {
			return nil, fmt.Errorf("enrolments in %s: %w", a, err)
		}
		bySite := map[string][]Enrolled{}
		for _, e := range ens {
			bySite[e.Site] = append(bySite[e.Site], e)
		}
		for _, site := range slices.Sorted(func(yield func(string) bool) {
			for s := range bySite {
				if !yield(s) {
					return
				}
			}
		}) {
			closing, err := r.Deadlines.ClosingBetween(ctx, a, site, from, to)
			if err != nil {
				return nil, err
			}
			months := map[string]map[date.Date]reservations.Day{}
			for _, c := range closing {
				mk := c.Day.MonthKey()
				if _, ok := months[mk]; !ok {
					ds, err := r.Repo.ReminderDays(ctx, a, site, c.Day.FirstOfMonth())
					if err != nil {
						return nil, fmt.Errorf("days of %s at %s: %w", a, site, err)
					}
					m := map[date.Date]reservations.Day{}
					for _, d := range ds {
						m[d.Day] = d
					}
					months[mk] = m
				}
				stored := months[mk][c.Day]
				for _, e := range bySite[site] {
					if !e.Covers(c.Day) {
						continue
					}
					if _, booked := stored.Bookings[e.ChildID]; booked {
						continue
					}
					out = append(out, due{familyID: e.FamilyID, childID: e.ChildID,
						slot: reservations.Slot{Activity: a, Site: site, Day: c.Day}, deadline: c.Deadline})
				}
			}
		}
	}
	return out, nil
}

// remindFamily reads the family and tells each confirmed parent what they want to hear of.
func (r *Runner) remindFamily(ctx context.Context, familyID string, dues []due, at time.Time, prices *priceCache, add func(func(*Report))) error {
	h, err := r.Repo.ReminderHousehold(ctx, familyID)
	if errors.Is(err, ErrNoHousehold) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("family: %w", err)
	}
	var items []Item
	for _, d := range dues {
		child, ok := childOf(h, d.childID)
		if !ok {
			continue // an enrolment left behind by a child no longer in the family
		}
		p, err := prices.of(ctx, r.Repo, h.Family, d.slot)
		if err != nil {
			return err
		}
		items = append(items, Item{Child: child, Activity: d.slot.Activity, Site: d.slot.Site, Day: d.slot.Day,
			Deadline: d.deadline, PriceCents: p.cents, Priced: p.ok})
	}
	slices.SortFunc(items, func(x, y Item) int {
		return cmp.Or(x.Deadline.Compare(y.Deadline), x.Day.Compare(y.Day), cmp.Compare(x.Child.FirstName, y.Child.FirstName),
			cmp.Compare(x.Child.ID, y.Child.ID), cmp.Compare(activityOrder(x.Activity), activityOrder(y.Activity)))
	})
	for _, email := range h.Members {
		if err := r.remindParent(ctx, email, familyID, items, at, add); err != nil {
			return err
		}
	}
	return nil
}

type price struct {
	cents int64
	ok    bool
}

// priceCache reads each activity's settings at each site once per run.
type priceCache struct {
	mu sync.Mutex
	m  map[reservations.Slot]family.Activity // by activity and site
}

// of is the day's price for the family's quotient bracket.
func (c *priceCache) of(ctx context.Context, repo Settings, f family.Family, s reservations.Slot) (price, error) {
	k := reservations.Slot{Activity: s.Activity, Site: s.Site}
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ok := c.m[k]
	if !ok {
		var err error
		if st, _, err = repo.ActivitySettings(ctx, s.Activity, s.Site); err != nil {
			return price{}, fmt.Errorf("price of %s at %s: %w", s.Activity, s.Site, err)
		}
		c.m[k] = st
	}
	// What billing will charge for the day: the family's bracket, the non-resident rate, or the
	// highest price without a bracket. Zero means the activity has no price at this site.
	cents := st.DayPrice(f)
	return price{cents: cents, ok: cents > 0}, nil
}

func childOf(h Household, id string) (family.Child, bool) {
	for _, c := range h.Children {
		if c.ID == id {
			return c, true
		}
	}
	return family.Child{}, false
}

func activityOrder(a calendar.Activity) int { return slices.Index(calendar.Activities(), a) }

// remindParent sends one parent the items they want, once per deadline.
func (r *Runner) remindParent(ctx context.Context, email, familyID string, items []Item, at time.Time, add func(func(*Report))) error {
	p, err := r.Repo.ReminderParent(ctx, email)
	if errors.Is(err, ErrNoParent) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("parent: %w", err)
	}
	// The family's member list and the account must agree: a parent who left keeps no reminder.
	if !p.Confirmed || p.FamilyID != familyID {
		return nil
	}
	add(func(rep *Report) { rep.Candidates++ })
	var wanted []Item
	for _, it := range items {
		if p.Preferences.Wants(it.Activity, it.Day) {
			wanted = append(wanted, it)
		}
	}
	if len(wanted) == 0 {
		add(func(rep *Report) { rep.OptedOut++ })
		return nil
	}
	claim := newClaim()
	var (
		held []Marker
		send []Item
	)
	for _, dl := range deadlinesOf(wanted) {
		m := Marker{Email: email, Key: DeadlineKey(dl), Claim: claim, Expires: dl.Add(45 * 24 * time.Hour)}
		now := r.now()
		ok, err := r.Repo.ClaimMarker(ctx, m, now, now.Add(-r.lease()))
		if err != nil {
			r.release(ctx, held)
			return fmt.Errorf("claim: %w", err)
		}
		if !ok {
			add(func(rep *Report) { rep.AlreadySent++ })
			continue
		}
		held = append(held, m)
		for _, it := range wanted {
			if it.Deadline.Equal(dl) {
				send = append(send, it)
			}
		}
	}
	if len(held) == 0 {
		return nil
	}
	key, err := r.Secret.Bytes(ctx)
	if err != nil {
		r.release(context.WithoutCancel(ctx), held)
		return err
	}
	n := Notice{To: email, Greeting: p.Greeting, At: at, Items: send, Unsubscribe: UnsubscribeToken(key, email)}
	return r.deliver(ctx, held, add, func(ctx context.Context) error { return r.Notifier.SendReminder(ctx, n) })
}

// deliver paces, sends, and settles the markers held: sent on success, released on failure.
// A failed send is counted and logged, never returned: the other parents still get theirs.
func (r *Runner) deliver(ctx context.Context, held []Marker, add func(func(*Report)), send func(context.Context) error) error {
	if err := r.pace(ctx); err != nil {
		r.release(context.WithoutCancel(ctx), held)
		return err
	}
	if err := send(ctx); err != nil {
		slog.WarnContext(ctx, "reminder not sent; released for the next run", "err", err.Error())
		r.release(context.WithoutCancel(ctx), held)
		add(func(rep *Report) { rep.Failed++ })
		return nil
	}
	add(func(rep *Report) { rep.Sent++ })
	for _, m := range held {
		if err := r.Repo.MarkSent(ctx, m, r.now()); err != nil {
			// The e-mail went; the claim stays and keeps other runs off until its lease ends.
			return fmt.Errorf("mark sent: %w", err)
		}
	}
	return nil
}

func (r *Runner) release(ctx context.Context, held []Marker) {
	for _, m := range held {
		if err := r.Repo.ReleaseMarker(ctx, m); err != nil {
			slog.ErrorContext(ctx, "reminder marker not released", "err", err.Error())
		}
	}
}

// deadlinesOf returns the distinct deadlines of items, earliest first.
func deadlinesOf(items []Item) []time.Time {
	var out []time.Time
	for _, it := range items {
		if !slices.ContainsFunc(out, it.Deadline.Equal) {
			out = append(out, it.Deadline)
		}
	}
	slices.SortFunc(out, time.Time.Compare)
	return out
}

func newClaim() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
