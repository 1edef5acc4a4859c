package townhall_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/preau/preau/infra/dynamotest"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/staff/stafftest"
	"github.com/preau/preau/shared/store"
	"github.com/preau/preau/shared/townhall"
)

const agent = "agent@mairie.fr"

// world is the town hall's service over the DynamoDB store (emulator), with two families:
// Martin (two parents; Léa and Hugo at Jules Ferry's canteen) and Benali (one parent; Yanis at
// Louise Michel's canteen and the Wednesday centre), enrolled from 1 September 2026.
type world struct {
	st      *store.Store
	clk     *clock.Fixed
	rules   *reservations.Service
	svc     *townhall.Service
	mailbox *mailbox
	journal *stafftest.Memory
}

// december1 is Tuesday 1 December 2026, 9:00 in Paris: Monday 7 December is still open.
var december1 = time.Date(2026, 12, 1, 9, 0, 0, 0, date.Paris)

func newWorld(t *testing.T) *world {
	t.Helper()
	env := dynamotest.New(t)
	st := store.New(env.Client, store.Tables{Data: env.DataTable, Session: env.SessionTable})
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	prices := map[string]int64{"A": 120, "B": 250}
	for _, a := range []family.Activity{
		{Activity: calendar.Canteen, Site: "jules-ferry", SiteName: "École Jules Ferry", Capacity: 120, PriceCents: prices},
		{Activity: calendar.Canteen, Site: "louise-michel", SiteName: "École Louise Michel", Capacity: 120, PriceCents: prices},
		{Activity: calendar.WednesdayCentre, Site: "tilleuls", SiteName: "Les Tilleuls", Capacity: 24, PriceCents: prices},
	} {
		must(st.PutActivity(ctx, a))
	}
	from := date.New(2026, time.September, 1)
	must(st.PutFamily(ctx, family.Family{ID: "f_martin", Name: "Famille Martin", QuotientBracket: "B"}))
	must(st.PutFamily(ctx, family.Family{ID: "f_benali", Name: "Famille Benali", QuotientBracket: "A"}))
	must(st.AddMember(ctx, "f_martin", "anne@martin.fr", december1))
	must(st.AddMember(ctx, "f_martin", "paul@martin.fr", december1))
	must(st.AddMember(ctx, "f_benali", "sara@benali.fr", december1))
	for _, c := range []struct{ id, fam, name, site string }{
		{"c_lea", "f_martin", "Léa", "jules-ferry"}, {"c_hugo", "f_martin", "Hugo", "jules-ferry"}, {"c_yanis", "f_benali", "Yanis", "louise-michel"},
	} {
		must(st.PutChild(ctx, family.Child{ID: c.id, FamilyID: c.fam, FirstName: c.name, LastName: "X", School: c.site, Diet: "standard"}))
		must(st.PutEnrolment(ctx, c.fam, family.Enrolment{ChildID: c.id, Activity: calendar.Canteen, Site: c.site, From: from}))
	}
	must(st.PutEnrolment(ctx, "f_benali", family.Enrolment{ChildID: "c_yanis", Activity: calendar.WednesdayCentre, Site: "tilleuls", From: from}))
	clk := clock.NewFixed(december1)
	rules := reservations.New(st, clk, calendar.Default(), cutoff.DefaultPolicy(), reservations.Options{Holidays: st})
	mb := &mailbox{}
	journal := stafftest.NewMemory()
	svc := &townhall.Service{Store: st, Rules: rules, Journal: journal, Notifier: mb, Base: calendar.Default(), Zone: "Zone B",
		Link: func(p string) string { return "https://portail.example" + p }}
	return &world{st: st, clk: clk, rules: rules, svc: svc, mailbox: mb, journal: journal}
}

// book books a child's day as its parent would.
func (w *world) book(t *testing.T, fam, email, child string, a calendar.Activity, day date.Date) {
	t.Helper()
	res, err := w.rules.Book(context.Background(), reservations.Actor{FamilyID: fam, Email: email, Channel: reservations.ChannelWeb}, child, day, a)
	if err != nil || !res.Changed {
		t.Fatalf("book %s %s: %v %+v", child, day, err, res)
	}
}

// mailbox counts the closure notices each address received.
type mailbox struct {
	mu   sync.Mutex
	got  map[string][]townhall.ClosureNotice
	fail bool
}

func (m *mailbox) SendClosureNotice(_ context.Context, to, _ string, n townhall.ClosureNotice) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail {
		return errSend
	}
	if m.got == nil {
		m.got = map[string][]townhall.ClosureNotice{}
	}
	m.got[to] = append(m.got[to], n)
	return nil
}

func (m *mailbox) count(to string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.got[to])
}

type sendError struct{}

func (sendError) Error() string { return "send failed" }

var errSend = sendError{}
