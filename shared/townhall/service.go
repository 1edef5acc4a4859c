package townhall

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/staff"
)

// Store is the storage the town hall's use cases need; shared/store implements it.
type Store interface {
	Activities(ctx context.Context) ([]family.Activity, error)
	PutActivity(ctx context.Context, a family.Activity) error
	Closures(ctx context.Context) ([]calendar.Closure, error)
	PutClosure(ctx context.Context, c calendar.Closure) error
	DeleteClosure(ctx context.Context, d date.Date) error
	// Household reads a family's children, enrolments and members (reservations.ErrNoHousehold).
	Household(ctx context.Context, familyID string) (reservations.Household, error)
	// FamilyDaysOfMonth reads the month's days of a at site, with only children's entries.
	FamilyDaysOfMonth(ctx context.Context, a calendar.Activity, site string, month date.Date, children []string) ([]reservations.Day, error)
	// Day reads a whole slot (every child's booking and history).
	Day(ctx context.Context, s reservations.Slot) (reservations.Day, error)
	// ChildFamilies maps each child enrolled in a to its family.
	ChildFamilies(ctx context.Context, a calendar.Activity) (map[string]string, error)
	BillingHousehold(ctx context.Context, familyID string) (billing.Household, error)
	// AddUnbilled marks a day unbilled unless it is (false then).
	AddUnbilled(ctx context.Context, u billing.Unbilled) (bool, error)
	UnbilledDays(ctx context.Context, month date.Date) ([]billing.Unbilled, error)
	// RemoveUnbilled deletes u's mark if it still has u's reason.
	RemoveUnbilled(ctx context.Context, u billing.Unbilled) error
	ClaimClosureNotice(ctx context.Context, n Notice, now, staleBefore time.Time) (bool, error)
	ClosureNoticeSent(ctx context.Context, n Notice, now time.Time) error
	ReleaseClosureNotice(ctx context.Context, n Notice) error
	SchoolYears(ctx context.Context) ([]SchoolYear, error)
	// PutSchoolYear stores y if the year's stored version is still y.Previous (ErrStaleYear).
	PutSchoolYear(ctx context.Context, y SchoolYear) error
	AddFamilyChange(ctx context.Context, c FamilyChange) error
	FamilyChanges(ctx context.Context, familyID string) ([]FamilyChange, error)
}

// Rules are the reservation rules (*reservations.Service, built without a settings cache so
// that what staff just saved is what it applies).
type Rules interface {
	CancelClosed(ctx context.Context, d reservations.Day) ([]string, error)
	ForFamily(ctx context.Context, familyID string, act reservations.Action, childID string, day date.Date, a calendar.Activity) (reservations.Result, error)
	Calendar(ctx context.Context) (*calendar.Calendar, error)
}

// Notifier tells a parent of a closure (shared/mail).
type Notifier interface {
	SendClosureNotice(ctx context.Context, to, greet string, n ClosureNotice) error
}

// ClosureNotice is the e-mail of a closure to one family.
type ClosureNotice struct {
	Day   date.Date
	Label string   // "Grève : mouvement national"
	Lines []string // "Léa : Restauration scolaire (École Jules Ferry)"
	Link  string   // the family's planning
}

// Service holds the town hall's use cases.
type Service struct {
	Store    Store
	Rules    Rules
	Journal  staff.Journal
	Notifier Notifier
	// Base is the shipped school calendar (calendar.Default()), which loaded years replace.
	Base *calendar.Calendar
	// Policy is the commune's cutoff, which an activity's settings may override.
	Policy cutoff.Policy
	// Zone is the commune's school-holiday zone as the ministry's file names it ("Zone B").
	Zone string
	// Link makes the absolute URL of a portal path for e-mails.
	Link func(path string) string
}

// ErrClaimLost: a notice's claim was taken over by another save (the store's answer).
var ErrClaimLost = errors.New("townhall: notice claim lost")

// ErrStaleYear refuses to store a school year previewed from a version another write has
// replaced since.
var ErrStaleYear = fault.New(fault.Conflict, "school-year-changed", "Calendrier modifié entre-temps",
	"Le calendrier de cette année scolaire a été modifié depuis l'aperçu : chargez-le de nouveau pour voir les changements.")

func (s *Service) record(ctx context.Context, who string, now time.Time, action, target, before, after string) error {
	return staff.Recorder{Journal: s.Journal}.Record(ctx, who, now, action, target, before, after)
}

func (s *Service) link(path string) string {
	if s.Link == nil {
		return path
	}
	return s.Link(path)
}

func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// today is the Paris day of now.
func today(now time.Time) date.Date { return date.Of(now) }
