package calendar

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/preau/preau/shared/date"
)

// OpenDataError is a problem of the ministry's file at a line, said in French for the staff
// who loaded it.
type OpenDataError struct {
	Line   int // 0: the file as a whole
	Detail string
}

func (e *OpenDataError) Error() string {
	if e.Line == 0 {
		return e.Detail
	}
	return "ligne " + strconv.Itoa(e.Line) + " : " + e.Detail
}

func openDataErr(line int, format string, args ...any) error {
	return &OpenDataError{Line: line, Detail: fmt.Sprintf(format, args...)}
}

// The columns of fr-en-calendrier-scolaire this reader needs, by their normalised header
// names (accents, case, spaces and underscores aside) in the French export and the API's.
var openDataColumns = map[string][]string{
	"description": {"description"},
	"start":       {"datededebut", "startdate"},
	"end":         {"datedefin", "enddate"},
	"zones":       {"zones", "zone"},
	"year":        {"anneescolaire"},
	"population":  {"population"},
}

// ParseOpenData reads the education ministry's school calendar as its open-data portal exports
// it (data set fr-en-calendrier-scolaire: CSV separated by ";", UTF-8, one line per period,
// académie and population, with columns Description;Population;Date de début;Date de fin;
// Académies;Zones;annee_scolaire) and returns the school holidays of zone (as the file writes
// it: "Zone B") for the school year starting in year (2027 for "2027-2028").
//
// A period of the file runs from its start (the midnight after the last class) to its end (the
// morning classes resume): the days off are the start's day to the day before the end's, in
// Europe/Paris, whether the file writes dates ("2027-10-23") or instants
// ("2027-10-22T22:00:00+00:00"). Lines of other zones, of other school years and for teachers
// only (Population "Enseignants") are left aside; the académies of a zone repeat the same
// periods, which are kept once. The summer that ends the previous school year contributes its
// days from 1 September of year (before the rentrée); every period is cut at 31 August of the
// next year, which belongs to the following school year, and a summer without an end (the
// ministry's "Début des vacances d'été" of a year not fixed yet) runs to that 31 August.
// Every problem is an *OpenDataError naming its line.
func ParseOpenData(raw []byte, zone string, year int) ([]Period, error) {
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(raw) {
		return nil, openDataErr(0, "le fichier n'est pas en UTF-8 : téléchargez-le de nouveau au format CSV depuis data.education.gouv.fr.")
	}
	cr := csv.NewReader(bytes.NewReader(raw))
	cr.Comma = ';'
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, openDataErr(0, "le fichier est vide.")
	}
	if err != nil {
		return nil, openDataErr(1, "en-tête illisible (%s).", csvProblem(err))
	}
	col := map[string]int{}
	for i, h := range head {
		n := normaliseHeader(h)
		for name, aliases := range openDataColumns {
			if slices.Contains(aliases, n) {
				col[name] = i
			}
		}
	}
	var missing []string
	for _, name := range []string{"description", "start", "end", "zones", "year"} {
		if _, ok := col[name]; !ok {
			missing = append(missing, map[string]string{"description": "Description", "start": "Date de début", "end": "Date de fin",
				"zones": "Zones", "year": "annee_scolaire"}[name])
		}
	}
	if len(missing) > 0 {
		return nil, openDataErr(1, "colonne(s) manquante(s) : %s. Le fichier attendu est l'export CSV (séparateur « ; ») du jeu de données fr-en-calendrier-scolaire.",
			strings.Join(missing, ", "))
	}
	want, previous := schoolYearLabel(year), schoolYearLabel(year-1)
	first, last := date.New(year, time.September, 1), date.New(year+1, time.August, 31)
	var out []Period
	found := false
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			return nil, openDataErr(line, "ligne illisible (%s).", csvProblem(err))
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(head) {
			return nil, openDataErr(line, "%d colonnes au lieu des %d de l'en-tête.", len(rec), len(head))
		}
		field := func(name string) string { return strings.TrimSpace(rec[col[name]]) }
		if !strings.EqualFold(field("zones"), zone) {
			continue
		}
		if i, ok := col["population"]; ok && strings.EqualFold(strings.TrimSpace(rec[i]), "Enseignants") {
			continue
		}
		sy := field("year")
		if !validYearLabel(sy) {
			return nil, openDataErr(line, "année scolaire « %s » illisible (attendu : 2027-2028).", clipText(sy))
		}
		if sy != want && sy != previous {
			continue
		}
		name := periodName(field("description"))
		if name == "" {
			return nil, openDataErr(line, "la description de la période est vide.")
		}
		start, err := openDataDay(field("start"))
		if err != nil {
			return nil, openDataErr(line, "date de début « %s » illisible.", clipText(field("start")))
		}
		end := last.AddDays(1) // a summer whose end is not fixed yet
		if e := field("end"); e != "" {
			if end, err = openDataDay(e); err != nil {
				return nil, openDataErr(line, "date de fin « %s » illisible.", clipText(e))
			}
		} else if !isSummer(name) {
			return nil, openDataErr(line, "la date de fin de « %s » manque.", name)
		}
		if !end.After(start) {
			return nil, openDataErr(line, "« %s » finit avant de commencer.", name)
		}
		p := Period{First: start, Last: end.AddDays(-1), Name: name, Verified: true}
		if sy == previous {
			if p.Last.Before(first) {
				continue // the previous year's periods, but the tail of its summer
			}
			p.Name = name + " (fin)"
		} else {
			found = true
		}
		if p.First.Before(first) {
			p.First = first
		}
		if p.Last.After(last) {
			p.Last = last
		}
		if p.Last.Before(p.First) {
			continue
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	if !found {
		return nil, openDataErr(0, "le fichier n'a aucune période de la « %s » pour l'année scolaire %s.", zone, want)
	}
	slices.SortStableFunc(out, func(a, b Period) int { return a.First.Compare(b.First) })
	for i := 1; i < len(out); i++ {
		if !out[i].First.After(out[i-1].Last) {
			return nil, openDataErr(0, "« %s » et « %s » se chevauchent : les académies de la zone ne donnent pas les mêmes dates ; saisissez les périodes à la main.",
				out[i-1].Name, out[i].Name)
		}
	}
	return out, nil
}

