// Package retention holds how long Préau keeps what it holds on parents, and decides, for each
// account, whether the nightly Retention job leaves it, warns its parent, or deletes it:
//
//   - an account nobody signed in to for InactiveMonths (3 years) is warned by e-mail, then
//     deleted NoticeDays (30) after the warning unless its parent signs in meanwhile;
//   - an account never confirmed is deleted UnconfirmedDays (30) after its creation (its address
//     was never proven, so it is not warned);
//   - bookings and their history are accounting records (they justify the invoices): they are
//     kept RecordsYears (10) after the end of their calendar year, then purged;
//   - a "Nous contacter" conversation is the town hall's correspondence: it is kept
//     MessagesMonths (12) after its last message, then deleted with the parent's pointer to it;
//   - ephemeral items (sessions, one-time links, login throttles, anti-robot proofs) carry their
//     own expiry, which DynamoDB's TTL enforces: the job does not handle them.
//
// The defaults are the French ones the privacy notice states; a commune changes them with the
// stack's parameters. The rules are pure: the job passes now.
package retention

import (
	"errors"
	"fmt"
	"time"

	"github.com/preau/preau/shared/date"
)

// Policy is how long each kind of record is kept.
type Policy struct {
	InactiveMonths  int // months without sign-in before the warning
	NoticeDays      int // days between the warning and the deletion
	UnconfirmedDays int // days an account never confirmed is kept
	RecordsYears    int // years after the end of their year that bookings are kept
	MessagesMonths  int // months after its last message that a "Nous contacter" thread is kept
}

// Default is the French policy: 3 years, 30 days, 30 days, 10 years, 12 months.
func Default() Policy {
	return Policy{InactiveMonths: 36, NoticeDays: 30, UnconfirmedDays: 30, RecordsYears: 10, MessagesMonths: 12}
}

// Validate refuses durations that would delete too early or never.
func (p Policy) Validate() error {
	var errs []error
	if p.InactiveMonths < 12 || p.InactiveMonths > 120 {
		errs = append(errs, fmt.Errorf("inactive accounts: %d months is outside 12-120", p.InactiveMonths))
	}
	if p.NoticeDays < 7 || p.NoticeDays > 180 {
		errs = append(errs, fmt.Errorf("deletion notice: %d days is outside 7-180", p.NoticeDays))
	}
	if p.UnconfirmedDays < 2 || p.UnconfirmedDays > 365 {
		errs = append(errs, fmt.Errorf("unconfirmed accounts: %d days is outside 2-365", p.UnconfirmedDays))
	}
	if p.RecordsYears < 1 || p.RecordsYears > 30 {
		errs = append(errs, fmt.Errorf("records: %d years is outside 1-30", p.RecordsYears))
	}
	if p.MessagesMonths < 1 || p.MessagesMonths > 120 {
		errs = append(errs, fmt.Errorf("messages: %d months is outside 1-120", p.MessagesMonths))
	}
	return errors.Join(errs...)
}

// MessagesKeptFrom is the oldest last activity of a thread kept at now: older ones are deleted.
func (p Policy) MessagesKeptFrom(now time.Time) time.Time {
	return now.AddDate(0, -p.MessagesMonths, 0)
}

// Account is what retention knows of an account.
type Account struct {
	Email       string
	Civility    string
	LastName    string
	FirstName   string
	CreatedAt   time.Time
	ConfirmedAt time.Time // zero: never confirmed
	LastLoginAt time.Time // zero: never signed in since sign-ins are recorded
	WarnedAt    time.Time // zero: not warned
}

// LastActivity is the last sign-in, else the confirmation, else the creation.
func (a Account) LastActivity() time.Time {
	last := a.CreatedAt
	for _, t := range []time.Time{a.ConfirmedAt, a.LastLoginAt} {
		if t.After(last) {
			last = t
		}
	}
	return last
}

// Action is what the job does with an account.
type Action int

const (
	Keep   Action = iota
	Warn          // send the warning and record it
	Delete        // delete the account
)

func (a Action) String() string {
	switch a {
	case Warn:
		return "warn"
	case Delete:
		return "delete"
	}
	return "keep"
}

// Decide says what happens to a now. A warning older than the last activity no longer counts:
// the parent came back, and is warned afresh if they leave again.
func (p Policy) Decide(a Account, now time.Time) Action {
	if a.ConfirmedAt.IsZero() {
		if !now.Before(a.CreatedAt.AddDate(0, 0, p.UnconfirmedDays)) {
			return Delete
		}
		return Keep
	}
	last := a.LastActivity()
	if now.Before(last.AddDate(0, p.InactiveMonths, 0)) {
		return Keep
	}
	if a.WarnedAt.IsZero() || a.WarnedAt.Before(last) {
		return Warn
	}
	if !now.Before(p.DeletionAt(a.WarnedAt)) {
		return Delete
	}
	return Keep
}

// DeletionAt is when an account warned at warnedAt is deleted if nobody signs in.
func (p Policy) DeletionAt(warnedAt time.Time) time.Time {
	return warnedAt.AddDate(0, 0, p.NoticeDays)
}

// RecordsKeptFrom is the first day whose bookings are still kept on day today: 1 January of the
// year RecordsYears before today's (a 10-year policy keeps 2016 onwards during 2026).
func (p Policy) RecordsKeptFrom(today date.Date) date.Date {
	return date.New(today.Year()-p.RecordsYears, time.January, 1)
}
