package accounts

import (
	"context"
	"fmt"
	"log/slog"
)

// DeletionStore is the storage an account deletion needs; *store.Store satisfies it.
type DeletionStore interface {
	AccountReader
	AttemptTaker
	SessionWriter
	// RemoveMember deletes the family's MEMBER# item of email (idempotent).
	RemoveMember(ctx context.Context, familyID, email string) error
	// DeleteAccount deletes the account item (idempotent).
	DeleteAccount(ctx context.Context, email string) error
}

// Deletions deletes accounts at their owner's request (Account function).
type Deletions struct {
	Config
	Store DeletionStore
}

// DeleteAccount deletes the signed-in parent's account after checking the password (which
// counts against the login limit): the account, its link to the family and its sessions go;
// the family record, children and invoices stay with the town hall (billing).
func (d *Deletions) DeleteAccount(ctx context.Context, email, sessionID, password string) error {
	if password == "" {
		return fieldErr("password", "Saisissez votre mot de passe pour confirmer la suppression.")
	}
	acc, err := d.Store.Account(ctx, email)
	if err != nil {
		return fmt.Errorf("delete account: %w", err)
	}
	if err := d.reauthenticate(ctx, d.Store, acc, password, "password", d.Clock.Now()); err != nil {
		return err
	}
	if acc.FamilyID != "" {
		if err := d.Store.RemoveMember(ctx, acc.FamilyID, acc.Email); err != nil {
			return fmt.Errorf("delete account: %w", err)
		}
	}
	// Deleting the account item ends every session: the resolver finds no account behind them.
	if err := d.Store.DeleteAccount(ctx, acc.Email); err != nil {
		return fmt.Errorf("delete account: %w", err)
	}
	_ = logout(ctx, d.Store, sessionID)
	slog.InfoContext(ctx, "account deleted")
	return nil
}
