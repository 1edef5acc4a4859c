package reservations

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/fault"
)

// memory is a hand-written Repository holding one family; the store's own tests run the real
// one against the emulator. It is safe for concurrent use: ApplyLong writes from several
// goroutines.
type memory struct {
	mu       sync.Mutex
	h        Household
	settings map[calendar.Activity]family.Activity
	closures []calendar.Closure
	days     map[Slot]*Day
	reads    int
	writes   int
	// fail, when set, makes BookDay and CancelDay of the slots it returns true for fail.
	fail func(Slot) bool
	// newDay, when set, answers BookNewDay: whether to store the bookings, and the error to
	// return (both: a write that succeeded but whose answer was lost). Unset, BookNewDay
	// declines and each child is booked on its own.
	newDay func(Slot) (store bool, err error)
}

var errWrite = errors.New("write refused")

func newMemory() *memory {
	from := date.MustParse("2026-09-01")
	return &memory{
		h: Household{FamilyID: "f_a", Members: []string{"a@example.fr"}, Children: []family.Child{{ID: "c_1", FirstName: "Léa"}},
			Enrolments: []family.Enrolment{
				{ChildID: "c_1", Activity: calendar.Canteen, Site: "s", From: from},
				{ChildID: "c_1", Activity: calendar.WednesdayCentre, Site: "s", From: from, Until: date.MustParse("2026-12-31")},
			}},
		settings: map[calendar.Activity]family.Activity{},
		days:     map[Slot]*Day{},
	}
}

func (m *memory) Household(_ context.Context, id string) (Household, error) {
	if id != m.h.FamilyID {
		return Household{}, ErrNoHousehold
	}
	return m.h, nil
}

// Activities answers the settings of each activity at the family's one site, "s".
func (m *memory) Activities(context.Context) ([]family.Activity, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads++
	var out []family.Activity
	for a, st := range m.settings {
		st.Activity, st.Site = a, "s"
		out = append(out, st)
	}
	return out, nil
}

func (m *memory) Closures(context.Context) ([]calendar.Closure, error) { return m.closures, nil }

func (m *memory) BookDay(ctx context.Context, s Slot, child string, capacity int, c Change) (Outcome, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.writes++
	if m.fail != nil && m.fail(s) {
		return 0, errWrite
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	d := m.days[s]
	if d == nil {
		d = &Day{Slot: s, Bookings: map[string]Booking{}}
		m.days[s] = d
	}
	if _, ok := d.Bookings[child]; ok {
		return Unchanged, nil
	}
	if capacity > 0 && d.Booked >= capacity {
		return Full, nil
	}
	d.Bookings[child] = Booking{At: c.At, By: c.Who, Channel: c.Channel}
	d.Booked++
	d.History = append(d.History, c)
	return Applied, nil
}

func (m *memory) BookNewDay(_ context.Context, s Slot, capacity int, cs []Change) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.newDay == nil {
		return false, nil
	}
	m.writes++
	store, err := m.newDay(s)
	if !store {
		return false, err
	}
	if _, ok := m.days[s]; ok || capacity > 0 && len(cs) > capacity {
		return false, err
	}
	d := &Day{Slot: s, Bookings: map[string]Booking{}}
	for _, c := range cs {
		d.Bookings[c.ChildID] = Booking{At: c.At, By: c.Who, Channel: c.Channel}
		d.Booked++
		d.History = append(d.History, c)
	}
	m.days[s] = d
	return true, err
}

func (m *memory) CancelDay(_ context.Context, s Slot, child string, c Change) (Outcome, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.writes++
	if m.fail != nil && m.fail(s) {
		return 0, errWrite
	}
	d := m.days[s]
	if d == nil {
		return Unchanged, nil
	}
	if _, ok := d.Bookings[child]; !ok {
		return Unchanged, nil
	}
	delete(d.Bookings, child)
	d.Booked--
	d.History = append(d.History, c)
	return Applied, nil
}

