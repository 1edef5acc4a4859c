package townhall

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/fr"
	"github.com/preau/preau/shared/reservations"
)

// ClosureReasons are the reasons a closure form offers, by code, with what parents read.
var ClosureReasons = []struct{ Code, Label string }{
	{"greve", "Grève"},
	{"sortie", "Sortie scolaire"},
	{"travaux", "Travaux"},
	{"autre", "Fermeture exceptionnelle"},
}

// ClosureInput is what the closure form sends.
type ClosureInput struct {
	Day        string
	Reason     string   // one of ClosureReasons' codes
	Detail     string   // free text, required for "autre"
	Activities []string // the activities closed; empty is refused
	Sites      []string // the sites closed (codes); empty is refused, all of them is every site
}

// Site is one of the commune's sites (a school), as the closure form offers them.
type Site struct{ Code, Name string }

// Sites lists the sites that have activity settings, in the order of the settings.
func (s *Service) Sites(ctx context.Context) ([]Site, error) {
	settings, err := s.Store.Activities(ctx)
	if err != nil {
		return nil, fmt.Errorf("activity settings: %w", err)
	}
	var out []Site
	for _, st := range settings {
		if !slices.ContainsFunc(out, func(x Site) bool { return x.Code == st.Site }) {
			out = append(out, Site{Code: st.Site, Name: st.SiteName})
		}
	}
	return out, nil
}

// check turns the form into a closure, or says which fields are wrong. sites are the commune's:
// a closure of all of them is stored as a closure of every site (sites added later included).
func (in ClosureInput) check(today date.Date, sites []Site) (calendar.Closure, error) {
	var f fault.Fields
	d, err := date.Parse(strings.TrimSpace(in.Day))
	switch {
	case err != nil:
		f.Add("day", "Saisissez le jour fermé (AAAA-MM-JJ).")
	case d.Before(today):
		f.Add("day", "Ce jour est passé : une fermeture se déclare pour aujourd'hui ou un jour à venir.")
	}
	label := ""
	for _, r := range ClosureReasons {
		if r.Code == in.Reason {
			label = r.Label
		}
	}
	if label == "" {
		f.Add("reason", "Choisissez le motif de la fermeture (grève, sortie, travaux…).")
	}
	detail := strings.Join(strings.Fields(in.Detail), " ")
	switch {
	case utf8.RuneCountInString(detail) > 200:
		f.Add("detail", "La précision tient en 200 caractères au plus.")
	case detail == "" && in.Reason == "autre":
		f.Add("detail", "Précisez la raison de la fermeture : elle figure dans l'e-mail aux familles.")
	case detail != "":
		label += " : " + detail
	}
	var acts []calendar.Activity
	for _, s := range in.Activities {
		a, err := calendar.ParseActivity(s)
		if err != nil {
			f.Add("activities", "Une activité cochée n'existe pas.")
			break
		}
		if !slices.Contains(acts, a) {
			acts = append(acts, a)
		}
	}
	if len(in.Activities) == 0 {
		f.Add("activities", "Cochez au moins une activité fermée.")
	}
	var closed []string
	for _, code := range in.Sites {
		if !slices.ContainsFunc(sites, func(x Site) bool { return x.Code == code }) {
			f.Add("sites", "Un site coché n'existe pas.")
			break
		}
		if !slices.Contains(closed, code) {
			closed = append(closed, code)
		}
	}
	if len(in.Sites) == 0 && len(sites) > 0 {
		f.Add("sites", "Cochez au moins un site fermé.")
	}
	if err := f.Err(); err != nil {
		return calendar.Closure{}, err
	}
	cl := calendar.Closure{Day: d, Label: label}
	if len(acts) < len(calendar.Activities()) {
		cl.Activities = acts // every activity is stored as the empty list
	}
	if len(closed) < len(sites) {
		slices.Sort(closed)
		cl.Sites = closed // every site is stored as the empty list
	}
	return cl, nil
}

// DescribeClosure is a closure as the journal and the pages read it: "Grève (Cantine) — École
// Jules Ferry"; sites names the commune's sites (a code without a name is shown as it is).
func DescribeClosure(cl calendar.Closure, sites []Site) string {
	what := "toutes les activités"
	if len(cl.Activities) > 0 {
		var names []string
		for _, a := range cl.Activities {
			names = append(names, a.Label())
		}
		what = strings.Join(names, ", ")
	}
	where := "tous les sites"
	if len(cl.Sites) > 0 {
		var names []string
		for _, code := range cl.Sites {
			name := code
			if i := slices.IndexFunc(sites, func(x Site) bool { return x.Code == code }); i >= 0 && sites[i].Name != "" {
				name = sites[i].Name
			}
			names = append(names, name)
		}
		where = strings.Join(names, ", ")
	}
	return cl.Label + " (" + what + ") — " + where
}

