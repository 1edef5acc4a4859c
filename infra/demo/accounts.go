package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/accounts/argon2id"
	"github.com/preau/preau/shared/store"
)

// The demo parent: a confirmed account linked to the Martin family. The other families' codes
// stay unclaimed, for trying the family link from "Mon espace citoyen".
const (
	ParentEmail    = "parent@demo.preau.fr"
	ParentPassword = "Demo-Preau-2026"
)

// LoadAccounts creates the demo parent's account, confirmed and linked to the first family,
// unless it exists.
func LoadAccounts(ctx context.Context, s *store.Store, now time.Time) error {
	hash, err := argon2id.Default().Hash(ParentPassword)
	if err != nil {
		return fmt.Errorf("demo account: %w", err)
	}
	stamp, _ := accounts.NewSecret()
	fam := Families[0]
	err = s.CreateAccount(ctx, accounts.Account{Email: ParentEmail, Civility: "Mme", LastName: "Martin", FirstName: "Camille",
		PasswordHash: hash, CreatedAt: now, ConfirmedAt: now, FamilyID: fam.ID, SessionStamp: stamp})
	if errors.Is(err, accounts.ErrExists) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("demo account: %w", err)
	}
	if err := s.AddMember(ctx, fam.ID, ParentEmail, now); err != nil {
		return fmt.Errorf("demo account: %w", err)
	}
	return nil
}
