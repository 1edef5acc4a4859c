package townhall

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/fr"
)

// maxPeriods bounds the periods of one school year (France has six; a few local bridges more).
const maxPeriods = 20

// ErrBadFile: the ministry's file could not be read; its Detail names the line (400).
var ErrBadFile = fault.New(fault.Invalid, "school-calendar-file", "Fichier du calendrier scolaire illisible",
	"Le fichier n'a pas pu être lu.")

// PeriodInput is one period as typed in the form or carried by the preview.
type PeriodInput struct {
	Name, First, Last string
}

// Preview is what loading a school year would change, shown before staff confirm it.
type Preview struct {
	Year       int
	Source     string
	Periods    []calendar.Period // what will be stored
	Changes    []PeriodChange    // every period before or after, in day order
	Version    string            // the stored version the preview replaces ("" for none)
	SchoolDays [2]int            // days of school (canteen open days) of the year, before and after
	Known      bool              // the rules had holidays for this year already
}

// PeriodChange is one line of a preview.
type PeriodChange struct {
	Name, Before, After string
	Change              string // "ajoutée", "modifiée", "retirée", "inchangée"
}

// Label is the school year as staff read it: "2027-2028".
func (p Preview) Label() string { return YearLabel(p.Year) }

// YearLabel writes the school year starting in year: "2027-2028".
func YearLabel(year int) string { return strconv.Itoa(year) + "-" + strconv.Itoa(year+1) }

// SchoolZone is the commune's school-holiday zone, as the ministry's file names it.
func (s *Service) SchoolZone() string { return s.Zone }

// Years are the school years staff may load at now: the current one and the next two.
func Years(now time.Time) []int {
	y := calendar.SchoolYear(today(now))
	return []int{y, y + 1, y + 2}
}

// YearInfo is a school year as the calendar page lists it.
type YearInfo struct {
	Year    int
	Label   string
	Periods []calendar.Period
	Loaded  *SchoolYear // nil: the data shipped with Préau (or nothing)
}

// SchoolYears lists the school years the rules know, from the current one on, with what the
// town hall loaded.
func (s *Service) SchoolYears(ctx context.Context, now time.Time) ([]YearInfo, error) {
	cal, err := s.Rules.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	loaded, err := s.Store.SchoolYears(ctx)
	if err != nil {
		return nil, fmt.Errorf("school years: %w", err)
	}
	var out []YearInfo
	for _, y := range Years(now) {
		info := YearInfo{Year: y, Label: YearLabel(y), Periods: periodsOf(cal, y)}
		for i := range loaded {
			if loaded[i].Year == y {
				info.Loaded = &loaded[i]
			}
		}
		out = append(out, info)
	}
	return out, nil
}

func periodsOf(cal *calendar.Calendar, year int) []calendar.Period {
	var out []calendar.Period
	for _, p := range cal.Periods() {
		if calendar.SchoolYear(p.First) == year {
			out = append(out, p)
		}
	}
	return out
}

func (s *Service) checkYear(year int, now time.Time) error {
	if !slices.Contains(Years(now), year) {
		var f fault.Fields
		f.Add("year", "Choisissez l'année scolaire en cours ou l'une des deux suivantes.")
		return f.Err()
	}
	return nil
}

// PreviewFile reads the ministry's open-data file (fr-en-calendrier-scolaire, CSV) for the
// commune's zone and the school year starting in year, and says what loading it changes.
func (s *Service) PreviewFile(ctx context.Context, year int, raw []byte, now time.Time) (Preview, error) {
	if err := s.checkYear(year, now); err != nil {
		return Preview{}, err
	}
	ps, err := calendar.ParseOpenData(raw, s.Zone, year)
	var oe *calendar.OpenDataError
	if errors.As(err, &oe) {
		return Preview{}, ErrBadFile.WithDetail("Le fichier n'a pas été chargé : " + oe.Error())
	}
	if err != nil {
		return Preview{}, err
	}
	return s.preview(ctx, year, ps, "fichier du ministère ("+s.Zone+")")
}

// PreviewManual checks periods typed by hand for the school year starting in year (empty lines
// are left out) and says what loading them changes.
func (s *Service) PreviewManual(ctx context.Context, year int, rows []PeriodInput, now time.Time) (Preview, error) {
	if err := s.checkYear(year, now); err != nil {
		return Preview{}, err
	}
	ps, err := PeriodsOf(year, rows)
	if err != nil {
		return Preview{}, err
	}
	return s.preview(ctx, year, ps, "saisie manuelle")
}

