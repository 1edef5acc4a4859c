package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/preau/preau/shared/accounts/argon2id"
	"github.com/preau/preau/shared/staff"
	"github.com/preau/preau/shared/store"
)

// The demo staff member of the back-office (/gestion/), with a second factor already enrolled
// from a fixed, published secret, so that anyone trying the demo can add it to an
// authenticator app (or print the current code with `go run ./infra/staffadmin code`).
// Only the demo has a published secret; real staff enrol theirs at their first login.
const (
	StaffEmail      = "agent@demo.preau.fr"
	StaffPassword   = "Gestion-Preau-2026"
	StaffName       = "Claire Lemaire"
	StaffTOTPSecret = "PREAUDEMOGESTIONLAIGNEVILLEDEMOA"
)

// LoadStaff creates the demo staff member unless it exists.
func LoadStaff(ctx context.Context, s *store.Store, now time.Time) error {
	hash, err := argon2id.Default().Hash(StaffPassword)
	if err != nil {
		return fmt.Errorf("demo staff: %w", err)
	}
	err = s.CreateMember(ctx, staff.Member{Email: StaffEmail, Name: StaffName, PasswordHash: hash, Stamp: "demo-staff-stamp",
		CreatedAt: now, TOTPSecret: StaffTOTPSecret, EnrolledAt: now})
	if errors.Is(err, staff.ErrExists) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("demo staff: %w", err)
	}
	return nil
}
