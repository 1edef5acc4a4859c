package reservationstest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/reservations"
)

// StoreContract runs the behaviour every Store must have, on a fresh store from newStore for
// each test: shared/store runs it on the DynamoDB emulator, this package on Memory, so a test
// passing on the fake says what the real store does.
func StoreContract(t *testing.T, newStore func(t *testing.T) Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, st Store)
	}{
		{"household", contractHousehold},
		{"settings and closures", contractSettings},
		{"book and cancel", contractBookCancel},
		{"capacity", contractCapacity},
		{"changes cap", contractChangesCap},
		{"new day", contractNewDay},
		{"family month", contractFamilyMonth},
		{"feeds", contractFeeds},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, newStore(t)) })
	}
}

var contractAt = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func change(child string, a reservations.Action, at time.Time) reservations.Change {
	return reservations.Change{Who: "p@example.fr", At: at, Channel: reservations.ChannelWeb, Action: a, ChildID: child}
}

var contractSlot = reservations.Slot{Activity: calendar.Canteen, Site: "jules-ferry", Day: date.MustParse("2026-12-07")}

func contractHousehold(t *testing.T, st Store) {
	ctx := context.Background()
	if _, err := st.Household(ctx, "f_none"); err != reservations.ErrNoHousehold {
		t.Fatalf("unknown family: %v, want ErrNoHousehold", err)
	}
	from := date.MustParse("2026-09-01")
	must(t, st.PutFamily(ctx, family.Family{ID: "f_a", Name: "Famille A"}))
	for _, id := range []string{"c_b", "c_a"} {
		must(t, st.PutChild(ctx, family.Child{ID: id, FamilyID: "f_a", FirstName: id}))
	}
	must(t, st.PutEnrolment(ctx, "f_a", family.Enrolment{ChildID: "c_b", Activity: calendar.Canteen, Site: "s", From: from}))
	must(t, st.PutEnrolment(ctx, "f_a", family.Enrolment{ChildID: "c_a", Activity: calendar.WednesdayCentre, Site: "s", From: from, Until: date.MustParse("2027-07-03")}))
	for _, m := range []string{"z@example.fr", "a@example.fr"} {
		must(t, st.AddMember(ctx, "f_a", m, contractAt))
	}
	must(t, st.AddMember(ctx, "f_a", "a@example.fr", contractAt)) // idempotent
	must(t, st.RemoveMember(ctx, "f_a", "z@example.fr"))
	must(t, st.RemoveMember(ctx, "f_a", "nobody@example.fr"))
	h, err := st.Household(ctx, "f_a")
	must(t, err)
	if h.FamilyID != "f_a" || !slices.Equal(h.Members, []string{"a@example.fr"}) {
		t.Fatalf("household %+v", h)
	}
	if len(h.Children) != 2 || h.Children[0].ID != "c_a" || h.Children[1].ID != "c_b" {
		t.Fatalf("children %+v, want c_a then c_b", h.Children)
	}
	if len(h.Enrolments) != 2 || h.Enrolments[0].ChildID != "c_a" || h.Enrolments[0].Until != date.MustParse("2027-07-03") ||
		h.Enrolments[1].Activity != calendar.Canteen || h.Enrolments[1].From != from {
		t.Fatalf("enrolments %+v", h.Enrolments)
	}
}

