package mail

import (
	"context"

	"github.com/preau/preau/shared/reservations"
)

// SendLongPeriodSummary tells the parent what a long-period request did (reservations.Notifier):
// the summary is written in French by the reservation rules.
func (m *Mailer) SendLongPeriodSummary(ctx context.Context, to, name string, s reservations.LongSummary) error {
	return m.renderAndSend(ctx, "long-period", to, name, s)
}

var _ reservations.Notifier = (*Mailer)(nil)
