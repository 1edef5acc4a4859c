package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/preau/preau/infra/dynamometer"
	"github.com/preau/preau/infra/dynamotest"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/store"
)

func newStore(t *testing.T) *store.Store {
	t.Helper()
	env := dynamotest.New(t)
	return store.New(env.Client, store.Tables{Data: env.DataTable, Session: env.SessionTable})
}

var slot = reservations.Slot{Activity: calendar.Canteen, Site: "jules-ferry", Day: date.MustParse("2026-12-07")}

func change(child string, a reservations.Action) reservations.Change {
	return reservations.Change{Who: "parent@example.fr", At: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC),
		Channel: reservations.ChannelAPI, Action: a, ChildID: child}
}

func TestBookAndCancelAreIdempotent(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	steps := []struct {
		name   string
		action reservations.Action
		want   reservations.Outcome
		booked int
		log    int
	}{
		{"first booking creates the day", reservations.ActionBook, reservations.Applied, 1, 1},
		{"second booking is a no-op", reservations.ActionBook, reservations.Unchanged, 1, 1},
		{"cancel removes the seat", reservations.ActionCancel, reservations.Applied, 0, 2},
		{"second cancel is a no-op", reservations.ActionCancel, reservations.Unchanged, 0, 2},
		{"booking again works", reservations.ActionBook, reservations.Applied, 1, 3},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			var (
				got reservations.Outcome
				err error
			)
			if s.action == reservations.ActionBook {
				got, err = st.BookDay(ctx, slot, "c_1", 0, change("c_1", s.action))
			} else {
				got, err = st.CancelDay(ctx, slot, "c_1", change("c_1", s.action))
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != s.want {
				t.Fatalf("outcome %v, want %v", got, s.want)
			}
			d, err := st.Day(ctx, slot)
			if err != nil {
				t.Fatal(err)
			}
			if d.Booked != s.booked || len(d.Bookings) != s.booked || len(d.History) != s.log {
				t.Fatalf("booked %d, map %d, log %d; want %d, %d, %d", d.Booked, len(d.Bookings), len(d.History), s.booked, s.booked, s.log)
			}
			last := d.History[len(d.History)-1]
			if last.ChildID != "c_1" || last.Who != "parent@example.fr" || last.Channel != reservations.ChannelAPI {
				t.Fatalf("log entry %+v", last)
			}
		})
	}
}

func TestCancelOnMissingDayIsUnchanged(t *testing.T) {
	st := newStore(t)
	got, err := st.CancelDay(context.Background(), slot, "c_1", change("c_1", reservations.ActionCancel))
	if err != nil || got != reservations.Unchanged {
		t.Fatalf("got %v, %v", got, err)
	}
}

// TestLastSeatGoesToExactlyOneChild books 200 children at once on a day with 50 seats.
func TestLastSeatGoesToExactlyOneChild(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	const children, seats = 200, 50
	var wg sync.WaitGroup
	outcomes := make([]reservations.Outcome, children)
	errs := make([]error, children)
	for i := range children {
		wg.Go(func() {
			id := fmt.Sprintf("c_%03d", i)
			outcomes[i], errs[i] = st.BookDay(ctx, slot, id, seats, change(id, reservations.ActionBook))
		})
	}
	wg.Wait()
	applied, full := 0, 0
	for i, o := range outcomes {
		if errs[i] != nil {
			t.Fatalf("child %d: %v", i, errs[i])
		}
		switch o {
		case reservations.Applied:
			applied++
		case reservations.Full:
			full++
		default:
			t.Fatalf("child %d: outcome %v", i, o)
		}
	}
	d, err := st.Day(ctx, slot)
	if err != nil {
		t.Fatal(err)
	}
	if applied != seats || full != children-seats || d.Booked != seats || len(d.Bookings) != seats || len(d.History) != seats {
		t.Fatalf("applied %d full %d; stored count %d, map %d, log %d; want %d seats", applied, full, d.Booked, len(d.Bookings), len(d.History), seats)
	}
}