// FamilyDaysOfMonth returns whole days whatever the children asked for: the rules must not rely
// on the projection to keep other families' entries out. Like the store, it refuses no children.
func (m *memory) FamilyDaysOfMonth(_ context.Context, a calendar.Activity, site string, month date.Date, children []string) ([]Day, error) {
	if len(children) == 0 {
		return nil, errors.New("no children")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Day
	for s, d := range m.days {
		if s.Activity == a && s.Site == site && s.Day.MonthKey() == month.MonthKey() {
			out = append(out, *d)
		}
	}
	return out, nil
}

var who = Actor{FamilyID: "f_a", Email: "a@example.fr", Channel: ChannelAPI}

func TestActivityOverridesTheCommuneCutoff(t *testing.T) {
	m := newMemory()
	zero, eight := 0, 8
	m.settings[calendar.WednesdayCentre] = family.Activity{CutoffDays: &zero, CutoffHour: &eight}
	wed := date.MustParse("2026-12-09")
	tests := []struct {
		name string
		a    calendar.Activity
		day  string
		now  time.Time
		want string // "" or a fault type
	}{
		{"own rule: same day before 8:00", calendar.WednesdayCentre, "2026-12-09", wed.At(7, 59, date.Paris), ""},
		{"own rule: same day at 8:00", calendar.WednesdayCentre, "2026-12-09", wed.At(8, 0, date.Paris), "deadline-passed"},
		{"commune rule for the canteen", calendar.Canteen, "2026-12-10", date.MustParse("2026-12-08").At(9, 59, date.Paris), ""},
		{"commune rule at its deadline", calendar.Canteen, "2026-12-11", date.MustParse("2026-12-09").At(10, 0, date.Paris), "deadline-passed"},
		{"after the enrolment ends", calendar.WednesdayCentre, "2027-01-06", wed.At(7, 0, date.Paris), "not-enrolled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := New(m, clock.NewFixed(tt.now), calendar.Default(), cutoff.DefaultPolicy(), Options{})
			_, err := svc.Book(context.Background(), who, "c_1", date.MustParse(tt.day), tt.a)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if f, ok := fault.As(err); !ok || f.Type != tt.want {
				t.Fatalf("got %v, want %s", err, tt.want)
			}
		})
	}
}

func TestSettingsAreCachedForTheirTTL(t *testing.T) {
	m := newMemory()
	clk := clock.NewFixed(date.MustParse("2026-12-01").At(9, 0, date.Paris))
	svc := New(m, clk, calendar.Default(), cutoff.DefaultPolicy(), Options{SettingsTTL: time.Minute})
	ctx := context.Background()
	for _, d := range []string{"2026-12-07", "2026-12-08"} {
		if _, err := svc.Book(ctx, who, "c_1", date.MustParse(d), calendar.Canteen); err != nil {
			t.Fatal(err)
		}
	}
	if m.reads != 1 {
		t.Fatalf("%d settings reads within the TTL, want 1", m.reads)
	}
	clk.Add(time.Minute)
	if _, err := svc.Cancel(ctx, who, "c_1", date.MustParse("2026-12-08"), calendar.Canteen); err != nil {
		t.Fatal(err)
	}
	if m.reads != 2 {
		t.Fatalf("%d settings reads after the TTL, want 2", m.reads)
	}
}