// ClosureReport says what saving a closure did.
type ClosureReport struct {
	Closure   calendar.Closure
	Cancelled int // children whose booking this closure took, counting earlier saves
	Notified  int // families e-mailed by this save
	Failed    int // families whose e-mail failed: saving the closure again sends them
}

// Closures lists the commune's closures from today on, in day order.
func (s *Service) Closures(ctx context.Context, now time.Time) ([]calendar.Closure, error) {
	all, err := s.Store.Closures(ctx)
	if err != nil {
		return nil, fmt.Errorf("closures: %w", err)
	}
	t := today(now)
	all = slices.DeleteFunc(all, func(c calendar.Closure) bool { return c.Day.Before(t) })
	slices.SortStableFunc(all, func(a, b calendar.Closure) int { return a.Day.Compare(b.Day) })
	return all, nil
}

// Close records a closure and applies it: the bookings of the activities it closes that day
// are cancelled, each child's day is marked unbilled, and each family concerned is e-mailed
// once, however often (or however concurrently) the closure is saved. A closure saved again
// replaces the day's closure (its reason, its activities) and applies what it adds.
func (s *Service) Close(ctx context.Context, who string, in ClosureInput, now time.Time) (ClosureReport, error) {
	sites, err := s.Sites(ctx)
	if err != nil {
		return ClosureReport{}, err
	}
	cl, err := in.check(today(now), sites)
	if err != nil {
		return ClosureReport{}, err
	}
	before := ""
	existing, err := s.Store.Closures(ctx)
	if err != nil {
		return ClosureReport{}, fmt.Errorf("closures: %w", err)
	}
	for _, old := range existing {
		if old.Day == cl.Day {
			before = DescribeClosure(old, sites)
		}
	}
	if err := s.Store.PutClosure(ctx, cl); err != nil {
		return ClosureReport{}, fmt.Errorf("closure: %w", err)
	}
	rep, err := s.apply(ctx, cl, now)
	if err != nil {
		return rep, err
	}
	after := fmt.Sprintf("%s ; %d réservation(s) annulée(s) et non facturée(s), %d famille(s) prévenue(s) par e-mail",
		DescribeClosure(cl, sites), rep.Cancelled, rep.Notified)
	if rep.Failed > 0 {
		after += fmt.Sprintf(", %d e-mail(s) en échec", rep.Failed)
	}
	return rep, s.record(ctx, who, now, "Fermeture enregistrée", fr.LongDateYear(cl.Day), before, after)
}

// closureReason is the reason of the unbilled marks a closure makes.
func closureReason(cl calendar.Closure) string { return "Fermeture – " + cl.Label }

// Reopen removes the closure of a day. What it cancelled stays cancelled: families book again
// if they wish, and the unbilled marks it made are taken back, so a day booked again is billed.
func (s *Service) Reopen(ctx context.Context, who, day string, now time.Time) error {
	d, err := date.Parse(day)
	if err != nil {
		return reservations.ErrInvalidDate
	}
	existing, err := s.Store.Closures(ctx)
	if err != nil {
		return fmt.Errorf("closures: %w", err)
	}
	i := slices.IndexFunc(existing, func(c calendar.Closure) bool { return c.Day == d })
	if i < 0 {
		return nil
	}
	if err := s.Store.DeleteClosure(ctx, d); err != nil {
		return err
	}
	unbilled, err := s.Store.UnbilledDays(ctx, d)
	if err != nil {
		return err
	}
	for _, u := range unbilled {
		if u.Day == d && u.ChildID != "" && existing[i].AppliesTo(u.Activity, u.Site) && u.Reason == closureReason(existing[i]) {
			if err := s.Store.RemoveUnbilled(ctx, u); err != nil {
				return err
			}
		}
	}
	sites, err := s.Sites(ctx)
	if err != nil {
		return err
	}
	return s.record(ctx, who, now, "Fermeture supprimée", fr.LongDateYear(d), DescribeClosure(existing[i], sites),
		"jour rouvert (les réservations annulées le restent ; elles seront facturées si elles sont reprises)")
}

// seat is a child's cancelled seat on one activity at one site.
type seat struct {
	child    string
	activity calendar.Activity
	site     string
	siteName string
}

