package mail

import (
	"context"

	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/fr"
)

// The Retention job's e-mail (shared/retention.Notifier).

// SendInactiveWarning tells the owner of an account unused for a long time (inactive: "3 ans")
// that it will be deleted on deleteOn unless they sign in through loginLink.
func (m *Mailer) SendInactiveWarning(ctx context.Context, to, name, inactive string, deleteOn date.Date, loginLink string) error {
	return m.renderAndSend(ctx, "account-inactive", to, name, struct{ Inactive, DeleteOn, LoginLink string }{
		inactive, fr.LongDateYear(deleteOn), loginLink})
}
