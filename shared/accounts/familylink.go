package accounts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/preau/preau/shared/family"
)

// CodeReader looks up subscriber codes; *store.Store satisfies it.
type CodeReader interface {
	// IssuedCode reads an issued code (ErrNotFound when it never was).
	IssuedCode(ctx context.Context, code string) (family.SubscriberCode, error)
}

// Member is a parent account linked to a family.
type Member struct {
	Email    string
	LinkedAt time.Time
}

// FamilyEvent is one change of a family's membership, kept for the town hall and for disputes:
// who did what to whom, when.
type FamilyEvent struct {
	FamilyID string
	At       time.Time
	By       string          // the account that acted
	Action   FamilyEventKind // what happened
	Member   string          // the account it happened to
}

// FamilyEventKind is what happened to a family's membership.
type FamilyEventKind string

// The membership events recorded.
const (
	MemberLinked  FamilyEventKind = "member-linked"
	MemberRemoved FamilyEventKind = "member-removed"
)

// MembershipStore is the storage of links between accounts and families; *store.Store
// satisfies it.
type MembershipStore interface {
	AccountReader
	CodeReader
	// AddMember writes the family's MEMBER# item for email (idempotent): access to a family
	// requires it.
	AddMember(ctx context.Context, familyID, email string, at time.Time) error
	// RemoveMember deletes that item (idempotent): the parent's access ends at once.
	RemoveMember(ctx context.Context, familyID, email string) error
	// FamilyMembers lists the family's members, oldest link first.
	FamilyMembers(ctx context.Context, familyID string) ([]Member, error)
	// LinkFamily sets the account's family and forgets its pending code (ErrNotFound when the
	// account is gone).
	LinkFamily(ctx context.Context, email, familyID string) error
	// UnlinkFamily clears the account's family provided it is still familyID (no-op otherwise).
	UnlinkFamily(ctx context.Context, email, familyID string) error
	// RecordFamilyEvent keeps one membership change.
	RecordFamilyEvent(ctx context.Context, e FamilyEvent) error
}

// MembershipMail tells members about their family's membership; shared/mail's Mailer
// satisfies it.
type MembershipMail interface {
	// SendMemberLinked tells a member that newMember (how they are greeted) joined the family.
	SendMemberLinked(ctx context.Context, to, name, newMember, spaceLink string) error
	// SendMemberRemoved tells a parent that by (how they are greeted) removed them from the family.
	SendMemberRemoved(ctx context.Context, to, name, by, spaceLink string) error
}

// FamilyLinkStore is what linking a code needs.
type FamilyLinkStore interface {
	MembershipStore
	AttemptTaker
}

// FamilyLinks links accounts to families with subscriber codes (Account function, and
// Signup's confirmation for a code given at sign-up).
type FamilyLinks struct {
	Config
	Store FamilyLinkStore
	Mail  MembershipMail
}

// LinkFamily links the signed-in parent's account to the family of a subscriber code typed
// from clientAddr. A malformed code is refused before any storage call; then the attempt
// counts against the account's and the address's limits (codes are secrets: they must not be
// guessed at speed), and an unknown or revoked code is refused and nothing changes. Several
// parents may link one code (each existing member is told); linking another code moves the
// account to that family.
func (l *FamilyLinks) LinkFamily(ctx context.Context, email, typedCode, clientAddr string) error {
	now := l.Clock.Now()
	code := family.NormaliseCode(l.CodePrefix, typedCode)
	if code == "" {
		return fieldErr("subscriberCode", "Saisissez le code abonné reçu de la mairie.")
	}
	if !family.ValidCodeShape(l.CodePrefix, code) {
		return fieldErr("subscriberCode", codeShapeMessage(l.CodePrefix))
	}
	const detail = "Trop de codes abonné essayés."
	if err := codesPerAccount.enforce(ctx, l.Store, email, now, detail); err != nil {
		return err
	}
	addr, err := l.addressKey(ctx, clientAddr)
	if err != nil {
		return err
	}
	if err := codesPerAddress.enforce(ctx, l.Store, addr, now, detail); err != nil {
		return err
	}
	famID, reason, err := checkCode(ctx, l.Store, code)
	if err != nil {
		return err
	}
	if reason != "" {
		return fieldErr("subscriberCode", reason)
	}
	acc, err := l.Store.Account(ctx, email)
	if err != nil {
		return fmt.Errorf("link family: %w", err)
	}
	return l.link(ctx, acc, famID, now)
}

// checkCode looks up a normalised code of valid shape: the family it links to, or the French
// reason it is refused.
func checkCode(ctx context.Context, st CodeReader, code string) (familyID, reason string, err error) {
	c, err := st.IssuedCode(ctx, code)
	if errors.Is(err, ErrNotFound) {
		return "", "Ce code abonné est inconnu. Vérifiez-le sur le courrier de la mairie ou contactez le service enfance.", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("code: %w", err)
	}
	if c.Revoked {
		return "", "Ce code abonné n'est plus valable. Contactez le service enfance de la mairie pour en obtenir un nouveau.", nil
	}
	return c.FamilyID, "", nil
}

// link links the account to familyID: the family's MEMBER# item first (access to a family
// requires it, so a failure half-way grants nothing new), then the account, then the old
// family's MEMBER# item goes, which ends that family's access, feed included. Linking the
// same family again writes the member item again, which repairs an interrupted link. A new
// member is recorded, and every other member is told by e-mail: a code read from a stolen
// session must not turn into a quiet, lasting access.
func (l *FamilyLinks) link(ctx context.Context, acc Account, familyID string, now time.Time) error {
	members, err := l.Store.FamilyMembers(ctx, familyID)
	if err != nil {
		return fmt.Errorf("link family: %w", err)
	}
	already := false
	for _, m := range members {
		already = already || m.Email == acc.Email
	}
	if err := l.Store.AddMember(ctx, familyID, acc.Email, now); err != nil {
		return fmt.Errorf("link family: %w", err)
	}
	if acc.FamilyID != familyID {
		if err := l.Store.LinkFamily(ctx, acc.Email, familyID); err != nil {
			return fmt.Errorf("link family: %w", err)
		}
	}
	if acc.FamilyID != "" && acc.FamilyID != familyID {
		if err := l.Store.RemoveMember(ctx, acc.FamilyID, acc.Email); err != nil {
			return fmt.Errorf("link family: %w", err)
		}
	}
	slog.InfoContext(ctx, "family linked")
	if already {
		return nil
	}
	if err := l.Store.RecordFamilyEvent(ctx, FamilyEvent{FamilyID: familyID, At: now, By: acc.Email, Action: MemberLinked, Member: acc.Email}); err != nil {
		return fmt.Errorf("link family: %w", err)
	}
	for _, m := range members {
		other, err := l.Store.Account(ctx, m.Email)
		if err != nil {
			slog.ErrorContext(ctx, "member to tell", "err", err.Error())
			continue
		}
		// The link is made: a failed notice is logged, not undone.
		if err := l.Mail.SendMemberLinked(ctx, other.Email, other.DisplayName(), acc.DisplayName(), l.Link("/mon-espace")); err != nil {
			slog.ErrorContext(ctx, "member-linked e-mail", "err", err.Error())
		}
	}
	return nil
}
