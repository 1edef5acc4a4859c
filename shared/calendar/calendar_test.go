package calendar

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/date"
)

var d = date.MustParse

func TestActivities(t *testing.T) {
	want := []Activity{"cantine", "periscolaire-matin", "periscolaire-soir", "mercredi", "vacances"}
	if got := Activities(); !slices.Equal(got, want) {
		t.Fatalf("Activities() = %v, want %v", got, want)
	}
	labels := map[Activity]string{
		Canteen:         "Restauration scolaire",
		MorningCare:     "Accueil périscolaire du matin",
		EveningCare:     "Accueil périscolaire du soir",
		WednesdayCentre: "Accueil de loisirs du mercredi",
		HolidayCentre:   "Accueil de loisirs des vacances",
	}
	for _, a := range Activities() {
		t.Run(string(a), func(t *testing.T) {
			got, err := ParseActivity(string(a))
			if err != nil || got != a {
				t.Fatalf("ParseActivity(%q) = %q, %v", a, got, err)
			}
			if a.Label() != labels[a] {
				t.Errorf("Label() = %q, want %q", a.Label(), labels[a])
			}
		})
	}
}

func TestParseActivityRejects(t *testing.T) {
	for _, s := range []string{"", "Cantine", "canteen", "cantine ", "periscolaire"} {
		t.Run(s, func(t *testing.T) {
			a, err := ParseActivity(s)
			if !errors.Is(err, ErrUnknownActivity) || a != "" {
				t.Fatalf("ParseActivity(%q) = %q, %v; want ErrUnknownActivity", s, a, err)
			}
		})
	}
}

func TestEaster(t *testing.T) {
	tests := map[int]string{
		1818: "1818-03-22", // earliest possible
		1943: "1943-04-25", // latest possible
		2000: "2000-04-23",
		2019: "2019-04-21",
		2024: "2024-03-31",
		2025: "2025-04-20",
		2026: "2026-04-05",
		2027: "2027-03-28",
		2028: "2028-04-16",
		2038: "2038-04-25",
		2285: "2285-03-22",
	}
	for year, want := range tests {
		t.Run(want, func(t *testing.T) {
			got := Easter(year)
			if got != d(want) {
				t.Fatalf("Easter(%d) = %s, want %s", year, got, want)
			}
			if got.Weekday() != time.Sunday {
				t.Fatalf("Easter(%d) is a %s", year, got.Weekday())
			}
		})
	}
}

func TestPublicHoliday(t *testing.T) {
	tests := []struct{ day, name string }{
		{"2026-01-01", "Jour de l'an"},
		{"2026-04-06", "Lundi de Pâques"},
		{"2026-05-01", "Fête du Travail"},
		{"2026-05-08", "Victoire 1945"},
		{"2026-05-14", "Ascension"},
		{"2026-05-25", "Lundi de Pentecôte"},
		{"2026-07-14", "Fête nationale"},
		{"2026-08-15", "Assomption"},
		{"2026-11-01", "Toussaint"},
		{"2026-11-11", "Armistice 1918"},
		{"2026-12-25", "Noël"},
		{"2027-03-29", "Lundi de Pâques"},
		{"2027-05-06", "Ascension"},
		{"2027-05-17", "Lundi de Pentecôte"},
		{"2028-04-17", "Lundi de Pâques"},
		{"2028-05-25", "Ascension"},
		{"2028-06-05", "Lundi de Pentecôte"},
		// Not holidays: Easter Sunday, Good Friday (Alsace-Moselle only), St Stephen, the bridges.
		{"2026-04-05", ""},
		{"2026-04-03", ""},
		{"2026-12-26", ""},
		{"2026-05-15", ""},
		{"2027-05-07", ""},
		{"2026-12-24", ""},
	}
	for _, tt := range tests {
		t.Run(tt.day, func(t *testing.T) {
			name, ok := PublicHoliday(d(tt.day))
			if name != tt.name || ok != (tt.name != "") {
				t.Fatalf("PublicHoliday(%s) = %q, %v; want %q", tt.day, name, ok, tt.name)
			}
		})
	}
}

