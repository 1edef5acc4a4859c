package retention

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/reservations"
)

// ErrChanged is a conditional write refused because the account changed since it was read (its
// parent signed in, or another run acted first): the job leaves it for the next night.
var ErrChanged = errors.New("retention: account changed meanwhile")

// Store is what the job reads and writes; *store.Store satisfies it. Every write is conditioned
// on what the decision read, so a parent who signs in while the job runs is never deleted.
type Store interface {
	// RetentionRead returns every account, and the reservation days before keptFrom not purged
	// yet.
	RetentionRead(ctx context.Context, keptFrom date.Date) ([]Account, []reservations.Slot, error)
	// RetentionPurged records that every day before keptFrom is purged, once they all are.
	RetentionPurged(ctx context.Context, keptFrom date.Date) error
	MarkWarned(ctx context.Context, email string, at, lastActivity time.Time) error
	UnmarkWarned(ctx context.Context, email string, at time.Time) error
	DeleteInactiveAccount(ctx context.Context, email string, warnedAt time.Time) error
	DeleteUnconfirmedAccount(ctx context.Context, email string, createdAt time.Time) error
	// DeleteDays deletes the days RetentionRead returned and says how many it deleted.
	DeleteDays(ctx context.Context, days []reservations.Slot) (int, error)
}

// Threads are the "Nous contacter" conversations; *store.Store satisfies it.
type Threads interface {
	// PurgeThreads deletes the threads whose last message is before before, each with the
	// account's pointer to it, unless a message arrived since it was read; it says how many.
	PurgeThreads(ctx context.Context, before time.Time) (int, error)
}

// Notifier sends the warning before deletion; shared/mail's Mailer satisfies it.
type Notifier interface {
	SendInactiveWarning(ctx context.Context, to, name, inactive string, deleteOn date.Date, loginLink string) error
}

// Job is the nightly Retention job.
type Job struct {
	Policy    Policy
	Store     Store
	Mail      Notifier
	LoginLink string  // absolute link to the portal's login
	Threads   Threads // the conversations to purge; nil when the job keeps none
}

// Report is what one run did.
type Report struct {
	Accounts, Warned, Deleted, Unconfirmed, Days, Threads int
}

// Run applies the policy at now: warns, deletes what is due, purges the days past their
// records' retention. Accounts that changed meanwhile are left for the next run. A failure is
// returned after the rest is done, so that the run is retried (every step is idempotent).
func (j *Job) Run(ctx context.Context, now time.Time) (Report, error) {
	keptFrom := j.Policy.RecordsKeptFrom(date.Of(now))
	accs, days, err := j.Store.RetentionRead(ctx, keptFrom)
	if err != nil {
		return Report{}, fmt.Errorf("retention: %w", err)
	}
	rep := Report{Accounts: len(accs)}
	var errs []error
	for _, a := range accs {
		done, err := j.apply(ctx, a, now)
		switch {
		case errors.Is(err, ErrChanged):
		case err != nil:
			errs = append(errs, err)
		case done == Warn:
			rep.Warned++
		case done == Delete && a.ConfirmedAt.IsZero():
			rep.Unconfirmed++
		case done == Delete:
			rep.Deleted++
		}
	}
	n, err := j.Store.DeleteDays(ctx, days)
	rep.Days = n
	if err != nil {
		errs = append(errs, fmt.Errorf("retention: days: %w", err))
	} else if err := j.Store.RetentionPurged(ctx, keptFrom); err != nil { // only once every day is: the next run reads them again
		errs = append(errs, fmt.Errorf("retention: %w", err))
	}
	if j.Threads != nil {
		n, err := j.Threads.PurgeThreads(ctx, j.Policy.MessagesKeptFrom(now))
		rep.Threads = n
		if err != nil {
			errs = append(errs, fmt.Errorf("retention: threads: %w", err))
		}
	}
	slog.InfoContext(ctx, "retention", "accounts", rep.Accounts, "warned", rep.Warned, "deleted", rep.Deleted,
		"unconfirmed_deleted", rep.Unconfirmed, "days_purged", rep.Days, "threads_purged", rep.Threads, "failures", len(errs))
	return rep, errors.Join(errs...)
}

func (j *Job) apply(ctx context.Context, a Account, now time.Time) (Action, error) {
	switch act := j.Policy.Decide(a, now); act {
	case Warn:
		if err := j.Store.MarkWarned(ctx, a.Email, now, a.LastActivity()); err != nil {
			return Keep, err
		}
		name := a.Civility + " " + a.LastName
		if a.Civility == "" {
			name = a.FirstName + " " + a.LastName
		}
		deleteOn := date.Of(j.Policy.DeletionAt(now))
		if err := j.Mail.SendInactiveWarning(ctx, a.Email, name, j.Policy.InactiveText(), deleteOn, j.LoginLink); err != nil {
			// Not warned, so not to be deleted: take the mark back and let the next run try again.
			if uerr := j.Store.UnmarkWarned(ctx, a.Email, now); uerr != nil {
				return Keep, fmt.Errorf("retention: warning not sent (%w) and still marked: %w", err, uerr)
			}
			return Keep, fmt.Errorf("retention: warning: %w", err)
		}
		return Warn, nil
	case Delete:
		var err error
		if a.ConfirmedAt.IsZero() {
			err = j.Store.DeleteUnconfirmedAccount(ctx, a.Email, a.CreatedAt)
		} else {
			err = j.Store.DeleteInactiveAccount(ctx, a.Email, a.WarnedAt)
		}
		if err != nil {
			return Keep, err
		}
		return Delete, nil
	}
	return Keep, nil
}

// InactiveText is InactiveMonths as the warning says it: "3 ans", "18 mois".
func (p Policy) InactiveText() string {
	switch {
	case p.InactiveMonths == 12:
		return "1 an"
	case p.InactiveMonths%12 == 0:
		return fmt.Sprintf("%d ans", p.InactiveMonths/12)
	}
	return fmt.Sprintf("%d mois", p.InactiveMonths)
}
