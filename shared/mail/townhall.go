package mail

import (
	"context"

	"github.com/preau/preau/shared/fr"
	"github.com/preau/preau/shared/townhall"
)

// SendClosureNotice tells a parent that the town hall closed a day their children were booked
// for: the bookings are cancelled and will not be billed (townhall.Notifier).
func (m *Mailer) SendClosureNotice(ctx context.Context, to, greet string, n townhall.ClosureNotice) error {
	return m.renderAndSend(ctx, "closure", to, greet, struct {
		Day   string
		Label string
		Lines []string
		Link  string
	}{fr.LongDateYear(n.Day), n.Label, n.Lines, n.Link})
}

var _ townhall.Notifier = (*Mailer)(nil)