// apply cancels, unbills and notifies for cl at every site of the activities it closes.
func (s *Service) apply(ctx context.Context, cl calendar.Closure, now time.Time) (ClosureReport, error) {
	rep := ClosureReport{Closure: cl}
	settings, err := s.Store.Activities(ctx)
	if err != nil {
		return rep, fmt.Errorf("activity settings: %w", err)
	}
	byFamily := map[string][]seat{}
	families := map[calendar.Activity]map[string]string{}
	for _, st := range settings {
		if !cl.AppliesTo(st.Activity, st.Site) {
			continue
		}
		d, err := s.Store.Day(ctx, reservations.Slot{Activity: st.Activity, Site: st.Site, Day: cl.Day})
		if err != nil {
			return rep, fmt.Errorf("day %s: %w", cl.Day, err)
		}
		children, err := s.Rules.CancelClosed(ctx, d)
		if err != nil {
			return rep, err
		}
		if len(children) == 0 {
			continue
		}
		if families[st.Activity] == nil {
			if families[st.Activity], err = s.Store.ChildFamilies(ctx, st.Activity); err != nil {
				return rep, fmt.Errorf("families: %w", err)
			}
		}
		for _, child := range children {
			if _, err := s.Store.AddUnbilled(ctx, billing.Unbilled{Day: cl.Day, Activity: st.Activity, Site: st.Site, ChildID: child,
				Reason: closureReason(cl)}); err != nil {
				return rep, err
			}
			rep.Cancelled++
			if f := families[st.Activity][child]; f != "" {
				byFamily[f] = append(byFamily[f], seat{child, st.Activity, st.Site, st.SiteName})
			}
		}
	}
	for _, f := range slices.Sorted(maps.Keys(byFamily)) {
		sent, err := s.notify(ctx, cl, f, byFamily[f], now)
		if err != nil {
			slog.ErrorContext(ctx, "closure notice failed", "day", cl.Day.String(), "error", err.Error())
			rep.Failed++
			continue
		}
		if sent {
			rep.Notified++
		}
	}
	return rep, nil
}

// notify e-mails family f the seats the closure took, for the activities whose notice this
// save claims; false when every notice was claimed already (an earlier or concurrent save).
func (s *Service) notify(ctx context.Context, cl calendar.Closure, f string, seats []seat, now time.Time) (bool, error) {
	claim := randomID()
	var claimed []Notice
	for _, a := range calendar.Activities() {
		if !slices.ContainsFunc(seats, func(x seat) bool { return x.activity == a }) {
			continue
		}
		n := Notice{Day: cl.Day, FamilyID: f, Activity: a, Claim: claim}
		ok, err := s.Store.ClaimClosureNotice(ctx, n, now, now.Add(-NoticeLease))
		if err != nil {
			s.release(ctx, claimed)
			return false, err
		}
		if ok {
			claimed = append(claimed, n)
		}
	}
	if len(claimed) == 0 {
		return false, nil
	}
	h, err := s.Store.BillingHousehold(ctx, f)
	if err != nil {
		s.release(ctx, claimed)
		return false, fmt.Errorf("family: %w", err)
	}
	names := map[string]string{}
	for _, c := range h.Children {
		names[c.ID] = c.FirstName
	}
	n := ClosureNotice{Day: cl.Day, Label: cl.Label, Link: s.link("/espace-famille/planning?mois=" + cl.Day.MonthKey())}
	for _, x := range seats {
		if slices.ContainsFunc(claimed, func(c Notice) bool { return c.Activity == x.activity }) {
			n.Lines = append(n.Lines, names[x.child]+" : "+x.activity.Label()+" ("+x.siteName+")")
		}
	}
	sent := 0
	var failed error
	for _, to := range h.Members {
		if err := s.Notifier.SendClosureNotice(ctx, to, h.Family.Name, n); err != nil {
			failed = err
			continue
		}
		sent++
	}
	if sent == 0 && failed != nil {
		s.release(ctx, claimed)
		return false, failed
	}
	for _, c := range claimed {
		if err := s.Store.ClosureNoticeSent(ctx, c, now); err != nil {
			return true, err
		}
	}
	return sent > 0, nil
}

func (s *Service) release(ctx context.Context, ns []Notice) {
	for _, n := range ns {
		if err := s.Store.ReleaseClosureNotice(ctx, n); err != nil {
			slog.ErrorContext(ctx, "release closure notice", "error", err.Error())
		}
	}
}