// PeriodsOf checks the periods of a school year: named, within 1 September of year to 31 August
// of the next, in order, without overlap; fields are named period-<i>-name/first/last.
func PeriodsOf(year int, rows []PeriodInput) ([]calendar.Period, error) {
	var f fault.Fields
	var ps []calendar.Period
	start, end := date.New(year, time.September, 1), date.New(year+1, time.August, 31)
	for i, r := range rows {
		name := strings.Join(strings.Fields(r.Name), " ")
		if name == "" && strings.TrimSpace(r.First) == "" && strings.TrimSpace(r.Last) == "" {
			continue
		}
		field := fmt.Sprintf("period-%d-", i)
		label := name
		if label == "" {
			label = "la ligne " + strconv.Itoa(i+1)
		}
		if name == "" || utf8.RuneCountInString(name) > 60 {
			f.Add(field+"name", "Nommez la période de "+label+" (60 caractères au plus).")
		}
		first, err1 := date.Parse(strings.TrimSpace(r.First))
		last, err2 := date.Parse(strings.TrimSpace(r.Last))
		switch {
		case err1 != nil:
			f.Add(field+"first", "Saisissez le premier jour sans classe de "+label+".")
		case err2 != nil:
			f.Add(field+"last", "Saisissez le dernier jour sans classe de "+label+".")
		case last.Before(first):
			f.Add(field+"last", "Le dernier jour de "+label+" précède le premier.")
		case first.Before(start) || last.After(end):
			f.Add(field+"first", fmt.Sprintf("%s doit tenir entre le 1er septembre %d et le 31 août %d.", label, year, year+1))
		default:
			ps = append(ps, calendar.Period{First: first, Last: last, Name: name, Verified: true})
		}
	}
	if len(f) == 0 && len(ps) == 0 {
		f.Add("period-0-name", "Saisissez au moins une période de vacances.")
	}
	if len(ps) > maxPeriods {
		f.Add("period-0-name", fmt.Sprintf("%d périodes au plus.", maxPeriods))
	}
	slices.SortStableFunc(ps, func(a, b calendar.Period) int { return a.First.Compare(b.First) })
	for i := 1; i < len(ps) && len(f) == 0; i++ {
		if !ps[i].First.After(ps[i-1].Last) {
			f.Add("period-0-name", "« "+ps[i-1].Name+" » et « "+ps[i].Name+" » se chevauchent.")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return ps, nil
}

// preview compares ps with what the rules use now for the year.
func (s *Service) preview(ctx context.Context, year int, ps []calendar.Period, source string) (Preview, error) {
	cal, err := s.Rules.Calendar(ctx)
	if err != nil {
		return Preview{}, err
	}
	loaded, err := s.Store.SchoolYears(ctx)
	if err != nil {
		return Preview{}, fmt.Errorf("school years: %w", err)
	}
	p := Preview{Year: year, Source: source, Periods: ps}
	for _, y := range loaded {
		if y.Year == year {
			p.Version = y.Version
		}
	}
	before := periodsOf(cal, year)
	p.Known = len(before) > 0
	after := cal.WithSchoolYears(ps)
	first, last := date.New(year, time.September, 1), date.New(year+1, time.August, 31)
	p.SchoolDays = [2]int{len(cal.OpenDays(calendar.Canteen, "", first, last)), len(after.OpenDays(calendar.Canteen, "", first, last))}
	p.Changes = diff(before, ps)
	return p, nil
}

func span(p calendar.Period) string {
	return "du " + fr.LongDateYear(p.First) + " au " + fr.LongDateYear(p.Last)
}

// diff lines up the periods before and after by name, in day order.
func diff(before, after []calendar.Period) []PeriodChange {
	var out []PeriodChange
	type at struct {
		day date.Date
		c   PeriodChange
	}
	var lines []at
	for _, a := range after {
		i := slices.IndexFunc(before, func(b calendar.Period) bool { return b.Name == a.Name })
		switch {
		case i < 0:
			lines = append(lines, at{a.First, PeriodChange{Name: a.Name, After: span(a), Change: "ajoutée"}})
		case before[i].First == a.First && before[i].Last == a.Last:
			lines = append(lines, at{a.First, PeriodChange{Name: a.Name, Before: span(before[i]), After: span(a), Change: "inchangée"}})
		default:
			lines = append(lines, at{a.First, PeriodChange{Name: a.Name, Before: span(before[i]), After: span(a), Change: "modifiée"}})
		}
	}
	for _, b := range before {
		if !slices.ContainsFunc(after, func(a calendar.Period) bool { return a.Name == b.Name }) {
			lines = append(lines, at{b.First, PeriodChange{Name: b.Name, Before: span(b), Change: "retirée"}})
		}
	}
	slices.SortStableFunc(lines, func(x, y at) int { return x.day.Compare(y.day) })
	for _, l := range lines {
		out = append(out, l.c)
	}
	return out
}

// ConfirmSchoolYear stores the periods of a preview for its school year, unless the year's
// stored version is no longer version (ErrStaleYear): from then on the reservation rules open
// that year's days (every function within the minute it keeps them), without a release.
func (s *Service) ConfirmSchoolYear(ctx context.Context, who string, year int, rows []PeriodInput, source, version string, now time.Time) error {
	if err := s.checkYear(year, now); err != nil {
		return err
	}
	ps, err := PeriodsOf(year, rows)
	if err != nil {
		return err
	}
	if source != "saisie manuelle" && !strings.HasPrefix(source, "fichier du ministère") {
		source = "saisie manuelle"
	}
	cal, err := s.Rules.Calendar(ctx)
	if err != nil {
		return err
	}
	before := describePeriods(periodsOf(cal, year))
	y := SchoolYear{Year: year, Periods: ps, Source: source, By: who, At: now, Version: randomID(), Previous: version}
	if err := s.Store.PutSchoolYear(ctx, y); err != nil {
		return err
	}
	return s.record(ctx, who, now, "Vacances scolaires chargées", "Année scolaire "+YearLabel(year), before,
		describePeriods(ps)+" ("+source+")")
}

func describePeriods(ps []calendar.Period) string {
	if len(ps) == 0 {
		return "calendrier inconnu"
	}
	var parts []string
	for _, p := range ps {
		parts = append(parts, p.Name+" "+p.First.String()+" → "+p.Last.String())
	}
	return strings.Join(parts, " ; ")
}