func TestDaysOfMonth(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	days := []string{"2026-12-03", "2026-12-07", "2026-12-17", "2027-01-04"}
	for _, d := range days {
		sl := slot
		sl.Day = date.MustParse(d)
		if _, err := st.BookDay(ctx, sl, "c_1", 0, change("c_1", reservations.ActionBook)); err != nil {
			t.Fatal(err)
		}
	}
	other := slot
	other.Site = "pasteur"
	if _, err := st.BookDay(ctx, other, "c_2", 0, change("c_2", reservations.ActionBook)); err != nil {
		t.Fatal(err)
	}
	got, err := st.DaysOfMonth(ctx, calendar.Canteen, "jules-ferry", date.MustParse("2026-12-15"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d days, want 3", len(got))
	}
	for i, want := range days[:3] {
		if got[i].Day.String() != want || got[i].Activity != calendar.Canteen || got[i].Site != "jules-ferry" {
			t.Errorf("day %d = %+v, want %s", i, got[i].Slot, want)
		}
		if _, ok := got[i].Bookings["c_1"]; !ok || got[i].Booked != 1 {
			t.Errorf("day %s: bookings %v count %d", want, got[i].Bookings, got[i].Booked)
		}
	}
}

func TestBookNewDayCreatesOnce(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	cs := []reservations.Change{change("c_1", reservations.ActionBook), change("c_2", reservations.ActionBook)}
	tests := []struct {
		name     string
		capacity int
		want     bool
	}{
		{"over capacity refused", 1, false},
		{"creates the day with both", 2, true},
		{"the day exists now", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.BookNewDay(ctx, slot, tt.capacity, cs)
			if err != nil || got != tt.want {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	d, err := st.Day(ctx, slot)
	if err != nil || d.Booked != 2 || len(d.Bookings) != 2 || len(d.History) != 2 {
		t.Fatalf("day %+v %v", d, err)
	}
	if out, err := st.BookDay(ctx, slot, "c_1", 0, change("c_1", reservations.ActionBook)); err != nil || out != reservations.Unchanged {
		t.Fatalf("rebook: %v %v", out, err)
	}
}

// TestChangesPerChildAreCapped: a child's day takes MaxChangesPerDay changes, then refuses
// both booking and cancelling without writing; other children of the day are unaffected, and
// the count stays equal to the map.
func TestChangesPerChildAreCapped(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	max := reservations.MaxChangesPerDay
	for i := range max {
		t.Run(fmt.Sprintf("change %d applies", i+1), func(t *testing.T) {
			var (
				got reservations.Outcome
				err error
			)
			if i%2 == 0 {
				got, err = st.BookDay(ctx, slot, "c_1", 30, change("c_1", reservations.ActionBook))
			} else {
				got, err = st.CancelDay(ctx, slot, "c_1", change("c_1", reservations.ActionCancel))
			}
			if err != nil || got != reservations.Applied {
				t.Fatalf("got %v, %v", got, err)
			}
		})
	}
	// Let c_2 reach the cap holding a seat: an odd number of changes, then a last booking
	// after a cancellation would be the 11th.
	for i := range max - 1 {
		var err error
		if i%2 == 0 {
			_, err = st.BookDay(ctx, slot, "c_2", 30, change("c_2", reservations.ActionBook))
		} else {
			_, err = st.CancelDay(ctx, slot, "c_2", change("c_2", reservations.ActionCancel))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.CancelDay(ctx, slot, "c_2", change("c_2", reservations.ActionCancel)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.BookDay(ctx, slot, "c_3", 30, change("c_3", reservations.ActionBook)); err != nil {
		t.Fatal(err)
	}
	refusals := []struct {
		name   string
		child  string
		action reservations.Action
		want   reservations.Outcome
	}{
		{"the 11th change, a booking, is refused", "c_1", reservations.ActionBook, reservations.TooManyChanges},
		{"a cancellation with nothing to cancel stays a no-op", "c_1", reservations.ActionCancel, reservations.Unchanged},
		{"another child at the cap cannot book again", "c_2", reservations.ActionBook, reservations.TooManyChanges},
		{"a child with one change cancels", "c_3", reservations.ActionCancel, reservations.Applied},
		{"and books again", "c_3", reservations.ActionBook, reservations.Applied},
		{"a new child books", "c_4", reservations.ActionBook, reservations.Applied},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			var (
				got reservations.Outcome
				err error
			)
			if r.action == reservations.ActionBook {
				got, err = st.BookDay(ctx, slot, r.child, 30, change(r.child, r.action))
			} else {
				got, err = st.CancelDay(ctx, slot, r.child, change(r.child, r.action))
			}
			if err != nil || got != r.want {
				t.Fatalf("got %v, %v; want %v", got, err, r.want)
			}
		})
	}
	d, err := st.Day(ctx, slot)
	if err != nil {
		t.Fatal(err)
	}
	wantChanges := map[string]int{"c_1": max, "c_2": max, "c_3": 3, "c_4": 1}
	for child, n := range wantChanges {
		logged := 0
		for _, c := range d.History {
			if c.ChildID == child {
				logged++
			}
		}
		if d.Changes[child] != n || logged != n {
			t.Errorf("%s: %d changes counted, %d logged; want %d", child, d.Changes[child], logged, n)
		}
	}
	if d.Booked != 2 || len(d.Bookings) != 2 {
		t.Fatalf("count %d, map %v; want c_3 and c_4", d.Booked, d.Bookings)
	}
}

// TestBookedChildAtTheCapCanCancel: a child holding a seat with MaxChangesPerDay changes already
// (an item written before the history map started its history with a cancellation) can still
// give the seat up, then cannot book again; its history ends one past the cap.
func TestBookedChildAtTheCapCanCancel(t *testing.T) {
	env := dynamotest.New(t)
	st := store.New(env.Client, store.Tables{Data: env.DataTable, Session: env.SessionTable})
	ctx := context.Background()
	max := reservations.MaxChangesPerDay
	var history []types.AttributeValue
	for i := range max {
		a := "book"
		if i%2 == 0 {
			a = "cancel"
		}
		history = append(history, &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"t": &types.AttributeValueMemberN{Value: fmt.Sprint(1764490000000 + i)}, "w": s("p@example.fr"), "a": s(a), "c": s("web")}})
	}
	_, err := env.Client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &env.DataTable, Item: map[string]types.AttributeValue{
		"PK": s("DAY#cantine#jules-ferry#2026-12"), "SK": s("2026-12-07"),
		"activity": s("cantine"), "site": s("jules-ferry"), "day": s("2026-12-07"),
		"bookings": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"c_1": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"at": s("2026-11-30T09:00:00Z"), "by": s("p@example.fr"), "channel": s("web")}},
		}},
		"booked":  &types.AttributeValueMemberN{Value: "1"},
		"history": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"c_1": &types.AttributeValueMemberL{Value: history}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name   string
		action reservations.Action
		want   reservations.Outcome
	}{
		{"the booked child at the cap cancels", reservations.ActionCancel, reservations.Applied},
		{"then cannot book again", reservations.ActionBook, reservations.TooManyChanges},
		{"and a second cancellation changes nothing", reservations.ActionCancel, reservations.Unchanged},
	}
	for _, st2 := range steps {
		t.Run(st2.name, func(t *testing.T) {
			var got reservations.Outcome
			if st2.action == reservations.ActionBook {
				got, err = st.BookDay(ctx, slot, "c_1", 30, change("c_1", st2.action))
			} else {
				got, err = st.CancelDay(ctx, slot, "c_1", change("c_1", st2.action))
			}
			if err != nil || got != st2.want {
				t.Fatalf("got %v, %v; want %v", got, err, st2.want)
			}
		})
	}
	d, err := st.Day(ctx, slot)
	if err != nil {
		t.Fatal(err)
	}
	if d.Booked != 0 || len(d.Bookings) != 0 || d.Changes["c_1"] != max+1 {
		t.Fatalf("count %d, bookings %v, %d changes; want none booked and %d changes", d.Booked, d.Bookings, d.Changes["c_1"], max+1)
	}
}

