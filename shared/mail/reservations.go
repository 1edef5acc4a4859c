package mail

import "context"

// LongPeriodSummary is what the summary of a long-period request says, already in French.
type LongPeriodSummary struct {
	Action  string   // "réservation" or "annulation"
	Period  string   // "du lundi 7 décembre 2026 au vendredi 18 décembre 2026"
	Applied []string // one line per child and activity: "Léa – Restauration scolaire : 8 jours"
	Skipped []string // one line per skipped day, with its reason
	More    int      // skipped days not listed
	Link    string   // the planning page
}

// SendLongPeriodSummary tells the parent what a long-period request did.
func (m *Mailer) SendLongPeriodSummary(ctx context.Context, to, name string, s LongPeriodSummary) error {
	return m.renderAndSend(ctx, "long-period", to, name, s)
}