func TestFamilyPlanningHistoryNewestFirst(t *testing.T) {
	m := newMemory()
	clk := clock.NewFixed(date.MustParse("2026-12-01").At(9, 0, date.Paris))
	svc := New(m, clk, calendar.Default(), cutoff.DefaultPolicy(), Options{})
	ctx := context.Background()
	steps := []struct {
		day  string
		book bool
	}{{"2026-12-07", true}, {"2026-12-08", true}, {"2026-12-07", false}}
	for _, s := range steps {
		clk.Add(time.Minute)
		var err error
		if s.book {
			_, err = svc.Book(ctx, who, "c_1", date.MustParse(s.day), calendar.Canteen)
		} else {
			_, err = svc.Cancel(ctx, who, "c_1", date.MustParse(s.day), calendar.Canteen)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	fp, err := svc.FamilyPlanning(ctx, who, date.MustParse("2026-12-01"), date.MustParse("2026-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	h := fp.History
	if len(h) != 3 || h[0].Action != ActionCancel || h[0].Day.String() != "2026-12-07" || h[2].Day.String() != "2026-12-07" || h[2].Action != ActionBook {
		t.Fatalf("history %+v", h)
	}
	if _, err := svc.FamilyPlanning(ctx, Actor{FamilyID: "f_other", Email: "a@example.fr"}, date.MustParse("2026-12-01"), date.MustParse("2026-12-31")); !errors.Is(err, ErrNoFamily) {
		t.Fatalf("unknown family: %v", err)
	}
}

// TestOnlyMembersActOnTheFamily: an account whose family id still names the family, but which
// the family no longer lists among its members (code revoked, link ended), reaches nothing.
func TestOnlyMembersActOnTheFamily(t *testing.T) {
	m := newMemory()
	svc := New(m, clock.NewFixed(date.MustParse("2026-12-01").At(9, 0, date.Paris)), calendar.Default(), cutoff.DefaultPolicy(), Options{})
	ctx := context.Background()
	day, from, to := date.MustParse("2026-12-07"), date.MustParse("2026-12-01"), date.MustParse("2026-12-31")
	if _, err := svc.Book(ctx, who, "c_1", day, calendar.Canteen); err != nil {
		t.Fatal(err)
	}
	long := LongRequest{Children: []string{"c_1"}, Activities: []calendar.Activity{calendar.Canteen}, From: from, To: to,
		Weekdays: []time.Weekday{time.Monday}, Action: ActionCancel}
	tests := []struct {
		name string
		call func(Actor) error
	}{
		{"book", func(a Actor) error {
			_, err := svc.Book(ctx, a, "c_1", date.MustParse("2026-12-08"), calendar.Canteen)
			return err
		}},
		{"cancel", func(a Actor) error { _, err := svc.Cancel(ctx, a, "c_1", day, calendar.Canteen); return err }},
		{"child planning", func(a Actor) error { _, err := svc.ChildPlanning(ctx, a, "c_1", from, to); return err }},
		{"family planning", func(a Actor) error { _, err := svc.FamilyPlanning(ctx, a, from, to); return err }},
		{"household", func(a Actor) error { _, err := svc.Household(ctx, a); return err }},
		{"long-period preview", func(a Actor) error { _, err := svc.PreviewLong(ctx, a, long); return err }},
		{"long-period request", func(a Actor) error { _, err := svc.ApplyLong(ctx, a, long); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(Actor{FamilyID: "f_a", Email: "gone@example.fr", Channel: ChannelAPI})
			if !errors.Is(err, ErrNoFamily) && !errors.Is(err, ErrChildNotFound) {
				t.Fatalf("a former member got %v", err)
			}
		})
	}
	if d := m.days[Slot{Activity: calendar.Canteen, Site: "s", Day: day}]; d == nil || d.Booked != 1 || len(d.History) != 1 {
		t.Fatalf("a former member changed the day: %+v", d)
	}
}

// TestLongPeriodDuplicatesAreWrittenOnce: values repeated anywhere in the request (not only
// side by side) plan and write each (child, activity, day) once.
func TestLongPeriodDuplicatesAreWrittenOnce(t *testing.T) {
	m := newMemory()
	m.h.Children = append(m.h.Children, family.Child{ID: "c_2", FirstName: "Tom"})
	m.h.Enrolments = append(m.h.Enrolments, family.Enrolment{ChildID: "c_2", Activity: calendar.Canteen, Site: "s", From: date.MustParse("2026-09-01")})
	svc := New(m, clock.NewFixed(date.MustParse("2026-12-01").At(9, 0, date.Paris)), calendar.Default(), cutoff.DefaultPolicy(), Options{})
	q := LongRequest{
		Children:   []string{"c_1", "c_2", "c_1"},
		Activities: []calendar.Activity{calendar.Canteen, calendar.WednesdayCentre, calendar.Canteen},
		From:       date.MustParse("2026-12-07"), To: date.MustParse("2026-12-11"),
		Weekdays: []time.Weekday{time.Monday, time.Wednesday, time.Tuesday, time.Monday},
		Action:   ActionBook,
	}
	res, err := svc.ApplyLong(context.Background(), who, q)
	if err != nil {
		t.Fatal(err)
	}
	// Applied: Monday and Tuesday canteen for both children, the Wednesday centre for c_1.
	// Skipped: the centre on Monday and Tuesday and the canteen on Wednesday are closed for c_1
	// and c_2 alike, except that c_2 is not enrolled in the centre at all (three days).
	if len(res.Applied) != 5 || len(res.Skipped) != 7 || m.writes != 5 {
		t.Fatalf("%d applied, %d skipped (%v), %d writes", len(res.Applied), len(res.Skipped), res.SkippedBy(), m.writes)
	}
	seen := map[LongItem]bool{}
	for _, it := range append(res.Applied, res.Skipped...) {
		k := LongItem{Child: it.Child, Date: it.Date, Activity: it.Activity}
		if seen[k] {
			t.Fatalf("%s %s %s reported twice", it.Child.ID, it.Date, it.Activity)
		}
		seen[k] = true
	}
	for _, d := range m.days {
		if len(d.History) != d.Booked {
			t.Fatalf("day %s: %d bookings, %d log entries", d.Day, d.Booked, len(d.History))
		}
	}
}

func TestLongRequestValidate(t *testing.T) {
	ok := LongRequest{Children: []string{"c_1"}, Activities: []calendar.Activity{calendar.Canteen},
		From: date.MustParse("2026-12-07"), To: date.MustParse("2026-12-18"), Weekdays: []time.Weekday{time.Monday}, Action: ActionBook}
	many := func(n int, v string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = v
		}
		return out
	}
	tests := []struct {
		name   string
		change func(*LongRequest)
		fields []string // the fields refused, in order; none when valid
	}{
		{"valid", func(*LongRequest) {}, nil},
		{"duplicates within the bounds", func(q *LongRequest) {
			q.Activities = []calendar.Activity{calendar.Canteen, calendar.EveningCare, calendar.Canteen}
			q.Weekdays = []time.Weekday{time.Monday, time.Friday, time.Monday}
		}, nil},
		{"nothing chosen", func(q *LongRequest) { *q = LongRequest{} }, []string{"children", "activities", "from", "to", "weekdays", "action"}},
		{"too many children", func(q *LongRequest) { q.Children = many(MaxLongPeriodChildren+1, "c_1") }, []string{"children"}},
		{"more activities than exist", func(q *LongRequest) {
			q.Activities = append(calendar.Activities(), calendar.Canteen)
		}, []string{"activities"}},
		{"unknown activity", func(q *LongRequest) { q.Activities = []calendar.Activity{"piscine"} }, []string{"activities"}},
		{"eight weekdays", func(q *LongRequest) { q.Weekdays = make([]time.Weekday, 8) }, []string{"weekdays"}},
		{"weekday out of range", func(q *LongRequest) { q.Weekdays = []time.Weekday{7} }, []string{"weekdays"}},
		{"reversed", func(q *LongRequest) { q.From, q.To = q.To, q.From }, []string{"to"}},
		{"too long", func(q *LongRequest) { q.To = q.From.AddDays(MaxLongPeriodDays) }, []string{"to"}},
		{"bad action", func(q *LongRequest) { q.Action = "swap" }, []string{"action"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := ok
			q.Children, q.Activities, q.Weekdays = slices.Clone(ok.Children), slices.Clone(ok.Activities), slices.Clone(ok.Weekdays)
			tt.change(&q)
			err := q.Validate()
			if tt.fields == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			f, isFault := fault.As(err)
			if !isFault || f.Type != "invalid-fields" {
				t.Fatalf("got %v, want invalid-fields", err)
			}
			var got []string
			for _, fe := range f.Fields {
				if fe.Detail == "" {
					t.Errorf("field %s without a detail", fe.Field)
				}
				got = append(got, fe.Field)
			}
			if !slices.Equal(got, tt.fields) {
				t.Fatalf("fields %v, want %v", got, tt.fields)
			}
		})
	}
}

// TestApplyLongGoesOnAfterAFailedWrite: a day whose write fails is skipped as "error", the other
// days are applied, and the request answers what it did instead of failing.
func TestApplyLongGoesOnAfterAFailedWrite(t *testing.T) {
	m := newMemory()
	bad := date.MustParse("2026-12-08")
	m.fail = func(s Slot) bool { return s.Day == bad }
	svc := New(m, clock.NewFixed(date.MustParse("2026-12-01").At(9, 0, date.Paris)), calendar.Default(), cutoff.DefaultPolicy(), Options{})
	q := LongRequest{Children: []string{"c_1"}, Activities: []calendar.Activity{calendar.Canteen},
		From: date.MustParse("2026-12-07"), To: date.MustParse("2026-12-11"),
		Weekdays: []time.Weekday{time.Monday, time.Tuesday, time.Thursday, time.Friday}, Action: ActionBook}
	res, err := svc.ApplyLong(context.Background(), who, q)
	if err != nil {
		t.Fatalf("the request failed: %v", err)
	}
	if len(res.Applied) != 3 || len(res.Skipped) != 1 {
		t.Fatalf("%d applied, skipped %v", len(res.Applied), res.SkippedBy())
	}
	if s := res.Skipped[0]; s.Date != bad || s.Reason != ReasonError || s.Detail != "erreur technique, réessayez" {
		t.Fatalf("skipped %+v", s)
	}
	if !errors.Is(res.Err, errWrite) {
		t.Fatalf("Err = %v", res.Err)
	}
}

// TestApplyLongStopsWhenItsContextEnds: once the request's context ends, no day is written and
// every day is still accounted for, as applied or as skipped for a reason the parent can act on.
func TestApplyLongStopsWhenItsContextEnds(t *testing.T) {
	m := newMemory()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m.fail = func(Slot) bool { cancel(); return true }
	svc := New(m, clock.NewFixed(date.MustParse("2026-12-01").At(9, 0, date.Paris)), calendar.Default(), cutoff.DefaultPolicy(), Options{})
	q := LongRequest{Children: []string{"c_1"}, Activities: []calendar.Activity{calendar.Canteen},
		From: date.MustParse("2026-12-07"), To: date.MustParse("2026-12-18"),
		Weekdays: []time.Weekday{time.Monday, time.Tuesday, time.Thursday, time.Friday}, Action: ActionBook}
	res, err := svc.ApplyLong(ctx, who, q)
	if err != nil {
		t.Fatalf("the request failed: %v", err)
	}
	// Eight canteen days asked for; the commune calendar closes none of them.
	if len(res.Applied) != 0 || len(res.Skipped) != 8 || res.Err == nil {
		t.Fatalf("%d applied, skipped %v, Err %v", len(res.Applied), res.SkippedBy(), res.Err)
	}
	for _, s := range res.Skipped {
		if s.Reason != ReasonError && s.Reason != ReasonNotAttempted || s.Detail == "" {
			t.Fatalf("skipped %+v", s)
		}
	}
	if len(m.days) != 0 {
		t.Fatalf("days written after the context ended: %d", len(m.days))
	}
}

// TestApplyLongKeepsAFailedNewDayWrite: when the one write creating a new day fails, its error
// is kept in Err (not swallowed), each child is booked on its own, and if that write had in fact
// succeeded, its days are reported "already booked".
func TestApplyLongKeepsAFailedNewDayWrite(t *testing.T) {
	bad := date.MustParse("2026-12-08")
	tests := []struct {
		name    string
		stored  bool // the failed write had in fact been applied
		applied int
		skipped map[Reason]int
	}{
		{"write refused", false, 4, map[Reason]int{}},
		{"answer lost", true, 3, map[Reason]int{ReasonAlreadyBooked: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMemory()
			m.newDay = func(s Slot) (bool, error) {
				if s.Day == bad {
					return tt.stored, errWrite
				}
				return true, nil
			}
			svc := New(m, clock.NewFixed(date.MustParse("2026-12-01").At(9, 0, date.Paris)), calendar.Default(), cutoff.DefaultPolicy(), Options{})
			q := LongRequest{Children: []string{"c_1"}, Activities: []calendar.Activity{calendar.Canteen},
				From: date.MustParse("2026-12-07"), To: date.MustParse("2026-12-11"),
				Weekdays: []time.Weekday{time.Monday, time.Tuesday, time.Thursday, time.Friday}, Action: ActionBook}
			res, err := svc.ApplyLong(context.Background(), who, q)
			if err != nil {
				t.Fatalf("the request failed: %v", err)
			}
			if !errors.Is(res.Err, errWrite) {
				t.Fatalf("Err = %v, want the failed new-day write", res.Err)
			}
			if len(res.Applied) != tt.applied || !maps.Equal(res.SkippedBy(), tt.skipped) {
				t.Fatalf("%d applied, skipped %v; want %d, %v", len(res.Applied), res.SkippedBy(), tt.applied, tt.skipped)
			}
			if d := m.days[Slot{Activity: calendar.Canteen, Site: "s", Day: bad}]; d == nil || d.Booked != 1 || len(d.History) != 1 {
				t.Fatalf("day %s: %+v, want booked once", bad, d)
			}
		})
	}
}