// TestInvalidChangeFailsAtOnce: a request DynamoDB refuses as invalid (an empty child id makes
// an empty attribute name) on a complete item is an error, not a reason to rewrite the item.
func TestInvalidChangeFailsAtOnce(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	if _, err := st.BookDay(ctx, slot, "c_1", 0, change("c_1", reservations.ActionBook)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		do   func() (reservations.Outcome, error)
	}{
		{"book", func() (reservations.Outcome, error) {
			return st.BookDay(ctx, slot, "", 0, change("", reservations.ActionBook))
		}},
		{"cancel", func() (reservations.Outcome, error) {
			return st.CancelDay(ctx, slot, "", change("", reservations.ActionCancel))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.do()
			if err == nil || strings.Contains(err.Error(), "attempts") {
				t.Fatalf("got %v, %v; want the request's own error", got, err)
			}
		})
	}
}

// TestMonthReadHoldsOnlyTheFamily: a family's read of a month carries its children's bookings
// and history and the day's count, never another family's entries.
func TestMonthReadHoldsOnlyTheFamily(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	for _, c := range []string{"c_mine", "c_other", "c_sibling"} {
		if _, err := st.BookDay(ctx, slot, c, 0, change(c, reservations.ActionBook)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.CancelDay(ctx, slot, "c_sibling", change("c_sibling", reservations.ActionCancel)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		children []string
		bookings []string
		log      int
	}{
		{"a family", []string{"c_mine", "c_sibling"}, []string{"c_mine"}, 3},
		{"whole days", nil, []string{"c_mine", "c_other"}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			read := st.DaysOfMonth
			if tt.children != nil {
				read = func(ctx context.Context, a calendar.Activity, site string, month date.Date) ([]reservations.Day, error) {
					return st.FamilyDaysOfMonth(ctx, a, site, month, tt.children)
				}
			}
			days, err := read(ctx, slot.Activity, slot.Site, slot.Day)
			if err != nil || len(days) != 1 {
				t.Fatalf("%d days, %v", len(days), err)
			}
			d := days[0]
			if d.Day != slot.Day || d.Booked != 2 || len(d.Bookings) != len(tt.bookings) || len(d.History) != tt.log {
				t.Fatalf("day %s count %d bookings %v log %d", d.Day, d.Booked, d.Bookings, len(d.History))
			}
			for _, c := range tt.bookings {
				if _, ok := d.Bookings[c]; !ok {
					t.Errorf("%s's booking missing", c)
				}
			}
			for _, c := range d.History {
				if tt.children != nil && c.ChildID == "c_other" {
					t.Errorf("another family's change was read: %+v", c)
				}
			}
		})
	}
}

// TestFamilyMonthReadNeedsChildren: a family's read of a month with no children is refused,
// never answered with whole days of every family.
func TestFamilyMonthReadNeedsChildren(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	if _, err := st.BookDay(ctx, slot, "c_other", 0, change("c_other", reservations.ActionBook)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		children []string
	}{{"nil", nil}, {"empty", []string{}}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			days, err := st.FamilyDaysOfMonth(ctx, slot.Activity, slot.Site, slot.Day, tt.children)
			if !errors.Is(err, store.ErrNoChildren) || days != nil {
				t.Fatalf("got %d days, %v; want ErrNoChildren", len(days), err)
			}
		})
	}
}