func TestElevenPublicHolidaysEveryYear(t *testing.T) {
	for year := 1900; year <= 2200; year++ {
		days := PublicHolidays(year)
		ascension := Easter(year).AddDays(39)
		coincide := ascension == date.New(year, time.May, 1) || ascension == date.New(year, time.May, 8)
		if len(days) != 11 && !(coincide && len(days) == 10) {
			t.Fatalf("%d has %d public holidays: %v", year, len(days), days)
		}
		if days[0] != date.New(year, time.January, 1) || days[len(days)-1] != date.New(year, time.December, 25) {
			t.Fatalf("%d: first %s last %s", year, days[0], days[len(days)-1])
		}
	}
}

func TestIsWorkingDay(t *testing.T) {
	c := Default().WithClosures([]Closure{
		{Day: d("2026-12-11"), Label: "Fermeture de la mairie"},
		{Day: d("2026-12-10"), Label: "Journée pédagogique", Activities: []Activity{Canteen, MorningCare, EveningCare}},
		{Day: d("2026-12-09"), Label: "Tout fermé", Activities: Activities()},
	})
	tests := []struct {
		day  string
		want bool
	}{
		{"2026-12-07", true},  // Monday
		{"2026-12-12", false}, // Saturday
		{"2026-12-13", false}, // Sunday
		{"2026-12-25", false}, // Christmas, a Friday
		{"2026-12-21", true},  // Christmas school holidays are working days
		{"2026-12-11", false}, // whole-commune closure
		{"2026-12-10", true},  // closure of some activities only
		{"2026-12-09", false}, // closure naming every activity
		{"2027-05-06", false}, // Ascension
		{"2027-05-07", true},  // Ascension bridge: no school, but a working day
		{"2031-06-09", true},  // beyond the school data: working days need none
		{"2031-06-02", false}, // Whit Monday 2031
	}
	for _, tt := range tests {
		t.Run(tt.day, func(t *testing.T) {
			if got := c.IsWorkingDay(d(tt.day)); got != tt.want {
				t.Fatalf("IsWorkingDay(%s) = %v, want %v", tt.day, got, tt.want)
			}
		})
	}
}

func TestOpen(t *testing.T) {
	c := Default().WithClosures([]Closure{
		{Day: d("2026-12-11"), Label: "Fermeture de la mairie"},
		{Day: d("2026-12-09"), Label: "Sortie annulée", Activities: []Activity{WednesdayCentre}},
		{Day: d("2026-12-10"), Label: "Grève", Activities: []Activity{Canteen}},
	})
	tests := []struct {
		a      Activity
		day    string
		open   bool
		reason Reason
	}{
		{Canteen, "2026-12-07", true, ""},                     // Monday of a school week
		{MorningCare, "2026-12-08", true, ""},                 // Tuesday
		{EveningCare, "2026-12-10", true, ""},                 // Thursday: the strike closes the canteen only
		{Canteen, "2026-12-10", false, ReasonClosure},         // ... which is closed
		{Canteen, "2026-12-09", false, ReasonWednesday},       // Wednesday
		{EveningCare, "2026-12-09", false, ReasonWednesday},   //
		{WednesdayCentre, "2026-12-02", true, ""},             // Wednesday of a school period
		{WednesdayCentre, "2026-12-09", false, ReasonClosure}, // closure of that activity
		{WednesdayCentre, "2026-12-03", false, ReasonNotWednesday},
		{WednesdayCentre, "2026-12-23", false, ReasonSchoolHoliday}, // Wednesday of the Christmas holidays
		{HolidayCentre, "2026-12-23", true, ""},                     // ... when the holiday centre runs
		{HolidayCentre, "2026-12-21", true, ""},                     // Monday of the holidays
		{HolidayCentre, "2026-12-25", false, ReasonPublicHoliday},   // Christmas
		{HolidayCentre, "2026-12-07", false, ReasonSchoolPeriod},    // school week
		{HolidayCentre, "2026-12-19", false, ReasonWeekend},         // Saturday of the holidays
		{Canteen, "2026-12-11", false, ReasonClosure},               // whole-commune closure
		{HolidayCentre, "2026-12-11", false, ReasonClosure},         //
		{Canteen, "2026-12-12", false, ReasonWeekend},               // Saturday
		{Canteen, "2026-12-25", false, ReasonPublicHoliday},         //
		{Canteen, "2026-10-19", false, ReasonSchoolHoliday},         // Toussaint holidays
		{Canteen, "2026-11-02", true, ""},                           // back to school
		{Canteen, "2026-11-11", false, ReasonPublicHoliday},         // Armistice, a Wednesday
		{WednesdayCentre, "2026-11-11", false, ReasonPublicHoliday}, //
		{Canteen, "2027-05-07", false, ReasonSchoolHoliday},         // Ascension bridge: no school
		{HolidayCentre, "2027-05-07", true, ""},                     // ... a weekday of a school holiday
		{Canteen, "2027-05-06", false, ReasonPublicHoliday},         // Ascension
		{Canteen, "2027-05-17", false, ReasonPublicHoliday},         // Whit Monday
		{Canteen, "2027-03-08", true, ""},                           // zone B winter holidays end 7 March 2027
		{Canteen, "2027-03-05", false, ReasonSchoolHoliday},         //
		{Canteen, "2027-07-02", true, ""},                           // last day of school 2026-2027
		{Canteen, "2027-07-05", false, ReasonSchoolHoliday},         // summer
		{HolidayCentre, "2027-08-31", true, ""},                     // last covered day
		{HolidayCentre, "2027-09-01", false, ReasonCalendarUnknown}, // 2027-2028 is not loaded
		{Canteen, "2027-09-06", false, ReasonCalendarUnknown},       //
		{Canteen, "2027-09-04", false, ReasonWeekend},               // weekends are known anyway
		{Canteen, "2027-11-11", false, ReasonPublicHoliday},         // and public holidays
		{Canteen, "2024-07-01", false, ReasonCalendarUnknown},       // before the data
		{Canteen, "2026-08-31", false, ReasonSchoolHoliday},         // pupils go back on Tuesday 1 September 2026
		{Canteen, "2026-09-01", true, ""},                           //
		{Canteen, "2025-09-01", true, ""},                           //
		{Activity("piscine"), "2026-12-07", false, ReasonUnknownActivity},
	}
	for _, tt := range tests {
		t.Run(string(tt.a)+"/"+tt.day, func(t *testing.T) {
			open, reason := c.Open(tt.a, "", d(tt.day))
			if open != tt.open || reason != tt.reason {
				t.Fatalf("Open(%s, %s) = %v, %q; want %v, %q", tt.a, tt.day, open, reason, tt.open, tt.reason)
			}
		})
	}
}

