package calendar_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
)

// fixture is an export of fr-en-calendrier-scolaire as data.education.gouv.fr gives it: ";",
// instants in UTC, one line per académie and population, several zones and years.
func fixture(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/fr-en-calendrier-scolaire.csv")
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestParseOpenDataKeepsTheZoneAndYear(t *testing.T) {
	d := date.MustParse
	cases := []struct {
		zone string
		want []calendar.Period
	}{
		{"Zone B", []calendar.Period{
			{First: d("2027-09-01"), Last: d("2027-09-01"), Name: "Vacances d'été (fin)"},
			{First: d("2027-10-23"), Last: d("2027-11-07"), Name: "Vacances de la Toussaint"},
			{First: d("2027-12-18"), Last: d("2028-01-02"), Name: "Vacances de Noël"},
			{First: d("2028-02-19"), Last: d("2028-03-05"), Name: "Vacances d'hiver"},
			{First: d("2028-04-15"), Last: d("2028-05-01"), Name: "Vacances de printemps"},
			{First: d("2028-05-25"), Last: d("2028-05-28"), Name: "Pont de l'Ascension"},
			{First: d("2028-07-08"), Last: d("2028-08-31"), Name: "Vacances d'été"},
		}},
		{"zone a", []calendar.Period{
			{First: d("2027-10-23"), Last: d("2027-11-07"), Name: "Vacances de la Toussaint"},
			{First: d("2027-12-18"), Last: d("2028-01-02"), Name: "Vacances de Noël"},
			{First: d("2028-02-12"), Last: d("2028-02-27"), Name: "Vacances d'hiver"},
			{First: d("2028-04-08"), Last: d("2028-04-23"), Name: "Vacances de printemps"},
			{First: d("2028-05-25"), Last: d("2028-05-28"), Name: "Pont de l'Ascension"},
			{First: d("2028-07-08"), Last: d("2028-08-31"), Name: "Vacances d'été"},
		}},
	}
	for _, c := range cases {
		t.Run(c.zone, func(t *testing.T) {
			got, err := calendar.ParseOpenData(fixture(t), c.zone, 2027)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %d periods, want %d: %+v", len(got), len(c.want), got)
			}
			for i := range got {
				w := c.want[i]
				w.Verified = true
				if got[i] != w {
					t.Errorf("period %d: got %+v, want %+v", i, got[i], w)
				}
			}
		})
	}
}

// TestParseOpenDataMatchesTheShippedYear: the 2026-2027 lines of the file give the shipped
// zone B calendar of that year (but its summer, cut at 31 August either way).
func TestParseOpenDataMatchesTheShippedYear(t *testing.T) {
	got, err := calendar.ParseOpenData(fixture(t), "Zone B", 2026)
	if err != nil {
		t.Fatal(err)
	}
	var shipped []calendar.Period
	for _, p := range calendar.ZoneB() {
		if calendar.SchoolYear(p.First) == 2026 {
			shipped = append(shipped, p)
		}
	}
	if len(got) != len(shipped) {
		t.Fatalf("got %+v\nshipped %+v", got, shipped)
	}
	for i := range got {
		if got[i].First != shipped[i].First || got[i].Last != shipped[i].Last {
			t.Errorf("%s: got %s..%s, shipped %s..%s", got[i].Name, got[i].First, got[i].Last, shipped[i].First, shipped[i].Last)
		}
	}
}

func TestParseOpenDataReadsPlainDates(t *testing.T) {
	raw := "\ufeffdescription;population;start_date;end_date;location;zones;annee_scolaire\n" +
		"Vacances de Noël;-;2027-12-18;2028-01-03;Amiens;Zone B;2027-2028\n"
	got, err := calendar.ParseOpenData([]byte(raw), "Zone B", 2027)
	if err != nil || len(got) != 1 || got[0].First != date.New(2027, time.December, 18) || got[0].Last != date.New(2028, time.January, 2) {
		t.Fatalf("%+v %v", got, err)
	}
}

func TestParseOpenDataRefusesBrokenFiles(t *testing.T) {
	head := "Description;Population;Date de début;Date de fin;Académies;Zones;annee_scolaire\n"
	good := "Vacances de Noël;-;2027-12-17T23:00:00+00:00;2028-01-02T23:00:00+00:00;Amiens;Zone B;2027-2028\n"
	cases := []struct {
		name, raw string
		line      int
		says      string
	}{
		{"empty", "", 0, "vide"},
		{"not the ministry's file", "first_day_off,last_day_off,name,verified\n2027-10-23,2027-11-07,Toussaint,true\n", 1, "colonne(s) manquante(s)"},
		{"a column missing", "Description;Date de début;Date de fin;Zones\n", 1, "annee_scolaire"},
		{"short line", head + good + "Vacances d'Hiver;-;2028-02-18T23:00:00+00:00;Amiens;Zone B;2027-2028\n", 3, "6 colonnes au lieu des 7"},
		{"bad date", head + "Vacances d'Hiver;-;18/02/2028;2028-03-05T23:00:00+00:00;Amiens;Zone B;2027-2028\n", 2, "date de début « 18/02/2028 »"},
		{"no end", head + "Vacances d'Hiver;-;2028-02-18T23:00:00+00:00;;Amiens;Zone B;2027-2028\n", 2, "date de fin"},
		{"reversed", head + "Vacances d'Hiver;-;2028-03-05T23:00:00+00:00;2028-02-18T23:00:00+00:00;Amiens;Zone B;2027-2028\n", 2, "finit avant"},
		{"bad year", head + "Vacances d'Hiver;-;2028-02-18T23:00:00+00:00;2028-03-05T23:00:00+00:00;Amiens;Zone B;2027\n", 2, "année scolaire « 2027 »"},
		{"open quote", head + "\"Vacances d'Hiver;-;2028-02-18;2028-03-05;Amiens;Zone B;2027-2028\n", 2, "guillemets"},
		{"other zones only", head + "Vacances de Noël;-;2027-12-17T23:00:00+00:00;2028-01-02T23:00:00+00:00;Paris;Zone C;2027-2028\n", 0, "aucune période de la « Zone B » pour l'année scolaire 2027-2028"},
		{"other year only", head + "Vacances de Noël;-;2028-12-16T23:00:00+00:00;2029-01-01T23:00:00+00:00;Amiens;Zone B;2028-2029\n", 0, "aucune période"},
		{"windows-1252", head + "Vacances de No\xebl;-;2027-12-18;2028-01-03;Amiens;Zone B;2027-2028\n", 0, "UTF-8"},
		{"académies disagree", head + good + "Vacances de Noël;-;2027-12-24T23:00:00+00:00;2028-01-02T23:00:00+00:00;Lille;Zone B;2027-2028\n", 0, "se chevauchent"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps, err := calendar.ParseOpenData([]byte(c.raw), "Zone B", 2027)
			var oe *calendar.OpenDataError
			if !errors.As(err, &oe) {
				t.Fatalf("got %+v, %v; want an OpenDataError", ps, err)
			}
			if oe.Line != c.line || !strings.Contains(oe.Detail, c.says) {
				t.Fatalf("line %d %q; want line %d saying %q", oe.Line, oe.Detail, c.line, c.says)
			}
		})
	}
}