// TestDayItemWithoutHistoryMap: an item lacking the history map (written by hand, or by an
// interrupted creation) still takes bookings and cancellations: the map is added once.
func TestDayItemWithoutHistoryMap(t *testing.T) {
	env := dynamotest.New(t)
	st := store.New(env.Client, store.Tables{Data: env.DataTable, Session: env.SessionTable})
	ctx := context.Background()
	at := "2026-11-20T08:00:00Z"
	_, err := env.Client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &env.DataTable, Item: map[string]types.AttributeValue{
		"PK": s("DAY#cantine#jules-ferry#2026-12"), "SK": s("2026-12-07"),
		"activity": s("cantine"), "site": s("jules-ferry"), "day": s("2026-12-07"),
		"bookings": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"c_old": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"at": s(at), "by": s("p@example.fr"), "channel": s("web")}},
		}},
		"booked": &types.AttributeValueMemberN{Value: "1"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := st.CancelDay(ctx, slot, "c_old", change("c_old", reservations.ActionCancel)); err != nil || got != reservations.Applied {
		t.Fatalf("cancel: %v, %v", got, err)
	}
	if got, err := st.BookDay(ctx, slot, "c_new", 0, change("c_new", reservations.ActionBook)); err != nil || got != reservations.Applied {
		t.Fatalf("book: %v, %v", got, err)
	}
	d, err := st.Day(ctx, slot)
	if err != nil {
		t.Fatal(err)
	}
	if d.Booked != 1 || len(d.Bookings) != 1 || len(d.History) != 2 || d.History[1].ChildID != "c_old" || d.History[1].Action != reservations.ActionCancel {
		t.Fatalf("count %d bookings %v log %+v", d.Booked, d.Bookings, d.History)
	}
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// TestFormerDayItemIsReadThenMoved: a day item of the former model (every child's bookings and
// history in one item) is read as it is, a family seeing only its own children, and the day's
// first change moves each child's entries into its own item, keeping the count.
func TestFormerDayItemIsReadThenMoved(t *testing.T) {
	env := dynamotest.New(t)
	st := store.New(env.Client, store.Tables{Data: env.DataTable, Session: env.SessionTable})
	ctx := context.Background()
	seat := func() types.AttributeValue {
		return &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"at": s("2026-11-20T08:00:00Z"), "by": s("p@example.fr"), "channel": s("web")}}
	}
	entry := func(a string) types.AttributeValue {
		return &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"t": &types.AttributeValueMemberN{Value: "1763625600000"}, "w": s("p@example.fr"), "a": s(a), "c": s("web")}}}}
	}
	_, err := env.Client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &env.DataTable, Item: map[string]types.AttributeValue{
		"PK": s("DAY#cantine#jules-ferry#2026-12"), "SK": s("2026-12-07"),
		"activity": s("cantine"), "site": s("jules-ferry"), "day": s("2026-12-07"),
		"bookings": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"c_mine": seat(), "c_other": seat()}},
		"booked":   &types.AttributeValueMemberN{Value: "2"},
		"history":  &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"c_mine": entry("book"), "c_other": entry("book")}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	days, err := st.FamilyDaysOfMonth(ctx, slot.Activity, slot.Site, slot.Day, []string{"c_mine"})
	if err != nil || len(days) != 1 || days[0].Booked != 2 || len(days[0].Bookings) != 1 || len(days[0].History) != 1 {
		t.Fatalf("family read of the former item: %+v, %v", days, err)
	}
	if got, err := st.BookDay(ctx, slot, "c_new", 3, change("c_new", reservations.ActionBook)); err != nil || got != reservations.Applied {
		t.Fatalf("book: %v, %v", got, err)
	}
	if got, err := st.BookDay(ctx, slot, "c_late", 3, change("c_late", reservations.ActionBook)); err != nil || got != reservations.Full {
		t.Fatalf("the fourth child on three seats: %v, %v", got, err)
	}
	out, err := env.Client.Query(ctx, &dynamodb.QueryInput{TableName: &env.DataTable, KeyConditionExpression: aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s("DAY#cantine#jules-ferry#2026-12")}})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, it := range out.Items {
		keys = append(keys, it["SK"].(*types.AttributeValueMemberS).Value)
		if _, former := it["bookings"]; former {
			t.Errorf("%s still holds the former bookings map", keys[len(keys)-1])
		}
	}
	want := []string{"2026-12-07", "CHILD#c_mine#2026-12-07", "CHILD#c_new#2026-12-07", "CHILD#c_other#2026-12-07"}
	if strings.Join(keys, " ") != strings.Join(want, " ") {
		t.Fatalf("items %v, want %v", keys, want)
	}
	d, err := st.Day(ctx, slot)
	if err != nil || d.Booked != 3 || len(d.Bookings) != 3 || len(d.History) != 3 || d.Changes["c_mine"] != 1 {
		t.Fatalf("day after the move: %+v, %v", d, err)
	}
}

