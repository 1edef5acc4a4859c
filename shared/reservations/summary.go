package reservations

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/preau/preau/shared/fr"
)

// Notifier sends the e-mails of the reservation rules; shared/mail's Mailer implements it.
// to is the parent's address, name how the e-mail greets them.
type Notifier interface {
	SendLongPeriodSummary(ctx context.Context, to, name string, s LongSummary) error
}

// LongSummary is what the e-mail after a long-period request says, already in French.
type LongSummary struct {
	Action  string   // "réservation" or "annulation"
	Period  string   // "du lundi 7 décembre 2026 au vendredi 18 décembre 2026"
	Applied []string // one line per child and activity: "Léa – Restauration scolaire : 8 jours"
	Skipped []string // one line per skipped day, with its reason
	More    int      // skipped days not listed
	Link    string   // the planning page, at the request's first month
	Rule    string   // the cutoffs each day was held to (CutoffNotice)
}

// summaryTimeout bounds the summary e-mail once the request's work is done.
const summaryTimeout = 5 * time.Second

// maxMailSkipped bounds the skipped days an e-mail lists.
const maxMailSkipped = 60

// LongGroup counts the days of one child and activity in a long-period result.
type LongGroup struct {
	Child, Activity string
	Count           int
}

// Days is the count as parents read it: "1 jour", "8 jours".
func (g LongGroup) Days() string {
	if g.Count == 1 {
		return "1 jour"
	}
	return strconv.Itoa(g.Count) + " jours"
}

// GroupLong counts items per child and activity, in first-seen order.
func GroupLong(items []LongItem) []LongGroup {
	var out []LongGroup
	for _, it := range items {
		name := it.Child.FirstName
		i := slices.IndexFunc(out, func(g LongGroup) bool { return g.Child == name && g.Activity == it.Activity.Label() })
		if i < 0 {
			out = append(out, LongGroup{Child: name, Activity: it.Activity.Label()})
			i = len(out) - 1
		}
		out[i].Count++
	}
	return out
}

// Period is the request's range as parents read it: "du lundi 7 décembre 2026 au vendredi 18
// décembre 2026".
func (q LongRequest) Period() string {
	return "du " + fr.LongDateYear(q.From) + " au " + fr.LongDateYear(q.To)
}

// notifyLong e-mails the actor what an applied long-period request did. Whatever was done is
// stored, so the parent hears of it even if the request's own context has ended (the client
// left, the invocation is about to time out); a failed e-mail is logged, not a failed request.
func (s *Service) notifyLong(ctx context.Context, who Actor, res LongResult, own []ActivityPolicy) {
	if s.notify == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), summaryTimeout)
	defer cancel()
	sum := LongSummary{Action: res.Request.Action.French(), Period: res.Request.Period(), Rule: s.CutoffNotice(own),
		Link: s.link("/espace-famille/planning?mois=" + res.Request.From.MonthKey())}
	for _, g := range GroupLong(res.Applied) {
		sum.Applied = append(sum.Applied, fmt.Sprintf("%s – %s : %s", g.Child, g.Activity, g.Days()))
	}
	for i, it := range res.Skipped {
		if i == maxMailSkipped {
			sum.More = len(res.Skipped) - i
			break
		}
		sum.Skipped = append(sum.Skipped, fmt.Sprintf("%s – %s – %s : %s", fr.LongDate(it.Date), it.Child.FirstName, it.Activity.Label(), it.Detail))
	}
	if err := s.notify.SendLongPeriodSummary(ctx, who.Email, strings.TrimSpace(who.Name), sum); err != nil {
		slog.ErrorContext(ctx, "long-period summary e-mail", "err", err.Error())
	}
}