// openDataDay reads a date of the file: "2027-10-23", or an instant read in Europe/Paris.
func openDataDay(s string) (date.Date, error) {
	if d, err := date.Parse(s); err == nil {
		return d, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return date.Date{}, err
	}
	return date.Of(t), nil
}

func schoolYearLabel(year int) string { return strconv.Itoa(year) + "-" + strconv.Itoa(year+1) }

func validYearLabel(s string) bool {
	a, b, ok := strings.Cut(s, "-")
	if !ok || len(a) != 4 || len(b) != 4 {
		return false
	}
	x, err1 := strconv.Atoi(a)
	y, err2 := strconv.Atoi(b)
	return err1 == nil && err2 == nil && y == x+1
}

// periodName writes the ministry's description as parents read it: "Vacances d'Hiver" becomes
// "Vacances d'hiver", "Début des Vacances d'Été" "Vacances d'été".
func periodName(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.TrimPrefix(s, "Début des ")
	s = strings.NewReplacer("Vacances d'Hiver", "Vacances d'hiver", "Vacances de Printemps", "Vacances de printemps",
		"Vacances d'Été", "Vacances d'été", "Vacances d'Eté", "Vacances d'été").Replace(s)
	return s
}

func isSummer(name string) bool { return strings.Contains(strings.ToLower(name), "été") }

func normaliseHeader(h string) string {
	h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
	h = strings.NewReplacer("é", "e", "è", "e", "ê", "e", "à", "a", "â", "a", "î", "i", "ô", "o", "û", "u", "ç", "c",
		" ", "", "_", "", "-", "", "'", "").Replace(h)
	return h
}

func csvProblem(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, csv.ErrQuote), errors.Is(pe.Err, csv.ErrBareQuote):
			return "guillemets mal fermés"
		case errors.Is(pe.Err, csv.ErrFieldCount):
			return "nombre de colonnes"
		}
	}
	return "format CSV"
}

// clipText shortens what a file holds to 30 characters for a message.
func clipText(s string) string {
	if utf8.RuneCountInString(s) <= 30 {
		return s
	}
	return string([]rune(s)[:30]) + "…"
}