// TestSeatsNeverExceedTheCounter: however bookings and cancellations of many children interleave
// on a small capacity, the children booked never outnumber the capacity, and once every write
// has answered the counter equals them.
func TestSeatsNeverExceedTheCounter(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	const children, seats = 40, 10
	var wg sync.WaitGroup
	errs := make([]error, children)
	for i := range children {
		wg.Go(func() {
			id := fmt.Sprintf("c_%03d", i)
			for round := range 3 {
				if _, err := st.BookDay(ctx, slot, id, seats, change(id, reservations.ActionBook)); err != nil {
					errs[i] = err
					return
				}
				if (i+round)%2 == 0 {
					if _, err := st.CancelDay(ctx, slot, id, change(id, reservations.ActionCancel)); err != nil {
						errs[i] = err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	d, err := st.Day(ctx, slot)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Bookings) > seats || d.Booked != len(d.Bookings) {
		t.Fatalf("%d children booked, counter %d; want at most %d and equal", len(d.Bookings), d.Booked, seats)
	}
}

// counterWrite changes slot's counter as a process that died half-way through a change would
// have left it: update is an UpdateExpression over booked (#n) and the counter's change time
// (#ch, :ch = at).
func counterWrite(t *testing.T, env *dynamotest.Env, update string, at time.Time, values map[string]types.AttributeValue) {
	t.Helper()
	vals := map[string]types.AttributeValue{":ch": &types.AttributeValueMemberN{Value: fmt.Sprint(at.UnixMilli())}}
	names := map[string]string{"#n": "booked"}
	if strings.Contains(update, "#ch") {
		names["#ch"] = "ch"
	} else {
		delete(vals, ":ch")
	}
	for k, v := range values {
		vals[k] = v
	}
	_, err := env.Client.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName:                 aws.String(env.DataTable),
		Key:                       map[string]types.AttributeValue{"PK": s("DAY#cantine#jules-ferry#2026-12"), "SK": s("2026-12-07")},
		UpdateExpression:          aws.String(update),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: vals,
	})
	if err != nil {
		t.Fatal(err)
	}
}

func bookAt(t *testing.T, st *store.Store, child string, capacity int, at time.Time) reservations.Outcome {
	t.Helper()
	c := change(child, reservations.ActionBook)
	c.At = at
	out, err := st.BookDay(context.Background(), slot, child, capacity, c)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func seats(t *testing.T, st *store.Store) (counter, children int) {
	t.Helper()
	d, err := st.Day(context.Background(), slot)
	if err != nil {
		t.Fatal(err)
	}
	return d.Booked, len(d.Bookings)
}

// twoBooked is a day of 2 seats, c_1 and c_2 booked at at, on tables of its own.
func twoBooked(t *testing.T, at time.Time) (*dynamotest.Env, *store.Store) {
	t.Helper()
	env := dynamotest.New(t)
	st := store.New(env.Client, store.Tables{Data: env.DataTable, Session: env.SessionTable})
	for _, c := range []string{"c_1", "c_2"} {
		if out := bookAt(t, st, c, 2, at); out != reservations.Applied {
			t.Fatalf("%s: %v", c, out)
		}
	}
	return env, st
}

// TestLostSeatIsFoundByAFullBooking: a seat taken on the counter by a process that died before
// setting the child's, or kept by a cancellation that died before giving it back, is freed by
// the booking that finds the day full, once the day has been left alone longer than any
// function runs; never while a change may still be on its way, which could overbook the day.
func TestLostSeatIsFoundByAFullBooking(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	one := map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}}

	t.Run("a booking that died after taking its seat", func(t *testing.T) {
		env := dynamotest.New(t)
		st := store.New(env.Client, store.Tables{Data: env.DataTable, Session: env.SessionTable})
		if out := bookAt(t, st, "c_1", 2, t0.Add(-time.Hour)); out != reservations.Applied {
			t.Fatalf("c_1: %v", out)
		}
		counterWrite(t, env, "SET #ch = :ch ADD #n :one", t0.Add(time.Minute), one)
		if out := bookAt(t, st, "c_2", 2, t0.Add(10*time.Minute)); out != reservations.Full {
			t.Fatalf("9 minutes after the lost seat was taken: %v, want Full (its child's write may be on its way)", out)
		}
		if n, c := seats(t, st); n != 2 || c != 1 {
			t.Fatalf("counter %d, children %d: the day was changed while a change may be on its way", n, c)
		}
		if out := bookAt(t, st, "c_2", 2, t0.Add(30*time.Minute)); out != reservations.Applied {
			t.Fatalf("29 minutes later: %v, want the lost seat given to c_2", out)
		}
		if n, c := seats(t, st); n != 2 || c != 2 {
			t.Fatalf("counter %d, children %d, want 2 and 2", n, c)
		}
		if out := bookAt(t, st, "c_3", 2, t0.Add(time.Hour)); out != reservations.Full {
			t.Fatalf("c_3 on a day really full: %v, want Full", out)
		}
	})

	t.Run("a cancellation that died before giving its seat back", func(t *testing.T) {
		env, st := twoBooked(t, t0)
		// c_1's cancellation removed its seat and logged it at t0+1h, then stopped.
		cancelled := t0.Add(time.Hour)
		_, err := env.Client.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
			TableName:        aws.String(env.DataTable),
			Key:              map[string]types.AttributeValue{"PK": s("DAY#cantine#jules-ferry#2026-12"), "SK": s("CHILD#c_1#2026-12-07")},
			UpdateExpression: aws.String("REMOVE s SET h = list_append(h, :e)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":e": &types.AttributeValueMemberL{Value: []types.AttributeValue{
				&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
					"t": &types.AttributeValueMemberN{Value: fmt.Sprint(cancelled.UnixMilli())}, "w": s("parent@example.fr"),
					"a": s(string(reservations.ActionCancel)), "c": s(string(reservations.ChannelAPI))}}}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if out := bookAt(t, st, "c_3", 2, cancelled.Add(5*time.Minute)); out != reservations.Full {
			t.Fatalf("5 minutes after the cancellation: %v, want Full (its counter write may be on its way)", out)
		}
		if out := bookAt(t, st, "c_3", 2, cancelled.Add(25*time.Minute)); out != reservations.Applied {
			t.Fatalf("25 minutes after: %v, want the seat given to c_3", out)
		}
		if n, c := seats(t, st); n != 2 || c != 2 {
			t.Fatalf("counter %d, children %d, want 2 and 2", n, c)
		}
	})

	t.Run("a full day counted once until a seat changes hands", func(t *testing.T) {
		env, st := twoBooked(t, t0)
		if out := bookAt(t, st, "c_3", 2, t0.Add(time.Hour)); out != reservations.Full {
			t.Fatalf("c_3: %v", out)
		}
		// A seat the counter holds without a change of its time (3 seats, 2 children, room for
		// 3) is not looked for: the day was counted since its last change, and a seat lost by a
		// change always changes that time.
		counterWrite(t, env, "ADD #n :one", t0, one)
		if out := bookAt(t, st, "c_3", 3, t0.Add(2*time.Hour)); out != reservations.Full {
			t.Fatalf("c_3 on a day counted since its last change: %v, want Full without counting", out)
		}
		// Once a seat changes hands, the next full booking counts again.
		if _, err := st.CancelDay(context.Background(), slot, "c_2", func() reservations.Change {
			c := change("c_2", reservations.ActionCancel)
			c.At = t0.Add(3 * time.Hour)
			return c
		}()); err != nil {
			t.Fatal(err)
		}
		if out := bookAt(t, st, "c_3", 2, t0.Add(4*time.Hour)); out != reservations.Applied {
			t.Fatalf("c_3 after the day changed: %v, want the lost seat found", out)
		}
		if n, c := seats(t, st); n != 2 || c != 2 {
			t.Fatalf("counter %d, children %d, want 2 and 2", n, c)
		}
	})
}

