package reminders

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/reservations"
)

// NextMonday is the Monday of the week after the one of day d (the week a Friday summary tells).
func NextMonday(d date.Date) date.Date {
	return d.AddDays(7 - (int(d.Weekday())+6)%7)
}

// Summarise sends the weekly summary of next week's bookings (the week after at's) to every
// confirmed parent who asked for it, once per parent and week. It stops starting new e-mails at
// stopBy (zero: no budget) and reports Unfinished.
func (r *Runner) Summarise(ctx context.Context, at, stopBy time.Time) (Report, error) {
	// The key signs every e-mail's unsubscribe link: without it the run claims and sends nothing.
	if _, err := r.Secret.Bytes(ctx); err != nil {
		return Report{}, fmt.Errorf("summarise: %w", err)
	}
	emails, err := r.Repo.SummarySubscribers(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("summary subscribers: %w", err)
	}
	slices.Sort(emails)
	monday := NextMonday(date.Of(at))
	var (
		mu   sync.Mutex
		rep  Report
		days = &monthCache{m: map[monthKey][]reservations.Day{}}
	)
	add := func(f func(*Report)) { mu.Lock(); f(&rep); mu.Unlock() }
	err = r.each(ctx, emails, stopBy, func(ctx context.Context, email string) error {
		return r.summariseParent(ctx, email, monday, days, add)
	})
	if errors.Is(err, errBudget) {
		rep.Unfinished = true
		err = nil
	}
	return rep, err
}

func (r *Runner) summariseParent(ctx context.Context, email string, monday date.Date, days *monthCache, add func(func(*Report))) error {
	p, err := r.Repo.ReminderParent(ctx, email)
	if errors.Is(err, ErrNoParent) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("parent: %w", err)
	}
	if !p.Confirmed || p.FamilyID == "" || !p.Preferences.WeeklySummary {
		return nil
	}
	h, err := r.Repo.ReminderHousehold(ctx, p.FamilyID)
	if errors.Is(err, ErrNoHousehold) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("family: %w", err)
	}
	if !slices.Contains(h.Members, email) {
		return nil
	}
	add(func(rep *Report) { rep.Candidates++ })
	sunday := monday.AddDays(6)
	var booked []Booked
	for _, e := range h.Enrolments {
		child, ok := childOf(h, e.ChildID)
		if !ok {
			continue
		}
		for d := range date.Range(monday, sunday) {
			if !e.Covers(d) {
				continue
			}
			month, err := days.get(ctx, r.Repo, e.Activity, e.Site, d)
			if err != nil {
				return err
			}
			for _, sd := range month {
				if sd.Day == d {
					if _, ok := sd.Bookings[child.ID]; ok {
						booked = append(booked, Booked{Child: child, Activity: e.Activity, Day: d})
					}
				}
			}
		}
	}
	slices.SortFunc(booked, func(x, y Booked) int {
		return cmp.Or(x.Day.Compare(y.Day), cmp.Compare(x.Child.FirstName, y.Child.FirstName),
			cmp.Compare(x.Child.ID, y.Child.ID), cmp.Compare(activityOrder(x.Activity), activityOrder(y.Activity)))
	})
	now := r.now()
	m := Marker{Email: email, Key: WeekKey(monday), Claim: newClaim(), Expires: sunday.At(0, 0, date.Paris).Add(45 * 24 * time.Hour)}
	ok, err := r.Repo.ClaimMarker(ctx, m, now, now.Add(-r.lease()))
	if err != nil {
		return fmt.Errorf("claim: %w", err)
	}
	if !ok {
		add(func(rep *Report) { rep.AlreadySent++ })
		return nil
	}
	key, err := r.Secret.Bytes(ctx)
	if err != nil {
		r.release(context.WithoutCancel(ctx), []Marker{m})
		return err
	}
	s := Summary{To: email, Greeting: p.Greeting, Monday: monday, Bookings: booked, Unsubscribe: UnsubscribeToken(key, email)}
	return r.deliver(ctx, []Marker{m}, add, func(ctx context.Context) error { return r.Notifier.SendWeeklySummary(ctx, s) })
}

type monthKey struct {
	a     string
	site  string
	month string
}

// monthCache reads each activity, site and month once per run, whichever worker asks first.
type monthCache struct {
	mu sync.Mutex
	m  map[monthKey][]reservations.Day
}

func (c *monthCache) get(ctx context.Context, repo Days, a calendar.Activity, site string, d date.Date) ([]reservations.Day, error) {
	k := monthKey{a: string(a), site: site, month: d.MonthKey()}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ds, ok := c.m[k]; ok {
		return ds, nil
	}
	ds, err := repo.ReminderDays(ctx, a, site, d.FirstOfMonth())
	if err != nil {
		return nil, fmt.Errorf("days of %s at %s: %w", a, site, err)
	}
	c.m[k] = ds
	return ds, nil
}