func contractSettings(t *testing.T, st Store) {
	ctx := context.Background()
	acts, err := st.Activities(ctx)
	must(t, err)
	cls, err := st.Closures(ctx)
	must(t, err)
	if len(acts) != 0 || len(cls) != 0 {
		t.Fatalf("a new store has %d settings and %d closures", len(acts), len(cls))
	}
	one, eight := 1, 8
	must(t, st.PutActivity(ctx, family.Activity{Activity: calendar.WednesdayCentre, Site: "centre", CutoffDays: &one, CutoffHour: &eight}))
	must(t, st.PutActivity(ctx, family.Activity{Activity: calendar.Canteen, Site: "petit-prince", Capacity: 1}))
	must(t, st.PutActivity(ctx, family.Activity{Activity: calendar.Canteen, Site: "jules-ferry", Capacity: 120}))
	must(t, st.PutActivity(ctx, family.Activity{Activity: calendar.Canteen, Site: "petit-prince", Capacity: 2})) // replaces
	acts, err = st.Activities(ctx)
	must(t, err)
	if len(acts) != 3 || acts[0].Site != "jules-ferry" || acts[1].Site != "petit-prince" || acts[1].Capacity != 2 ||
		acts[2].Activity != calendar.WednesdayCentre || acts[2].CutoffDays == nil || *acts[2].CutoffDays != 1 || *acts[2].CutoffHour != 8 ||
		acts[0].CutoffDays != nil {
		t.Fatalf("settings %+v", acts)
	}
	must(t, st.PutClosure(ctx, calendar.Closure{Day: date.MustParse("2027-01-14"), Label: "Journée pédagogique"}))
	must(t, st.PutClosure(ctx, calendar.Closure{Day: date.MustParse("2026-12-10"), Label: "Formation", Activities: []calendar.Activity{calendar.Canteen}}))
	cls, err = st.Closures(ctx)
	must(t, err)
	if len(cls) != 2 || cls[0].Day != date.MustParse("2026-12-10") || !slices.Equal(cls[0].Activities, []calendar.Activity{calendar.Canteen}) ||
		cls[1].Label != "Journée pédagogique" || len(cls[1].Activities) != 0 {
		t.Fatalf("closures %+v", cls)
	}
}

func outcome(t *testing.T, got reservations.Outcome, err error, want reservations.Outcome) {
	t.Helper()
	if err != nil || got != want {
		t.Fatalf("outcome %v (%v), want %v", got, err, want)
	}
}

func contractBookCancel(t *testing.T, st Store) {
	ctx := context.Background()
	d, err := st.Day(ctx, contractSlot)
	must(t, err)
	if d.Booked != 0 || len(d.Bookings) != 0 || len(d.History) != 0 {
		t.Fatalf("a day never booked: %+v", d)
	}
	got, err := st.CancelDay(ctx, contractSlot, "c_a", change("c_a", reservations.ActionCancel, contractAt))
	outcome(t, got, err, reservations.Unchanged)
	got, err = st.BookDay(ctx, contractSlot, "c_a", 0, change("c_a", reservations.ActionBook, contractAt))
	outcome(t, got, err, reservations.Applied)
	got, err = st.BookDay(ctx, contractSlot, "c_a", 0, change("c_a", reservations.ActionBook, contractAt.Add(time.Minute)))
	outcome(t, got, err, reservations.Unchanged)
	got, err = st.BookDay(ctx, contractSlot, "c_b", 0, change("c_b", reservations.ActionBook, contractAt.Add(2*time.Minute)))
	outcome(t, got, err, reservations.Applied)
	got, err = st.CancelDay(ctx, contractSlot, "c_a", change("c_a", reservations.ActionCancel, contractAt.Add(3*time.Minute)))
	outcome(t, got, err, reservations.Applied)
	d, err = st.Day(ctx, contractSlot)
	must(t, err)
	b, ok := d.Bookings["c_b"]
	if d.Day != contractSlot.Day || d.Booked != 1 || len(d.Bookings) != 1 || !ok || b.By != "p@example.fr" || b.Channel != reservations.ChannelWeb ||
		!b.At.Equal(contractAt.Add(2*time.Minute)) {
		t.Fatalf("day %+v", d)
	}
	want := []reservations.Action{reservations.ActionBook, reservations.ActionBook, reservations.ActionCancel}
	if len(d.History) != 3 || d.Changes["c_a"] != 2 || d.Changes["c_b"] != 1 {
		t.Fatalf("history %+v, changes %v", d.History, d.Changes)
	}
	for i, c := range d.History {
		if c.Action != want[i] || c.Who != "p@example.fr" || c.Channel != reservations.ChannelWeb {
			t.Fatalf("history[%d] = %+v, want %s (oldest first)", i, c, want[i])
		}
	}
}

func contractCapacity(t *testing.T, st Store) {
	ctx := context.Background()
	for i, c := range []struct {
		child string
		want  reservations.Outcome
	}{{"c_1", reservations.Applied}, {"c_2", reservations.Applied}, {"c_3", reservations.Full}, {"c_1", reservations.Unchanged}} {
		got, err := st.BookDay(ctx, contractSlot, c.child, 2, change(c.child, reservations.ActionBook, contractAt.Add(time.Duration(i)*time.Second)))
		outcome(t, got, err, c.want)
	}
	got, err := st.CancelDay(ctx, contractSlot, "c_1", change("c_1", reservations.ActionCancel, contractAt.Add(time.Minute)))
	outcome(t, got, err, reservations.Applied)
	got, err = st.BookDay(ctx, contractSlot, "c_3", 2, change("c_3", reservations.ActionBook, contractAt.Add(2*time.Minute)))
	outcome(t, got, err, reservations.Applied)
	d, err := st.Day(ctx, contractSlot)
	must(t, err)
	if d.Booked != 2 || len(d.Bookings) != 2 {
		t.Fatalf("day %+v", d)
	}
}