// TestChildDayOfTheFormerFormKeepsWorking: a counter with its activity, site and day, and a
// child's day with its day and its entries as maps (as written before the compact form) are
// read as they were; a change appends a compact entry beside the former ones, the day reads
// back whole, new items store nothing their keys say, and the retention deletes both forms.
func TestChildDayOfTheFormerFormKeepsWorking(t *testing.T) {
	env := dynamotest.New(t)
	st := store.New(env.Client, store.Tables{Data: env.DataTable, Session: env.SessionTable})
	ctx := context.Background()
	pk := "DAY#cantine#jules-ferry#2026-12"
	entry := func(ms, a, c string) types.AttributeValue {
		return &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"t": &types.AttributeValueMemberN{Value: ms}, "w": s("p@example.fr"), "a": s(a), "c": s(c)}}
	}
	for _, it := range []map[string]types.AttributeValue{
		{"PK": s(pk), "SK": s("2026-12-07"), "activity": s("cantine"), "site": s("jules-ferry"), "day": s("2026-12-07"),
			"booked": &types.AttributeValueMemberN{Value: "1"}},
		{"PK": s(pk), "SK": s("CHILD#c_old#2026-12-07"), "day": s("2026-12-07"), "s": &types.AttributeValueMemberBOOL{Value: true},
			"h": &types.AttributeValueMemberL{Value: []types.AttributeValue{
				entry("1763625600000", "book", "web"), entry("1763629200000", "cancel", "api"), entry("1763632800000", "book", "long-period")}}},
	} {
		if _, err := env.Client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &env.DataTable, Item: it}); err != nil {
			t.Fatal(err)
		}
	}
	days, err := st.FamilyDaysOfMonth(ctx, slot.Activity, slot.Site, slot.Day, []string{"c_old"})
	if err != nil || len(days) != 1 {
		t.Fatalf("family read: %+v, %v", days, err)
	}
	d := days[0]
	if d.Booked != 1 || d.Changes["c_old"] != 3 || len(d.History) != 3 || d.History[1].Action != reservations.ActionCancel ||
		d.History[1].Channel != reservations.ChannelAPI || !d.History[1].At.Equal(time.UnixMilli(1763629200000)) {
		t.Fatalf("former day read as %+v", d)
	}
	if b := d.Bookings["c_old"]; b.Channel != reservations.ChannelLongPeriod || b.By != "p@example.fr" || !b.At.Equal(time.UnixMilli(1763632800000)) {
		t.Fatalf("former booking read as %+v", b)
	}

	// A cancellation appends a compact entry to the former list; a new child's booking is compact.
	if got, err := st.CancelDay(ctx, slot, "c_old", change("c_old", reservations.ActionCancel)); err != nil || got != reservations.Applied {
		t.Fatalf("cancel: %v, %v", got, err)
	}
	if got, err := st.BookDay(ctx, slot, "c_new", 0, change("c_new", reservations.ActionBook)); err != nil || got != reservations.Applied {
		t.Fatalf("book: %v, %v", got, err)
	}
	d, err = st.Day(ctx, slot)
	if err != nil {
		t.Fatal(err)
	}
	last := d.History[len(d.History)-1]
	if d.Booked != 1 || len(d.Bookings) != 1 || d.Changes["c_old"] != 4 || d.Changes["c_new"] != 1 || len(d.History) != 5 ||
		last.ChildID != "c_old" || last.Action != reservations.ActionCancel || last.Who != "parent@example.fr" ||
		last.Channel != reservations.ChannelAPI || !last.At.Equal(change("", "").At) {
		t.Fatalf("day after the changes: %+v", d)
	}
	out, err := env.Client.Query(ctx, &dynamodb.QueryInput{TableName: &env.DataTable, KeyConditionExpression: aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(pk)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range out.Items {
		sk := it["SK"].(*types.AttributeValueMemberS).Value
		h, _ := it["h"].(*types.AttributeValueMemberL)
		switch sk {
		case "CHILD#c_new#2026-12-07":
			if _, ok := it["day"]; ok || len(it) != 4 || h == nil || len(h.Value) != 1 {
				t.Errorf("new child's day stored as %v", it)
			} else if e, ok := h.Value[0].(*types.AttributeValueMemberS); !ok || !strings.HasPrefix(e.Value, "ba") {
				t.Errorf("new entry stored as %v", h.Value[0])
			}
		case "CHILD#c_old#2026-12-07":
			if _, compact := h.Value[3].(*types.AttributeValueMemberS); !compact {
				t.Errorf("entry appended to a former list stored as %v", h.Value[3])
			}
		}
	}

	if n, err := st.DeleteDays(ctx, []reservations.Slot{slot}); err != nil || n != 1 {
		t.Fatalf("DeleteDays: %d, %v", n, err)
	}
	if left, err := st.Day(ctx, slot); err != nil || left.Booked != 0 || len(left.History) != 0 {
		t.Fatalf("after DeleteDays: %+v, %v", left, err)
	}
}

// TestDeleteDaysReadsEachMonthOnce: the days past their retention are deleted with one Query of
// each month however many of its days go, and only their items: a day kept keeps its counter
// and children.
func TestDeleteDaysReadsEachMonthOnce(t *testing.T) {
	env := dynamotest.New(t)
	meter := dynamometer.New()
	st := store.New(dynamodb.New(env.Client.Options(), meter.Attach), store.Tables{Data: env.DataTable, Session: env.SessionTable})
	ctx := context.Background()
	on := func(day string) reservations.Slot {
		return reservations.Slot{Activity: calendar.Canteen, Site: "jules-ferry", Day: date.MustParse(day)}
	}
	gone := []reservations.Slot{on("2016-03-07"), on("2016-03-08"), on("2016-04-01")}
	kept := on("2016-03-09")
	for _, sl := range append([]reservations.Slot{kept}, gone...) {
		for _, c := range []string{"c_1", "c_2"} {
			if _, err := st.BookDay(ctx, sl, c, 0, change(c, reservations.ActionBook)); err != nil {
				t.Fatal(err)
			}
		}
	}
	meter.Reset()
	n, err := st.DeleteDays(ctx, gone)
	if err != nil || n != len(gone) {
		t.Fatalf("DeleteDays: %d, %v", n, err)
	}
	if got := meter.Snapshot(); got.Calls["Query"] != 2 || got.Calls["DeleteItem"] != 3*3 {
		t.Errorf("%d Queries and %d deletions, want one Query a month and 9 deletions", got.Calls["Query"], got.Calls["DeleteItem"])
	}
	for _, sl := range gone {
		if d, err := st.Day(ctx, sl); err != nil || d.Booked != 0 || len(d.History) != 0 {
			t.Errorf("%s after DeleteDays: %+v, %v", sl.Day, d, err)
		}
	}
	if d, err := st.Day(ctx, kept); err != nil || d.Booked != 2 || len(d.Bookings) != 2 {
		t.Errorf("the day kept: %+v, %v", d, err)
	}
}

// TestLostSeatGoesToOneChildOfMany: children racing for a full day that holds one lost seat get
// that seat once between them, and the counter ends equal to the children booked.
func TestLostSeatGoesToOneChildOfMany(t *testing.T) {
	env := dynamotest.New(t)
	st := store.New(env.Client, store.Tables{Data: env.DataTable, Session: env.SessionTable})
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	const capacity = 6
	for i := range capacity - 1 {
		if out := bookAt(t, st, fmt.Sprintf("c_%02d", i), capacity, t0.Add(-2*time.Hour)); out != reservations.Applied {
			t.Fatalf("c_%02d: %v", i, out)
		}
	}
	counterWrite(t, env, "SET #ch = :ch ADD #n :one", t0.Add(-time.Hour), map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}})
	const racers = 12
	outs := make([]reservations.Outcome, racers)
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			id := fmt.Sprintf("r_%02d", i)
			c := change(id, reservations.ActionBook)
			c.At = t0
			outs[i], errs[i] = st.BookDay(context.Background(), slot, id, capacity, c)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	applied := 0
	for _, o := range outs {
		if o == reservations.Applied {
			applied++
		}
	}
	n, c := seats(t, st)
	if applied != 1 || n != capacity || c != capacity {
		t.Fatalf("%d racers booked, counter %d, children %d; want 1, %d, %d", applied, n, c, capacity, capacity)
	}
}