func TestExplain(t *testing.T) {
	c := Default().WithClosures([]Closure{{Day: d("2026-12-11"), Label: "Journée pédagogique"}})
	tests := []struct {
		a    Activity
		day  string
		want string
	}{
		{Canteen, "2026-12-07", ""},
		{Canteen, "2026-12-25", "jour férié (Noël)"},
		{Canteen, "2026-10-20", "vacances scolaires (Vacances de la Toussaint)"},
		{Canteen, "2027-05-07", "vacances scolaires (Pont de l'Ascension)"},
		{Canteen, "2026-12-11", "fermeture exceptionnelle (Journée pédagogique)"},
		{Canteen, "2026-12-12", "week-end"},
		{Canteen, "2026-12-09", "pas d'école le mercredi"},
		{Canteen, "2028-01-10", "calendrier scolaire pas encore connu"},
	}
	for _, tt := range tests {
		t.Run(tt.day, func(t *testing.T) {
			if got := c.Explain(tt.a, "", d(tt.day)); got != tt.want {
				t.Fatalf("Explain(%s, %s) = %q, want %q", tt.a, tt.day, got, tt.want)
			}
		})
	}
}

func TestReasonCodesAreStable(t *testing.T) {
	// These strings are in JSON answers and stored data: changing one breaks clients.
	codes := map[Reason]string{
		ReasonWeekend:         "weekend",
		ReasonPublicHoliday:   "public-holiday",
		ReasonSchoolHoliday:   "school-holiday",
		ReasonSchoolPeriod:    "school-period",
		ReasonNotWednesday:    "not-wednesday",
		ReasonWednesday:       "wednesday",
		ReasonClosure:         "closure",
		ReasonCalendarUnknown: "calendar-unknown",
		ReasonUnknownActivity: "unknown-activity",
	}
	seen := map[string]bool{}
	for r, code := range codes {
		t.Run(code, func(t *testing.T) {
			if string(r) != code {
				t.Errorf("reason %q, want %q", r, code)
			}
			fr := r.French()
			if fr == "" || fr == code || seen[fr] {
				t.Errorf("French() = %q: want a distinct French text", fr)
			}
			seen[fr] = true
		})
	}
}

