package townhall

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/fr"
	"github.com/preau/preau/shared/reservations"
)

// ErrNoActivity: no settings for this activity at this site (404).
var ErrNoActivity = fault.New(fault.NotFound, "activity-not-found", "Activité introuvable",
	"Cette activité n'est pas organisée sur ce site.")

// maxCapacity bounds a site's places a day (a sanity bound on what staff type).
const maxCapacity = 10000

// maxPriceCents bounds a day's price (1 000 €), another sanity bound.
const maxPriceCents = 100000

// Activities returns every activity's settings, in activity then site name order.
func (s *Service) Activities(ctx context.Context) ([]family.Activity, error) {
	acts, err := s.Store.Activities(ctx)
	if err != nil {
		return nil, fmt.Errorf("activity settings: %w", err)
	}
	rank := map[calendar.Activity]int{}
	for i, a := range calendar.Activities() {
		rank[a] = i
	}
	slices.SortStableFunc(acts, func(x, y family.Activity) int {
		if c := rank[x.Activity] - rank[y.Activity]; c != 0 {
			return c
		}
		return strings.Compare(x.SiteName, y.SiteName)
	})
	return acts, nil
}

// Activity returns the settings of activity a at site.
func (s *Service) Activity(ctx context.Context, a, site string) (family.Activity, error) {
	acts, err := s.Store.Activities(ctx)
	if err != nil {
		return family.Activity{}, fmt.Errorf("activity settings: %w", err)
	}
	for _, act := range acts {
		if string(act.Activity) == a && act.Site == site {
			return act, nil
		}
	}
	return family.Activity{}, ErrNoActivity
}

// ActivityInput is what an activity's settings form sends: text as typed.
type ActivityInput struct {
	Capacity    string            // places a day, "0" or "" for no limit
	CutoffDays  string            // "" for the commune's
	CutoffHour  string            // "" for the commune's
	Prices      map[string]string // bracket → "2,50"
	NonResident string            // "" for the highest bracket's price
}

// InputOf is the form of an activity's current settings.
func InputOf(a family.Activity) ActivityInput {
	in := ActivityInput{Capacity: strconv.Itoa(a.Capacity), Prices: map[string]string{}}
	if a.CutoffDays != nil {
		in.CutoffDays = strconv.Itoa(*a.CutoffDays)
	}
	if a.CutoffHour != nil {
		in.CutoffHour = strconv.Itoa(*a.CutoffHour)
	}
	for b, c := range a.PriceCents {
		in.Prices[b] = euros(c)
	}
	if a.NonResidentPriceCents > 0 {
		in.NonResident = euros(a.NonResidentPriceCents)
	}
	return in
}

// euros writes cents as the form shows them: "2,50".
func euros(cents int64) string { return fmt.Sprintf("%d,%02d", cents/100, cents%100) }

// parseEuros reads "2,50", "2.5", "2" or "2,50 €" as cents.
func parseEuros(s string) (int64, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "€"))
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\u00a0", ""), " ", "")
	units, frac, _ := strings.Cut(strings.ReplaceAll(s, ",", "."), ".")
	if units == "" || len(frac) > 2 {
		return 0, errors.New("not an amount")
	}
	u, err := strconv.ParseUint(units, 10, 32)
	if err != nil {
		return 0, err
	}
	var f uint64
	if frac != "" {
		if f, err = strconv.ParseUint(frac, 10, 8); err != nil {
			return 0, err
		}
		if len(frac) == 1 {
			f *= 10
		}
	}
	return int64(u*100 + f), nil
}