// TestSweepGivesBackLostSeats: the nightly sweep (FreeLostSeats) gives back a seat no child holds
// on a full day to come, without anyone trying to book it: not while a change may be half-way
// (the day changed less than seatSettle ago), not on a day really full, not on a day already
// past, and once only.
func TestSweepGivesBackLostSeats(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	one := map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}}
	ctx := context.Background()
	month := date.MustParse("2026-12-01")
	sweep := func(t *testing.T, st *store.Store, from date.Date, at time.Time) int {
		t.Helper()
		n, err := st.FreeLostSeats(ctx, slot.Activity, slot.Site, month, from, 2, at)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	env := dynamotest.New(t)
	st := store.New(env.Client, store.Tables{Data: env.DataTable, Session: env.SessionTable})
	if out := bookAt(t, st, "c_1", 2, t0); out != reservations.Applied {
		t.Fatalf("c_1: %v", out)
	}
	// A booking took the second seat on the counter at t0+1m and stopped before c_2's write.
	counterWrite(t, env, "SET #ch = :ch ADD #n :one", t0.Add(time.Minute), one)
	if n := sweep(t, st, date.MustParse("2026-12-01"), t0.Add(10*time.Minute)); n != 0 {
		t.Fatalf("9 minutes after the seat was taken: %d days freed, want none (c_2's write may be on its way)", n)
	}
	if n := sweep(t, st, date.MustParse("2026-12-08"), t0.Add(time.Hour)); n != 0 {
		t.Fatalf("a sweep from the day after: %d days freed, want none", n)
	}
	if n, c := seats(t, st); n != 2 || c != 1 {
		t.Fatalf("counter %d, children %d, want the lost seat still there", n, c)
	}
	if n := sweep(t, st, date.MustParse("2026-12-01"), t0.Add(time.Hour)); n != 1 {
		t.Fatalf("an hour later: %d days freed, want 1", n)
	}
	if n, c := seats(t, st); n != 1 || c != 1 {
		t.Fatalf("counter %d, children %d, want 1 and 1", n, c)
	}
	if n := sweep(t, st, date.MustParse("2026-12-01"), t0.Add(2*time.Hour)); n != 0 {
		t.Fatalf("a second sweep: %d days freed, want none", n)
	}
	if out := bookAt(t, st, "c_2", 2, t0.Add(3*time.Hour)); out != reservations.Applied {
		t.Fatalf("c_2 after the sweep: %v", out)
	}
	// Now really full: the sweep counts the children, frees nothing, and does not count again
	// until a seat changes hands.
	if n := sweep(t, st, date.MustParse("2026-12-01"), t0.Add(5*time.Hour)); n != 0 {
		t.Fatalf("a day really full: %d days freed", n)
	}
	if n, c := seats(t, st); n != 2 || c != 2 {
		t.Fatalf("counter %d, children %d, want 2 and 2", n, c)
	}
	counterWrite(t, env, "ADD #n :one", t0, one) // a seat held without a change of its time
	if n := sweep(t, st, date.MustParse("2026-12-01"), t0.Add(6*time.Hour)); n != 0 {
		t.Fatalf("a day counted since its last change: %d days freed, want none", n)
	}
}