func TestOpenDays(t *testing.T) {
	c := Default()
	tests := []struct {
		a           Activity
		first, last string
		want        []string
	}{
		{Canteen, "2026-12-01", "2026-12-31", []string{
			"2026-12-01", "2026-12-03", "2026-12-04", "2026-12-07", "2026-12-08", "2026-12-10",
			"2026-12-11", "2026-12-14", "2026-12-15", "2026-12-17", "2026-12-18"}},
		{WednesdayCentre, "2026-11-01", "2026-11-30", []string{"2026-11-04", "2026-11-18", "2026-11-25"}},
		{HolidayCentre, "2026-10-17", "2026-11-01", []string{
			"2026-10-19", "2026-10-20", "2026-10-21", "2026-10-22", "2026-10-23",
			"2026-10-26", "2026-10-27", "2026-10-28", "2026-10-29", "2026-10-30"}},
		{Canteen, "2026-12-19", "2027-01-03", nil},
		{Canteen, "2026-12-08", "2026-12-07", nil}, // empty range
	}
	for _, tt := range tests {
		t.Run(string(tt.a)+"/"+tt.first, func(t *testing.T) {
			var got []string
			for _, day := range c.OpenDays(tt.a, "", d(tt.first), d(tt.last)) {
				got = append(got, day.String())
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("OpenDays = %v\nwant %v", got, tt.want)
			}
		})
	}
}

// TestOpenProperties checks every day of the shipped data against invariants of the patterns.
func TestOpenProperties(t *testing.T) {
	c := Default()
	for day := range date.Range(d("2024-06-01"), d("2028-12-31")) {
		openCanteen, rc := c.Open(Canteen, "", day)
		for _, a := range []Activity{MorningCare, EveningCare} {
			if open, r := c.Open(a, "", day); open != openCanteen || r != rc {
				t.Fatalf("%s: %s (%v, %s) differs from the canteen (%v, %s)", day, a, open, r, openCanteen, rc)
			}
		}
		openWed, _ := c.Open(WednesdayCentre, "", day)
		openHol, _ := c.Open(HolidayCentre, "", day)
		if openCanteen && (openWed || openHol) {
			t.Fatalf("%s: canteen and a centre both open", day)
		}
		if openWed && openHol {
			t.Fatalf("%s: both centres open", day)
		}
		if openWed && day.Weekday() != time.Wednesday {
			t.Fatalf("%s: Wednesday centre open on a %s", day, day.Weekday())
		}
		_, holiday := c.SchoolHoliday(day)
		if (openCanteen || openWed) && holiday || openHol && !holiday {
			t.Fatalf("%s: pattern ignores school holidays", day)
		}
		if (openCanteen || openWed || openHol) && (!c.IsWorkingDay(day) || !c.Covers(day)) {
			t.Fatalf("%s: open on a non-working or uncovered day", day)
		}
		covered := !day.Before(d("2024-09-01")) && !day.After(d("2027-08-31"))
		if c.Covers(day) != covered {
			t.Fatalf("Covers(%s) = %v, want %v", day, c.Covers(day), covered)
		}
		if c.IsWorkingDay(day) && covered && !openCanteen && !openWed && !openHol {
			t.Fatalf("%s: a covered working day where nothing runs", day)
		}
	}
}