func contractChangesCap(t *testing.T, st Store) {
	ctx := context.Background()
	at := contractAt
	for i := range reservations.MaxChangesPerDay / 2 {
		at = at.Add(time.Second)
		got, err := st.BookDay(ctx, contractSlot, "c_a", 0, change("c_a", reservations.ActionBook, at))
		outcome(t, got, err, reservations.Applied)
		at = at.Add(time.Second)
		if i < reservations.MaxChangesPerDay/2-1 {
			got, err = st.CancelDay(ctx, contractSlot, "c_a", change("c_a", reservations.ActionCancel, at))
			outcome(t, got, err, reservations.Applied)
		}
	}
	// Nine changes, booked: the tenth, a cancellation, is allowed; booking again is not.
	got, err := st.CancelDay(ctx, contractSlot, "c_a", change("c_a", reservations.ActionCancel, at.Add(time.Second)))
	outcome(t, got, err, reservations.Applied)
	got, err = st.BookDay(ctx, contractSlot, "c_a", 0, change("c_a", reservations.ActionBook, at.Add(2*time.Second)))
	outcome(t, got, err, reservations.TooManyChanges)
	got, err = st.BookDay(ctx, contractSlot, "c_b", 0, change("c_b", reservations.ActionBook, at.Add(3*time.Second)))
	outcome(t, got, err, reservations.Applied)
	d, err := st.Day(ctx, contractSlot)
	must(t, err)
	if d.Changes["c_a"] != reservations.MaxChangesPerDay || d.Booked != 1 {
		t.Fatalf("changes %v, booked %d", d.Changes, d.Booked)
	}
}

func contractNewDay(t *testing.T, st Store) {
	ctx := context.Background()
	cs := []reservations.Change{change("c_1", reservations.ActionBook, contractAt), change("c_2", reservations.ActionBook, contractAt)}
	if ok, err := st.BookNewDay(ctx, contractSlot, 1, cs); err != nil || ok {
		t.Fatalf("over capacity: %v %v", ok, err)
	}
	if ok, err := st.BookNewDay(ctx, contractSlot, 0, nil); err != nil || ok {
		t.Fatalf("no change: %v %v", ok, err)
	}
	if ok, err := st.BookNewDay(ctx, contractSlot, 2, cs); err != nil || !ok {
		t.Fatalf("new day: %v %v", ok, err)
	}
	if ok, err := st.BookNewDay(ctx, contractSlot, 0, cs[:1]); err != nil || ok {
		t.Fatalf("a day stored already: %v %v", ok, err)
	}
	d, err := st.Day(ctx, contractSlot)
	must(t, err)
	if d.Booked != 2 || len(d.Bookings) != 2 || len(d.History) != 2 {
		t.Fatalf("day %+v", d)
	}
	got, err := st.BookDay(ctx, contractSlot, "c_3", 2, change("c_3", reservations.ActionBook, contractAt))
	outcome(t, got, err, reservations.Full)
	other := contractSlot
	other.Day = date.MustParse("2026-12-08")
	dup := []reservations.Change{cs[0], cs[0]}
	if ok, err := st.BookNewDay(ctx, other, 0, dup); err == nil || ok {
		t.Fatalf("a child twice in one write: %v %v", ok, err)
	}
}

