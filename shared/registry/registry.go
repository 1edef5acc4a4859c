// Package registry holds the rules of the town hall's register of families, as staff keep it
// from the back-office: create and edit a family (name, quotient bracket, resident status),
// issue, revoke and reissue its subscriber code, remove a linked parent, register its
// children (names, birth date, school, class, diet, PAI yes/no), enrol them in activities
// per school year (enrol, end, move site), and import families and
// children from the mairie's CSV file, all or nothing.
//
// Every change is recorded in the staff journal (shared/staff) with who, when, what and
// before → after. The package imports no AWS package: it reaches storage through Store, which
// shared/store's *store.Store satisfies; registrytest holds an in-memory Store and the
// contract suite both pass.
//
// # Decisions, and why
//
//   - A subscriber code is prefix + 8 random Crockford base-32 characters (40 bits from
//     crypto/rand, family.NewCode): with a few thousand codes issued, guessing one takes about
//     10^8 tries, and sign-up and family linking are throttled and behind the anti-robot check.
//     A code is created by a conditional put, so it is never issued twice.
//   - Reissuing revokes the old code first, then creates the new one, then switches the
//     family to it with a write conditioned on the old code still being the family's: if the
//     function stops half-way, the family is left with a revoked code (fail closed) and the
//     page offers to issue one; of two reissues at once one switches, the other's code is
//     revoked at once.
//   - Removing a linked parent deletes its membership item: every family read on the parent's
//     side (planning, booking, feeds) checks membership, so the parent loses access at once.
//   - The CSV import validates every line before writing anything, and writes with keys
//     derived from the file (the family's reference, the child's first name and birth date),
//     so a retried import rewrites the same items: it converges instead of duplicating, and a
//     broken file writes nothing. There is no transaction (the local emulator has none): an
//     import interrupted by an infrastructure failure is finished by running it again.
package registry

import (
	"context"
	"errors"

	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/fault"
)

// Record is a family with everything registered under it.
type Record struct {
	Family     family.Family
	Children   []family.Child
	Enrolments []family.Enrolment
	Members    []string // e-mails of the linked parent accounts
}

// Errors of storage that the rules read.
var (
	ErrNotFound = errors.New("registry: not found")
	ErrExists   = errors.New("registry: already exists")
	ErrStale    = errors.New("registry: changed meanwhile")
)

// Refusals staff may see.
var (
	ErrNoFamily = fault.New(fault.NotFound, "family-not-found", "Famille introuvable", "Cette famille n'existe pas.")
	ErrNoChild  = fault.New(fault.NotFound, "child-not-found", "Enfant introuvable", "Cet enfant n'existe pas dans cette famille.")
	ErrRaced    = fault.New(fault.Conflict, "changed-meanwhile", "Modifié entre-temps",
		"Le code de cette famille a été changé entre-temps par quelqu'un d'autre : rechargez la page.")
)

// Directory stores families.
type Directory interface {
	Families(ctx context.Context) ([]family.Family, error)
	FamilyRecord(ctx context.Context, familyID string) (Record, error)
	CreateFamily(ctx context.Context, f family.Family) error
	UpdateFamily(ctx context.Context, f family.Family) error
	// PutFamily creates or replaces a family (the import's idempotent write).
	PutFamily(ctx context.Context, f family.Family) error
	RemoveMember(ctx context.Context, familyID, email string) error
	PutChild(ctx context.Context, c family.Child) error
	// PutEnrolment creates or replaces a child's enrolment in an activity.
	PutEnrolment(ctx context.Context, familyID string, e family.Enrolment) error
}

// Codes stores subscriber codes.
type Codes interface {
	CreateCode(ctx context.Context, c family.SubscriberCode) error
	Code(ctx context.Context, code string) (family.SubscriberCode, error)
	RevokeCode(ctx context.Context, code string) error
	SwitchCode(ctx context.Context, familyID, old, next string) error
}

// Settings are the activity settings, whose sites and price brackets the forms offer.
type Settings interface {
	Activities(ctx context.Context) ([]family.Activity, error)
}

// Store is everything the register stores.
type Store interface {
	Directory
	Codes
	Settings
}