func TestShippedData(t *testing.T) {
	ps := ZoneB()
	if len(ps) == 0 {
		t.Fatal("no embedded periods")
	}
	for i, p := range ps {
		if err := p.Validate(); err != nil {
			t.Errorf("period %d: %v", i, err)
		}
		if !p.Verified {
			t.Errorf("%s %s: shipped unverified", p.Name, p.First)
		}
		// Holidays start on the day classes end (a Saturday, or the day after Ascension) and end
		// the day before classes resume (a Monday or, after Easter Monday, a Tuesday), or on
		// 31 August, the end of the school year.
		switch w := p.First.Weekday(); {
		case w == time.Saturday:
		case p.Name == "Pont de l'Ascension" && (w == time.Thursday || w == time.Friday):
		default:
			t.Errorf("%s %s starts on a %s", p.Name, p.First, w)
		}
		resume := p.Last.AddDays(1)
		if w := resume.Weekday(); w != time.Monday && w != time.Tuesday && !(resume.Month() == time.September && resume.Day() == 1) {
			t.Errorf("%s %s: classes resume on a %s", p.Name, p.First, w)
		}
	}
	// Every school year shipped has its six periods, the Ascension bridge included.
	for sy := 2024; sy <= 2026; sy++ {
		t.Run(date.New(sy, time.September, 1).String(), func(t *testing.T) {
			var names []string
			for _, p := range ps {
				if SchoolYear(p.First) == sy {
					names = append(names, p.Name)
				}
			}
			want := []string{"Vacances de la Toussaint", "Vacances de Noël", "Vacances d'hiver",
				"Vacances de printemps", "Pont de l'Ascension", "Vacances d'été"}
			if !slices.Equal(names, want) {
				t.Fatalf("school year %d: periods %v, want %v", sy, names, want)
			}
			bridge := Easter(sy + 1).AddDays(40) // the Friday after Ascension
			if p, ok := Default().SchoolHoliday(bridge); !ok || p.Name != "Pont de l'Ascension" {
				t.Fatalf("bridge %s: %v %v", bridge, p, ok)
			}
			summer := date.New(sy+1, time.August, 31)
			if p, ok := Default().SchoolHoliday(summer); !ok || p.Name != "Vacances d'été" {
				t.Fatalf("%s not in summer holidays", summer)
			}
		})
	}
}

func TestShippedDataMatchesOfficialDates(t *testing.T) {
	// Dates as the ministry writes them: classes end (a Saturday) and resume (a Monday).
	tests := []struct{ name, end, resume string }{
		{"Vacances de la Toussaint", "2025-10-18", "2025-11-03"},
		{"Vacances de Noël", "2025-12-20", "2026-01-05"},
		{"Vacances d'hiver", "2026-02-14", "2026-03-02"},
		{"Vacances de printemps", "2026-04-11", "2026-04-27"},
		{"Vacances de la Toussaint", "2026-10-17", "2026-11-02"},
		{"Vacances de Noël", "2026-12-19", "2027-01-04"},
		{"Vacances d'hiver", "2027-02-20", "2027-03-08"},
		{"Vacances de printemps", "2027-04-17", "2027-05-03"},
	}
	c := Default()
	for _, tt := range tests {
		t.Run(tt.name+" "+tt.end, func(t *testing.T) {
			p, ok := c.SchoolHoliday(d(tt.end))
			if !ok || p.Name != tt.name || p.First != d(tt.end) || p.Last != d(tt.resume).AddDays(-1) {
				t.Fatalf("SchoolHoliday(%s) = %+v, %v", tt.end, p, ok)
			}
			if _, ok := c.SchoolHoliday(d(tt.resume)); ok {
				t.Fatalf("%s, the day classes resume, is a holiday", tt.resume)
			}
		})
	}
}

