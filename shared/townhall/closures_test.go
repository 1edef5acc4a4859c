package townhall_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/townhall"
)

var monday7 = date.New(2026, time.December, 7)

// allSites are the world's sites: a closure form with all of them ticked closes every site.
var allSites = []string{"jules-ferry", "louise-michel", "tilleuls"}

// TestClosureCancelsUnbillsAndNotifiesOnce: closing a day cancels its bookings, marks each
// child's day unbilled and e-mails each parent of the families concerned once, however often
// the closure is saved.
func TestClosureCancelsUnbillsAndNotifiesOnce(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.book(t, "f_martin", "anne@martin.fr", "c_lea", calendar.Canteen, monday7)
	w.book(t, "f_martin", "paul@martin.fr", "c_hugo", calendar.Canteen, monday7)
	w.book(t, "f_benali", "sara@benali.fr", "c_yanis", calendar.Canteen, monday7)
	w.book(t, "f_benali", "sara@benali.fr", "c_yanis", calendar.WednesdayCentre, monday7.AddDays(2))

	in := townhall.ClosureInput{Day: "2026-12-07", Reason: "greve", Detail: "mouvement national", Activities: []string{"cantine"}, Sites: allSites}
	for save := range 2 {
		rep, err := w.svc.Close(ctx, agent, in, w.clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		if rep.Cancelled != 3 || rep.Failed != 0 {
			t.Fatalf("save %d: %+v", save, rep)
		}
		if want := []int{2, 0}[save]; rep.Notified != want {
			t.Fatalf("save %d notified %d families, want %d", save, rep.Notified, want)
		}
	}
	for _, to := range []string{"anne@martin.fr", "paul@martin.fr", "sara@benali.fr"} {
		if n := w.mailbox.count(to); n != 1 {
			t.Errorf("%s got %d notices, want 1", to, n)
		}
	}
	n := w.mailbox.got["anne@martin.fr"][0]
	if n.Label != "Grève : mouvement national" || len(n.Lines) != 2 || !strings.Contains(n.Lines[0]+n.Lines[1], "Léa : Restauration scolaire (École Jules Ferry)") ||
		!strings.HasPrefix(n.Link, "https://portail.example/") {
		t.Errorf("notice %+v", n)
	}
	for _, site := range []string{"jules-ferry", "louise-michel"} {
		d, err := w.st.Day(ctx, reservations.Slot{Activity: calendar.Canteen, Site: site, Day: monday7})
		if err != nil || d.Booked != 0 || len(d.Bookings) != 0 {
			t.Fatalf("%s still booked: %+v %v", site, d, err)
		}
		last := d.History[len(d.History)-1]
		if last.Channel != reservations.ChannelClosure || last.Who != reservations.TownHall {
			t.Errorf("history %+v", last)
		}
	}
	// The Wednesday centre was not closed: Yanis keeps his Wednesday.
	if d, _ := w.st.Day(ctx, reservations.Slot{Activity: calendar.WednesdayCentre, Site: "tilleuls", Day: monday7.AddDays(2)}); d.Booked != 1 {
		t.Errorf("another activity's booking was cancelled: %+v", d)
	}
	unbilled, err := w.st.UnbilledDays(ctx, monday7)
	if err != nil || len(unbilled) != 3 {
		t.Fatalf("unbilled %+v %v", unbilled, err)
	}
	for _, u := range unbilled {
		if u.ChildID == "" || u.Day != monday7 || !strings.Contains(u.Reason, "Grève") {
			t.Errorf("unbilled %+v", u)
		}
	}
	// The rules now refuse the day, and the journal has both saves.
	_, err = w.rules.Book(ctx, reservations.Actor{FamilyID: "f_martin", Email: "anne@martin.fr", Channel: reservations.ChannelWeb}, "c_lea", monday7, calendar.Canteen)
	if fe, ok := fault.As(err); !ok || fe.Type != "closed" {
		t.Fatalf("booking a closed day: %v", err)
	}
	entries, _ := w.journal.Entries(ctx, "2026-12")
	if len(entries) != 2 {
		t.Fatalf("journal %+v", entries)
	}
	again := 0
	for _, e := range entries {
		if e.Action != "Fermeture enregistrée" || e.Who != agent || !strings.Contains(e.After, "3 réservation(s) annulée(s)") {
			t.Errorf("journal entry %+v", e)
		}
		if strings.Contains(e.Before, "Grève") {
			again++
		}
	}
	if again != 1 {
		t.Errorf("the second save does not say what it replaced: %+v", entries)
	}
	// A justified absence recorded on that day is not a closure's mark: reopening keeps it.
	if _, err := w.st.AddUnbilled(ctx, billing.Unbilled{Day: monday7, Activity: calendar.WednesdayCentre, Site: "tilleuls", ChildID: "c_yanis",
		Reason: "Absence justifiée – x"}); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Reopen(ctx, agent, "2026-12-07", w.clk.Now()); err != nil {
		t.Fatal(err)
	}
	if u, _ := w.st.UnbilledDays(ctx, monday7); len(u) != 1 || u[0].ChildID != "c_yanis" {
		t.Fatalf("after reopening, unbilled %+v", u)
	}
	w.book(t, "f_martin", "anne@martin.fr", "c_lea", calendar.Canteen, monday7)
}

// TestClosureSavedConcurrentlyNotifiesOnce: saves of one closure racing each other send each
// family's e-mail once.
func TestClosureSavedConcurrentlyNotifiesOnce(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	tuesday := monday7.AddDays(1)
	w.book(t, "f_martin", "anne@martin.fr", "c_lea", calendar.Canteen, tuesday)
	w.book(t, "f_benali", "sara@benali.fr", "c_yanis", calendar.Canteen, tuesday)
	in := townhall.ClosureInput{Day: "2026-12-08", Reason: "travaux", Activities: []string{"cantine", "periscolaire-matin",
		"periscolaire-soir", "mercredi", "vacances"}, Sites: allSites}
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := w.svc.Close(ctx, agent, in, w.clk.Now())
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, to := range []string{"anne@martin.fr", "paul@martin.fr", "sara@benali.fr"} {
		if n := w.mailbox.count(to); n != 1 {
			t.Errorf("%s got %d notices, want 1", to, n)
		}
	}
	cls, _ := w.st.Closures(ctx)
	if len(cls) != 1 || !cls[0].WholeCommune() || cls[0].Label != "Travaux" {
		t.Fatalf("closures %+v", cls)
	}
}

// TestClosureNoticeFailedIsSentByTheNextSave: an e-mail that failed is not marked sent, so
// saving the closure again sends it.
func TestClosureNoticeFailedIsSentByTheNextSave(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.book(t, "f_benali", "sara@benali.fr", "c_yanis", calendar.Canteen, monday7)
	in := townhall.ClosureInput{Day: "2026-12-07", Reason: "sortie", Activities: []string{"cantine"}, Sites: allSites}
	w.mailbox.fail = true
	rep, err := w.svc.Close(ctx, agent, in, w.clk.Now())
	if err != nil || rep.Failed != 1 || rep.Notified != 0 {
		t.Fatalf("%+v %v", rep, err)
	}
	w.mailbox.fail = false
	rep, err = w.svc.Close(ctx, agent, in, w.clk.Now())
	if err != nil || rep.Notified != 1 || w.mailbox.count("sara@benali.fr") != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
}

func TestClosureFormIsChecked(t *testing.T) {
	w := newWorld(t)
	for name, in := range map[string]townhall.ClosureInput{
		"no day":        {Reason: "greve", Activities: []string{"cantine"}, Sites: allSites},
		"past day":      {Day: "2026-11-30", Reason: "greve", Activities: []string{"cantine"}, Sites: allSites},
		"no reason":     {Day: "2026-12-07", Activities: []string{"cantine"}, Sites: allSites},
		"other, no why": {Day: "2026-12-07", Reason: "autre", Activities: []string{"cantine"}, Sites: allSites},
		"no activity":   {Day: "2026-12-07", Reason: "greve", Sites: allSites},
		"bad activity":  {Day: "2026-12-07", Reason: "greve", Activities: []string{"piscine"}, Sites: allSites},
		"no site":       {Day: "2026-12-07", Reason: "greve", Activities: []string{"cantine"}},
		"bad site":      {Day: "2026-12-07", Reason: "greve", Activities: []string{"cantine"}, Sites: []string{"jules-ferry", "ailleurs"}},
	} {
		_, err := w.svc.Close(context.Background(), agent, in, w.clk.Now())
		if fe, ok := fault.As(err); !ok || fe.Kind != fault.Invalid || len(fe.Fields) == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	if cls, _ := w.st.Closures(context.Background()); len(cls) != 0 {
		t.Fatalf("a refused closure was stored: %+v", cls)
	}
}

// TestClosureOfOneSite: a strike at one school closes the activity there only: its bookings are
// cancelled, unbilled and their families told; the other schools' children keep their day and
// can still book it; the day stays a working day for the deadlines; reopening takes back that
// school's marks only.
func TestClosureOfOneSite(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.book(t, "f_martin", "anne@martin.fr", "c_lea", calendar.Canteen, monday7)
	w.book(t, "f_benali", "sara@benali.fr", "c_yanis", calendar.Canteen, monday7)

	in := townhall.ClosureInput{Day: "2026-12-07", Reason: "greve", Activities: []string{"cantine"}, Sites: []string{"louise-michel"}}
	rep, err := w.svc.Close(ctx, agent, in, w.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Cancelled != 1 || rep.Notified != 1 {
		t.Fatalf("%+v, want Yanis's booking only", rep)
	}
	if w.mailbox.count("sara@benali.fr") != 1 || w.mailbox.count("anne@martin.fr") != 0 {
		t.Fatalf("notices: %+v", w.mailbox.got)
	}
	if d, _ := w.st.Day(ctx, reservations.Slot{Activity: calendar.Canteen, Site: "jules-ferry", Day: monday7}); d.Booked != 1 {
		t.Fatalf("Léa's school was not closed, yet her booking went: %+v", d)
	}
	if d, _ := w.st.Day(ctx, reservations.Slot{Activity: calendar.Canteen, Site: "louise-michel", Day: monday7}); d.Booked != 0 {
		t.Fatalf("Yanis's school is closed, yet he is booked: %+v", d)
	}
	cls, _ := w.st.Closures(ctx)
	if len(cls) != 1 || cls[0].WholeCommune() || len(cls[0].Sites) != 1 {
		t.Fatalf("closures %+v", cls)
	}
	if got := townhall.DescribeClosure(cls[0], []townhall.Site{{Code: "louise-michel", Name: "École Louise Michel"}}); got != "Grève (Restauration scolaire) — École Louise Michel" {
		t.Errorf("described as %q", got)
	}
	if cal := calendar.Default().WithClosures(cls); !cal.IsWorkingDay(monday7) {
		t.Error("a closure of one school made the day a non-working day for every deadline")
	}
	// Hugo, at the open school, books; Yanis, at the closed one, cannot.
	if _, err := w.rules.Book(ctx, reservations.Actor{FamilyID: "f_martin", Email: "paul@martin.fr", Channel: reservations.ChannelWeb}, "c_hugo", monday7, calendar.Canteen); err != nil {
		t.Fatalf("booking at the open school: %v", err)
	}
	_, err = w.rules.Book(ctx, reservations.Actor{FamilyID: "f_benali", Email: "sara@benali.fr", Channel: reservations.ChannelWeb}, "c_yanis", monday7, calendar.Canteen)
	if fe, ok := fault.As(err); !ok || fe.Type != "closed" || !strings.Contains(fe.Detail, "Grève") {
		t.Fatalf("booking at the closed school: %v", err)
	}
	if _, err := w.st.AddUnbilled(ctx, billing.Unbilled{Day: monday7, Activity: calendar.Canteen, Site: "jules-ferry", ChildID: "c_lea",
		Reason: "Fermeture – Grève"}); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Reopen(ctx, agent, "2026-12-07", w.clk.Now()); err != nil {
		t.Fatal(err)
	}
	if u, _ := w.st.UnbilledDays(ctx, monday7); len(u) != 1 || u[0].ChildID != "c_lea" {
		t.Fatalf("reopening the school took back marks of another school: %+v", u)
	}
}
