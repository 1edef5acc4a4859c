package accounts

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
)

// MemberView is a member of the family as another member sees them in Mon espace.
type MemberView struct {
	Member
	Name string // how the parent is called ("Mme Anne Martin")
	You  bool   // the member looking
}

// Memberships shows a family's members to each other and lets a member remove another
// (Account function). The town hall revokes and reissues codes; parents see who shares their
// family and remove whoever should not.
type Memberships struct {
	Config
	Store MembershipStore
	Mail  MembershipMail
}

// members lists familyID's members as viewer sees them; found is false when viewer is not
// (or no longer) one of them.
func members(ctx context.Context, st MembershipStore, familyID, viewer string) (out []MemberView, found bool, err error) {
	ms, err := st.FamilyMembers(ctx, familyID)
	if err != nil {
		return nil, false, fmt.Errorf("members: %w", err)
	}
	for _, m := range ms {
		v := MemberView{Member: m, You: m.Email == viewer}
		if acc, err := st.Account(ctx, m.Email); err == nil {
			v.Name = fullName(acc)
		}
		found = found || v.You
		out = append(out, v)
	}
	return out, found, nil
}

// fullName is how a parent is named to the other members: civility, first and last name.
func fullName(a Account) string {
	civ := a.Civility
	if civ == "M" {
		civ = "M."
	}
	return civ + " " + a.FirstName + " " + a.LastName
}

// RemoveMember removes the parent member from the family of the signed-in parent by. The
// MEMBER# item goes first, which ends the removed parent's access to the family at once
// (pages, bookings, calendar feed); then their account forgets the family, the removal is
// recorded (who, when, whom), and the removed parent is told by e-mail. A member cannot
// remove themselves here (they link another code or delete their account).
func (m *Memberships) RemoveMember(ctx context.Context, by, member string) error {
	now := m.Clock.Now()
	member = NormaliseEmail(member)
	if checkEmail(member) != "" || member == by {
		return ErrNotMember
	}
	acc, err := m.Store.Account(ctx, by)
	if err != nil {
		return fmt.Errorf("remove member: %w", err)
	}
	if acc.FamilyID == "" {
		return ErrNoFamily
	}
	list, found, err := members(ctx, m.Store, acc.FamilyID, by)
	if err != nil {
		return err
	}
	if !found {
		return ErrNoFamily
	}
	i := slices.IndexFunc(list, func(v MemberView) bool { return v.Email == member })
	if i < 0 {
		return ErrNotMember
	}
	if err := m.Store.RemoveMember(ctx, acc.FamilyID, member); err != nil {
		return fmt.Errorf("remove member: %w", err)
	}
	if err := m.Store.UnlinkFamily(ctx, member, acc.FamilyID); err != nil {
		return fmt.Errorf("remove member: %w", err)
	}
	if err := m.Store.RecordFamilyEvent(ctx, FamilyEvent{FamilyID: acc.FamilyID, At: now, By: by, Action: MemberRemoved, Member: member}); err != nil {
		return fmt.Errorf("remove member: %w", err)
	}
	slog.InfoContext(ctx, "family member removed")
	removed, err := m.Store.Account(ctx, member)
	if err != nil {
		slog.ErrorContext(ctx, "removed member to tell", "err", err.Error())
		return nil
	}
	if err := m.Mail.SendMemberRemoved(ctx, removed.Email, removed.DisplayName(), acc.DisplayName(), m.Link("/mon-espace")); err != nil {
		slog.ErrorContext(ctx, "member-removed e-mail", "err", err.Error())
	}
	return nil
}
