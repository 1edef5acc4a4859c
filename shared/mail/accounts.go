package mail

import (
	"context"
	"fmt"
	"time"
)

// The account e-mails (shared/accounts.Notifier). Each is one template pair in templates/.

type linkData struct {
	Link     string
	ValidFor string
}

// validFor says a duration as French readers expect: "48 heures", "1 heure".
func validFor(d time.Duration) string {
	h := int(d.Hours())
	if h <= 1 {
		return "1 heure"
	}
	return fmt.Sprintf("%d heures", h)
}

// SendConfirmation sends the link that activates a new account.
func (m *Mailer) SendConfirmation(ctx context.Context, to, name, link string, valid time.Duration) error {
	return m.renderAndSend(ctx, "confirmation", to, name, linkData{Link: link, ValidFor: validFor(valid)})
}

// SendAlreadyRegistered tells the owner of an account that someone tried to sign up again
// with their address (the sign-up page answers the same either way).
func (m *Mailer) SendAlreadyRegistered(ctx context.Context, to, name, loginLink, resetLink string) error {
	return m.renderAndSend(ctx, "already-registered", to, name, struct{ LoginLink, ResetLink string }{loginLink, resetLink})
}

// SendPasswordReset sends the link to choose a new password.
func (m *Mailer) SendPasswordReset(ctx context.Context, to, name, link string, valid time.Duration) error {
	return m.renderAndSend(ctx, "password-reset", to, name, linkData{Link: link, ValidFor: validFor(valid)})
}

// SendPasswordChanged tells the owner that the password changed, in case it was not them.
func (m *Mailer) SendPasswordChanged(ctx context.Context, to, name, resetLink string) error {
	return m.renderAndSend(ctx, "password-changed", to, name, struct{ ResetLink string }{resetLink})
}

// SendMemberLinked tells a member of a family that newMember (how they are greeted) was just
// linked to it, with a link to Mon espace where members can remove each other.
func (m *Mailer) SendMemberLinked(ctx context.Context, to, name, newMember, spaceLink string) error {
	return m.renderAndSend(ctx, "member-linked", to, name, struct{ NewMember, SpaceLink string }{newMember, spaceLink})
}

// SendMemberRemoved tells a parent that another member (by) removed them from the family.
func (m *Mailer) SendMemberRemoved(ctx context.Context, to, name, by, spaceLink string) error {
	return m.renderAndSend(ctx, "member-removed", to, name, struct{ By, SpaceLink string }{by, spaceLink})
}