// TestSweepLeavesADayChangedMeanwhile: the sweep's write is conditioned on the counter it read:
// a booking landing between its count and its write makes it give up, and the day keeps every
// seat its children hold.
func TestSweepLeavesADayChangedMeanwhile(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	one := map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}}
	env := dynamotest.New(t)
	st := store.New(env.Client, store.Tables{Data: env.DataTable, Session: env.SessionTable})
	if out := bookAt(t, st, "c_1", 3, t0); out != reservations.Applied {
		t.Fatalf("c_1: %v", out)
	}
	counterWrite(t, env, "SET #ch = :ch ADD #n :one", t0.Add(time.Minute), one) // lost seat: 2 on the counter, 1 child
	// The sweep runs at capacity 2 (the day full) while c_2 books with a capacity of 3 (the
	// town hall raised it): whichever lands second finds the counter changed or the day as the
	// first left it, and the seats never fall below the children booked.
	var wg sync.WaitGroup
	wg.Go(func() {
		if _, err := st.FreeLostSeats(context.Background(), slot.Activity, slot.Site, slot.Day, slot.Day, 2, t0.Add(time.Hour)); err != nil {
			t.Error(err)
		}
	})
	wg.Go(func() { bookAt(t, st, "c_2", 3, t0.Add(time.Hour)) })
	wg.Wait()
	if n, c := seats(t, st); n < c || c != 2 {
		t.Fatalf("counter %d, children %d: want c_2 booked and the counter at least the children", n, c)
	}
}