func TestParseCSV(t *testing.T) {
	const head = "# a comment\nfirst_day_off,last_day_off,name,verified\n"
	good := head + "2026-10-17,2026-11-01,Vacances de la Toussaint,true\n2026-12-19,2027-01-03,Vacances de Noël,false\n"
	ps, err := ParseCSV(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	want := []Period{
		{First: d("2026-10-17"), Last: d("2026-11-01"), Name: "Vacances de la Toussaint", Verified: true},
		{First: d("2026-12-19"), Last: d("2027-01-03"), Name: "Vacances de Noël"},
	}
	if !slices.Equal(ps, want) {
		t.Fatalf("ParseCSV = %+v", ps)
	}
	bad := map[string]string{
		"empty":          "",
		"only comments":  "# nothing\n",
		"wrong header":   "first,last,name,verified\n",
		"missing column": head + "2026-10-17,2026-11-01,Toussaint\n",
		"bad date":       head + "2026-10-32,2026-11-01,Toussaint,true\n",
		"French date":    head + "17/10/2026,2026-11-01,Toussaint,true\n",
		"reversed":       head + "2026-11-01,2026-10-17,Toussaint,true\n",
		"no name":        head + "2026-10-17,2026-11-01,,true\n",
		"bad verified":   head + "2026-10-17,2026-11-01,Toussaint,oui\n",
		"overlap":        head + "2026-10-17,2026-11-01,Toussaint,true\n2026-11-01,2026-11-02,Pont,true\n",
		"out of order":   head + "2026-12-19,2027-01-03,Noël,true\n2026-10-17,2026-11-01,Toussaint,true\n",
	}
	for name, in := range bad {
		t.Run(name, func(t *testing.T) {
			if ps, err := ParseCSV(strings.NewReader(in)); err == nil {
				t.Fatalf("ParseCSV accepted %q: %+v", in, ps)
			}
		})
	}
}

func TestNewAndWithClosuresCopy(t *testing.T) {
	periods := []Period{
		{First: d("2026-12-19"), Last: d("2027-01-03"), Name: "Noël", Verified: true},
		{First: d("2026-10-17"), Last: d("2026-11-01"), Name: "Toussaint", Verified: true},
	}
	acts := []Activity{Canteen}
	c := New(periods, []Closure{{Day: d("2026-12-10"), Label: "Grève", Activities: acts}})
	periods[0].Name = "changed"
	acts[0] = HolidayCentre
	if got := c.Periods(); got[0].Name != "Toussaint" || got[1].Name != "Noël" {
		t.Fatalf("Periods() = %+v: want a sorted copy", got)
	}
	if _, ok := c.ClosureOn(Canteen, "", d("2026-12-10")); !ok {
		t.Fatal("closure lost its activities when the caller's slice changed")
	}
	c2 := c.WithClosures([]Closure{{Day: d("2026-12-11"), Label: "Pont"}})
	if len(c.Closures()) != 1 || len(c2.Closures()) != 2 {
		t.Fatalf("WithClosures changed the original: %d, %d", len(c.Closures()), len(c2.Closures()))
	}
	if c.IsWorkingDay(d("2026-12-11")) == c2.IsWorkingDay(d("2026-12-11")) {
		t.Fatal("closure on 2026-12-11 has no effect")
	}
	if !c.Covers(d("2027-08-31")) || c.Covers(d("2027-09-01")) || c.Covers(d("2026-08-31")) {
		t.Fatal("coverage is not the school year of the periods")
	}
	empty := New(nil, nil)
	if open, r := empty.Open(Canteen, "", d("2026-12-07")); open || r != ReasonCalendarUnknown {
		t.Fatalf("empty calendar: %v %s", open, r)
	}
	if !empty.IsWorkingDay(d("2026-12-07")) {
		t.Fatal("empty calendar: Monday is a working day")
	}
}

func TestSchoolYear(t *testing.T) {
	tests := map[string]int{"2026-09-01": 2026, "2026-08-31": 2025, "2027-07-03": 2026, "2026-12-31": 2026, "2027-01-01": 2026}
	for day, want := range tests {
		t.Run(day, func(t *testing.T) {
			if got := SchoolYear(d(day)); got != want {
				t.Fatalf("SchoolYear(%s) = %d, want %d", day, got, want)
			}
		})
	}
}

// TestClosureOfSomeSites: a closure naming sites closes the activity there only; the commune's
// calendar ("" site) stays open and the day stays a working day.
func TestClosureOfSomeSites(t *testing.T) {
	day := d("2026-12-07")
	c := Default().WithClosures([]Closure{{Day: day, Label: "Grève", Activities: []Activity{Canteen}, Sites: []string{"louise-michel"}}})
	tests := []struct {
		a    Activity
		site string
		open bool
	}{
		{Canteen, "louise-michel", false},
		{Canteen, "jules-ferry", true},
		{Canteen, "", true},
		{EveningCare, "louise-michel", true},
	}
	for _, tt := range tests {
		if open, r := c.Open(tt.a, tt.site, day); open != tt.open {
			t.Errorf("Open(%s, %q) = %v %s, want %v", tt.a, tt.site, open, r, tt.open)
		}
	}
	if got := c.Explain(Canteen, "louise-michel", day); got != "fermeture exceptionnelle (Grève)" && !strings.Contains(got, "Grève") {
		t.Errorf("Explain = %q", got)
	}
	if !c.IsWorkingDay(day) {
		t.Error("a closure of one site made the day a non-working day")
	}
	all := Closure{Day: day, Label: "Grève"}
	if !all.WholeCommune() || (Closure{Day: day, Sites: []string{"louise-michel"}}).WholeCommune() {
		t.Error("WholeCommune must mean every activity at every site")
	}
	if !all.AppliesTo(HolidayCentre, "") || !all.AppliesTo(HolidayCentre, "tilleuls") {
		t.Error("a closure of every site closes each site and the commune")
	}
}