// check applies in to the settings cur, or says which fields are wrong.
func (in ActivityInput) check(cur family.Activity) (family.Activity, error) {
	var f fault.Fields
	next := cur
	next.PriceCents = map[string]int64{}
	if c := strings.TrimSpace(in.Capacity); c == "" {
		next.Capacity = 0
	} else if n, err := strconv.Atoi(c); err != nil || n < 0 || n > maxCapacity {
		f.Add("capacity", fmt.Sprintf("Saisissez un nombre de places entre 0 (sans limite) et %d.", maxCapacity))
	} else {
		next.Capacity = n
	}
	next.CutoffDays, next.CutoffHour = nil, nil
	if d := strings.TrimSpace(in.CutoffDays); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 || n > cutoff.MaxWorkingDaysBefore {
			f.Add("cutoffDays", fmt.Sprintf("Saisissez un nombre de jours ouvrés entre 0 et %d, ou laissez vide pour la règle de la commune.", cutoff.MaxWorkingDaysBefore))
		} else {
			next.CutoffDays = &n
		}
	}
	if h := strings.TrimSpace(in.CutoffHour); h != "" {
		n, err := strconv.Atoi(strings.TrimSuffix(strings.ToLower(h), "h"))
		if err != nil || n < 0 || n > 23 {
			f.Add("cutoffHour", "Saisissez une heure entre 0 et 23, ou laissez vide pour la règle de la commune.")
		} else {
			next.CutoffHour = &n
		}
	}
	for _, b := range slices.Sorted(maps.Keys(cur.PriceCents)) {
		c, err := parseEuros(in.Prices[b])
		if err != nil || c > maxPriceCents {
			f.Add("price-"+b, "Saisissez le prix d'une journée en tranche "+b+" en euros, par exemple 2,50.")
			continue
		}
		next.PriceCents[b] = c
	}
	next.NonResidentPriceCents = 0
	if nr := strings.TrimSpace(in.NonResident); nr != "" {
		c, err := parseEuros(nr)
		if err != nil || c > maxPriceCents {
			f.Add("nonResident", "Saisissez le tarif hors commune en euros, ou laissez vide pour le tarif de la tranche la plus haute.")
		} else {
			next.NonResidentPriceCents = c
		}
	}
	if err := f.Err(); err != nil {
		return family.Activity{}, err
	}
	return next, nil
}

// PolicyOf is the cutoff the rules apply to settings a: the commune's, with a's overrides.
func (s *Service) PolicyOf(a family.Activity) cutoff.Policy {
	return reservations.PolicyFor(s.Policy, a)
}

// DescribeActivity is an activity's settings as the journal and the pages read them.
func (s *Service) DescribeActivity(a family.Activity) string {
	places := "sans limite de places"
	if a.Capacity > 0 {
		places = strconv.Itoa(a.Capacity) + " places par jour"
	}
	limit := "règle de la commune (" + fr.Cutoff(s.Policy) + ")"
	if a.CutoffDays != nil || a.CutoffHour != nil {
		limit = fr.Cutoff(s.PolicyOf(a))
	}
	var prices []string
	for _, b := range slices.Sorted(maps.Keys(a.PriceCents)) {
		prices = append(prices, b+" "+fr.Euros(a.PriceCents[b]))
	}
	nr := "tarif de la tranche la plus haute"
	if a.NonResidentPriceCents > 0 {
		nr = fr.Euros(a.NonResidentPriceCents)
	}
	return places + " ; date limite : " + limit + " ; tarifs : " + strings.Join(prices, ", ") + " ; hors commune : " + nr
}

// UpdateActivity changes an activity's settings at a site: what the reservation rules (capacity,
// cutoff) and the invoice run (prices) read next, without a new release.
func (s *Service) UpdateActivity(ctx context.Context, who, a, site string, in ActivityInput, now time.Time) error {
	cur, err := s.Activity(ctx, a, site)
	if err != nil {
		return err
	}
	next, err := in.check(cur)
	if err != nil {
		return err
	}
	before, after := s.DescribeActivity(cur), s.DescribeActivity(next)
	if before == after {
		return nil
	}
	if err := s.Store.PutActivity(ctx, next); err != nil {
		return fmt.Errorf("activity settings: %w", err)
	}
	return s.record(ctx, who, now, "Activité modifiée", cur.Activity.Label()+" — "+cur.SiteName, before, after)
}
