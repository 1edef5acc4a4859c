package townhall_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/townhall"
)

func ministryFile(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile("../calendar/testdata/fr-en-calendrier-scolaire.csv")
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func rowsOf(ps []calendar.Period) []townhall.PeriodInput {
	var rows []townhall.PeriodInput
	for _, p := range ps {
		rows = append(rows, townhall.PeriodInput{Name: p.Name, First: p.First.String(), Last: p.Last.String()})
	}
	return rows
}

// TestLoadingTheNextSchoolYearOpensItsDays: the shipped calendar stops on 31 August 2027, so a
// canteen day of September 2027 is refused as calendar-unknown; once staff load 2027-2028 from
// the ministry's file, the same booking is accepted, without a new release.
func TestLoadingTheNextSchoolYearOpensItsDays(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	parent := reservations.Actor{FamilyID: "f_martin", Email: "anne@martin.fr", Channel: reservations.ChannelWeb}
	september6 := date.New(2027, time.September, 6)
	_, err := w.rules.Book(ctx, parent, "c_lea", september6, calendar.Canteen)
	if fe, ok := fault.As(err); !ok || fe.Type != "closed" || fe.Ext["reason"] != string(calendar.ReasonCalendarUnknown) {
		t.Fatalf("before loading: %v", err)
	}

	p, err := w.svc.PreviewFile(ctx, 2027, ministryFile(t), w.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if p.Known || p.Version != "" || p.SchoolDays[0] != 0 || p.SchoolDays[1] < 130 || len(p.Periods) != 7 {
		t.Fatalf("preview %+v", p)
	}
	for _, c := range p.Changes {
		if c.Change != "ajoutée" || c.Before != "" {
			t.Errorf("change %+v", c)
		}
	}
	if p.Changes[1].Name != "Vacances de la Toussaint" || p.Changes[1].After != "du samedi 23 octobre 2027 au dimanche 7 novembre 2027" {
		t.Errorf("Toussaint %+v", p.Changes[1])
	}
	// The preview stored nothing.
	if _, err := w.rules.Book(ctx, parent, "c_lea", september6, calendar.Canteen); err == nil {
		t.Fatal("a preview opened the year")
	}
	if err := w.svc.ConfirmSchoolYear(ctx, agent, 2027, rowsOf(p.Periods), p.Source, p.Version, w.clk.Now()); err != nil {
		t.Fatal(err)
	}
	res, err := w.rules.Book(ctx, parent, "c_lea", september6, calendar.Canteen)
	if err != nil || !res.Changed {
		t.Fatalf("after loading: %v %+v", err, res)
	}
	// Its holidays close the school services: Monday 25 October 2027 is in the Toussaint.
	_, err = w.rules.Book(ctx, parent, "c_lea", date.New(2027, time.October, 25), calendar.Canteen)
	if fe, ok := fault.As(err); !ok || fe.Ext["reason"] != string(calendar.ReasonSchoolHoliday) {
		t.Fatalf("Toussaint 2027: %v", err)
	}
	entries, _ := w.journal.Entries(ctx, "2026-12")
	if len(entries) != 1 || entries[0].Action != "Vacances scolaires chargées" || entries[0].Before != "calendrier inconnu" ||
		!strings.Contains(entries[0].After, "Vacances de la Toussaint 2027-10-23 → 2027-11-07") {
		t.Fatalf("journal %+v", entries)
	}

	// A second load is compared with the first, and must come from the version it previewed.
	rows := rowsOf(p.Periods)
	rows[1].Last = "2027-11-05"
	again, err := w.svc.PreviewManual(ctx, 2027, rows, w.clk.Now())
	if err != nil || !again.Known || again.Version == "" || again.Changes[1].Change != "modifiée" || again.Changes[0].Change != "inchangée" {
		t.Fatalf("second preview %+v %v", again, err)
	}
	if err := w.svc.ConfirmSchoolYear(ctx, agent, 2027, rows, again.Source, "", w.clk.Now()); !errors.Is(err, townhall.ErrStaleYear) {
		t.Fatalf("confirm from a stale preview: %v", err)
	}
	if err := w.svc.ConfirmSchoolYear(ctx, agent, 2027, rows, again.Source, again.Version, w.clk.Now()); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.ConfirmSchoolYear(ctx, agent, 2027, rows, again.Source, again.Version, w.clk.Now()); !errors.Is(err, townhall.ErrStaleYear) {
		t.Fatalf("the same preview confirmed twice: %v", err)
	}
}

func TestSchoolYearFormsAreChecked(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	now := w.clk.Now()
	_, err := w.svc.PreviewFile(ctx, 2027, []byte("Description;Zones\n"), now)
	if fe, ok := fault.As(err); !ok || fe.Kind != fault.Invalid || !strings.Contains(fe.Detail, "ligne 1 : colonne(s) manquante(s)") {
		t.Errorf("broken file: %v", err)
	}
	for name, rows := range map[string][]townhall.PeriodInput{
		"nothing":    {{}},
		"no name":    {{First: "2027-10-23", Last: "2027-11-07"}},
		"reversed":   {{Name: "Toussaint", First: "2027-11-07", Last: "2027-10-23"}},
		"other year": {{Name: "Toussaint", First: "2026-10-23", Last: "2026-11-07"}},
		"overlap":    {{Name: "A", First: "2027-10-23", Last: "2027-11-07"}, {Name: "B", First: "2027-11-01", Last: "2027-11-10"}},
		"not a date": {{Name: "Toussaint", First: "23/10/2027", Last: "2027-11-07"}},
	} {
		if _, err := w.svc.PreviewManual(ctx, 2027, rows, now); !isInvalid(err) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := w.svc.PreviewManual(ctx, 2031, []townhall.PeriodInput{{Name: "T", First: "2031-10-23", Last: "2031-11-07"}}, now); !isInvalid(err) {
		t.Errorf("a year too far: %v", err)
	}
}

func isInvalid(err error) bool {
	fe, ok := fault.As(err)
	return ok && fe.Kind == fault.Invalid
}
