package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/fault"
)

// ProfileStore is the storage Mon espace needs; *store.Store satisfies it.
type ProfileStore interface {
	MembershipStore
	// FamilyOfMember reads the family and its children when email is its member (ErrNotFound
	// otherwise: a parent removed from the family sees it no more).
	FamilyOfMember(ctx context.Context, familyID, email string) (family.Family, []family.Child, error)
	UpdateProfile(ctx context.Context, email, civility, lastName, firstName string) error
}

// Profiles shows and edits the signed-in parent's account (Account function).
type Profiles struct {
	Config
	Store ProfileStore
}

// Me is what the signed-in parent sees of their account.
type Me struct {
	Account Account
	// Family is nil until linked. Its SubscriberCode is masked: the code is a secret that
	// links anyone to the family, and a session can be stolen; the town hall reissues it.
	Family   *family.Family
	Children []family.Child
	Members  []MemberView // the family's members, the viewer included
}

// Me returns the account with its family, children and the family's members.
func (p *Profiles) Me(ctx context.Context, email string) (Me, error) {
	acc, err := p.Store.Account(ctx, email)
	if err != nil {
		return Me{}, fmt.Errorf("me: %w", err)
	}
	m := Me{Account: acc}
	if acc.FamilyID == "" {
		return m, nil
	}
	fam, children, err := p.Store.FamilyOfMember(ctx, acc.FamilyID, acc.Email)
	if errors.Is(err, ErrNotFound) {
		return m, nil
	}
	if err != nil {
		return Me{}, fmt.Errorf("me: %w", err)
	}
	fam.SubscriberCode = MaskCode(fam.SubscriberCode)
	m.Family, m.Children = &fam, children
	if m.Members, _, err = members(ctx, p.Store, acc.FamilyID, acc.Email); err != nil {
		return Me{}, fmt.Errorf("me: %w", err)
	}
	return m, nil
}

// MaskCode hides a subscriber code but for its commune prefix and last two characters
// ("BLENFANCE-12087-****-**7Q"): enough for a parent to recognise it, useless to link.
func MaskCode(code string) string {
	const random = len("XXXX-XXXX")
	if len(code) <= random {
		return "****-****"
	}
	return code[:len(code)-random] + "****-**" + code[len(code)-2:]
}

// ProfileInput is the editable part of the profile; nil fields keep their value.
type ProfileInput struct {
	Civility  *string
	LastName  *string
	FirstName *string
}

// UpdateProfile changes civility and names; absent fields keep their value, and a change with
// no field at all is refused (ErrEmptyProfile). The fields given are checked before any
// storage call.
func (p *Profiles) UpdateProfile(ctx context.Context, email string, in ProfileInput) error {
	if in.Civility == nil && in.LastName == nil && in.FirstName == nil {
		return ErrEmptyProfile
	}
	var f fault.Fields
	check := func(v *string, field string, clean func(string) string, rule func(string) string) *string {
		if v == nil {
			return nil
		}
		c := clean(*v)
		if m := rule(c); m != "" {
			f.Add(field, m)
		}
		return &c
	}
	civ := check(in.Civility, "civility", strings.TrimSpace, checkCivility)
	last := check(in.LastName, "lastName", cleanName, func(v string) string { return checkName(v, "nom") })
	first := check(in.FirstName, "firstName", cleanName, func(v string) string { return checkName(v, "prénom") })
	if err := f.Err(); err != nil {
		return err
	}
	acc, err := p.Store.Account(ctx, email)
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	if civ != nil {
		acc.Civility = *civ
	}
	if last != nil {
		acc.LastName = *last
	}
	if first != nil {
		acc.FirstName = *first
	}
	if err := p.Store.UpdateProfile(ctx, email, acc.Civility, acc.LastName, acc.FirstName); err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	return nil
}