func contractFamilyMonth(t *testing.T, st Store) {
	ctx := context.Background()
	next := contractSlot
	next.Day = date.MustParse("2026-12-08")
	january := contractSlot
	january.Day = date.MustParse("2027-01-05")
	elsewhere := contractSlot
	elsewhere.Site = "petit-prince"
	for i, b := range []struct {
		s     reservations.Slot
		child string
	}{{next, "c_mine"}, {contractSlot, "c_mine"}, {contractSlot, "c_other"}, {contractSlot, "c_sibling"}, {january, "c_mine"}, {elsewhere, "c_mine"}} {
		got, err := st.BookDay(ctx, b.s, b.child, 0, change(b.child, reservations.ActionBook, contractAt.Add(time.Duration(i)*time.Second)))
		outcome(t, got, err, reservations.Applied)
	}
	got, err := st.CancelDay(ctx, contractSlot, "c_sibling", change("c_sibling", reservations.ActionCancel, contractAt.Add(time.Minute)))
	outcome(t, got, err, reservations.Applied)
	days, err := st.FamilyDaysOfMonth(ctx, calendar.Canteen, "jules-ferry", date.MustParse("2026-12-15"), []string{"c_mine", "c_sibling"})
	must(t, err)
	if len(days) != 2 || days[0].Day != contractSlot.Day || days[1].Day != next.Day {
		t.Fatalf("%d days %+v, want 7 and 8 December in order", len(days), days)
	}
	d := days[0]
	if d.Activity != calendar.Canteen || d.Site != "jules-ferry" || d.Booked != 2 || len(d.Bookings) != 1 || len(d.History) != 3 {
		t.Fatalf("7 December: %+v", d)
	}
	for _, c := range d.History {
		if c.ChildID == "c_other" {
			t.Fatal("another family's change was read")
		}
	}
	if _, ok := d.Bookings["c_other"]; ok {
		t.Fatal("another family's booking was read")
	}
	for _, children := range [][]string{nil, {}} {
		if days, err := st.FamilyDaysOfMonth(ctx, calendar.Canteen, "jules-ferry", contractSlot.Day, children); err == nil || days != nil {
			t.Fatalf("a month read without children: %d days, %v", len(days), err)
		}
	}
}

func contractFeeds(t *testing.T, st Store) {
	ctx := context.Background()
	if _, ok, err := st.MemberFeed(ctx, "f_a", "a@example.fr"); err != nil || ok {
		t.Fatalf("a feed before any: %v %v", ok, err)
	}
	if _, _, err := st.MemberFeed(ctx, "f_a", ""); err == nil {
		t.Fatal("a member feed without its member")
	}
	if err := st.StartMemberFeed(ctx, "f_a", reservations.Feed{Nonce: "n", TokenHash: "h"}); err == nil {
		t.Fatal("a feed started without its member")
	}
	anne := reservations.FeedHolder{FamilyID: "f_a", Email: "a@example.fr"}
	ben := reservations.FeedHolder{FamilyID: "f_a", Email: "b@example.fr"}
	holder := func(hash string) reservations.FeedHolder {
		t.Helper()
		h, ok, err := st.FeedHolder(ctx, hash)
		must(t, err)
		if !ok {
			return reservations.FeedHolder{}
		}
		return h
	}
	must(t, st.StartMemberFeed(ctx, "f_a", reservations.Feed{Nonce: "n1", TokenHash: "h1", Email: anne.Email, CreatedAt: contractAt}))
	must(t, st.StartMemberFeed(ctx, "f_a", reservations.Feed{Nonce: "nb", TokenHash: "hb", Email: ben.Email, CreatedAt: contractAt}))
	if holder("h1") != anne || holder("hb") != ben {
		t.Fatal("feeds do not name their member")
	}
	must(t, st.StartMemberFeed(ctx, "f_a", reservations.Feed{Nonce: "n2", TokenHash: "h2", Email: anne.Email, CreatedAt: contractAt.Add(time.Hour)}))
	if holder("h1") != (reservations.FeedHolder{}) || holder("h2") != anne || holder("hb") != ben {
		t.Fatal("replacing a member's feed did not forget the old one alone")
	}
	f, ok, err := st.MemberFeed(ctx, "f_a", anne.Email)
	if err != nil || !ok || f.Nonce != "n2" || f.TokenHash != "h2" || f.Email != anne.Email || !f.CreatedAt.Equal(contractAt.Add(time.Hour)) {
		t.Fatalf("member feed %+v %v %v", f, ok, err)
	}
	must(t, st.RevokeMemberFeed(ctx, "f_a", anne.Email))
	must(t, st.RevokeMemberFeed(ctx, "f_a", anne.Email)) // nothing left: no error
	if holder("h2") != (reservations.FeedHolder{}) || holder("hb") != ben {
		t.Fatal("revoking a member's feed did not forget it alone")
	}
	if _, ok, err := st.MemberFeed(ctx, "f_a", anne.Email); err != nil || ok {
		t.Fatalf("a revoked feed is still current: %v %v", ok, err)
	}
}
