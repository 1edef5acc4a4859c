package reminders_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/reminders"
	"github.com/preau/preau/shared/reminders/reminderstest"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/secret"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

// outbox records the e-mails sent, and fails those to the addresses in fail.
type outbox struct {
	mu        sync.Mutex
	reminders []reminders.Notice
	summaries []reminders.Summary
	fail      map[string]bool
	onSend    func()
}

var errSES = errors.New("ses: throttled")

func (o *outbox) SendReminder(_ context.Context, n reminders.Notice) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fail[n.To] {
		return errSES
	}
	if o.onSend != nil {
		o.onSend()
	}
	o.reminders = append(o.reminders, n)
	return nil
}

func (o *outbox) SendWeeklySummary(_ context.Context, s reminders.Summary) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fail[s.To] {
		return errSES
	}
	o.summaries = append(o.summaries, s)
	return nil
}

func (o *outbox) to(email string) []reminders.Notice {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []reminders.Notice
	for _, n := range o.reminders {
		if n.To == email {
			out = append(out, n)
		}
	}
	return out
}

var (
	paris    = date.Paris
	sept     = date.MustParse("2026-09-01")
	canteen  = calendar.Canteen
	wedCtr   = calendar.WednesdayCentre
	holiday  = calendar.HolidayCentre
	schoolJF = "jules-ferry"
)

// world is a commune of fake families with a runner over them.
type world struct {
	st  *reminderstest.Store
	box *outbox
	run *reminders.Runner
}

func newWorld(t *testing.T) *world {
	t.Helper()
	st := reminderstest.New()
	for _, a := range calendar.Activities() {
		st.PutActivity(family.Activity{Activity: a, Site: schoolJF, PriceCents: map[string]int64{"A": 120, "B": 250}})
	}
	svc := reservations.New(st, clock.NewFixed(time.Now()), calendar.Default(), cutoff.DefaultPolicy(), reservations.Options{})
	box := &outbox{fail: map[string]bool{}}
	return &world{st: st, box: box, run: &reminders.Runner{Repo: st, Deadlines: svc, Notifier: box, Secret: secret.Fixed(testKey)}}
}

// family adds a family whose children (first names) are enrolled in activities, with one
// confirmed parent per e-mail.
func (w *world) family(id, bracket string, parents []string, children map[string][]calendar.Activity) {
	h := reminders.Household{Family: family.Family{ID: id, Name: "Famille " + id, QuotientBracket: bracket}, Members: parents}
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for n := range children {
			if !yield(n) {
				return
			}
		}
	}) {
		c := family.Child{ID: id + "-" + name, FamilyID: id, FirstName: name, School: schoolJF}
		h.Children = append(h.Children, c)
		for _, a := range children[name] {
			h.Enrolments = append(h.Enrolments, family.Enrolment{ChildID: c.ID, Activity: a, Site: schoolJF, From: sept})
		}
	}
	w.st.PutHousehold(h)
	for _, p := range parents {
		w.st.PutAccount(reminderstest.Account{Email: p, Greeting: "Mme " + id, FamilyID: id, Confirmed: true})
	}
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

type line struct {
	child    string
	activity calendar.Activity
	day      string
	deadline string
}

func lines(n reminders.Notice) []line {
	var out []line
	for _, it := range n.Items {
		out = append(out, line{it.Child.FirstName, it.Activity, it.Day.String(), it.Deadline.In(paris).Format(time.RFC3339)})
	}
	return out
}

func TestDueDaysAcrossHolidaysBridgesAndDST(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   string
		want []line
	}{
		{"an ordinary evening: Wednesday 10h00 closes Friday",
			"2026-12-01T18:00:00+01:00", []line{{"Léa", canteen, "2026-12-04", "2026-12-02T10:00:00+01:00"}}},
		{"Thursday morning: Monday's meal closes today, across the weekend",
			"2026-12-03T07:00:00+01:00", []line{{"Léa", canteen, "2026-12-07", "2026-12-03T10:00:00+01:00"}}},
		{"Ascension and its bridge: the holiday centre runs on the bridge, the canteen does not",
			"2027-05-03T18:00:00+02:00", []line{{"Tom", holiday, "2027-05-07", "2027-05-04T10:00:00+02:00"}}},
		{"after Ascension: Monday's meal closes on Wednesday (the bridge is a working day)",
			"2027-05-04T18:00:00+02:00", []line{{"Léa", canteen, "2027-05-10", "2027-05-05T10:00:00+02:00"}}},
		{"Christmas holidays: nothing runs but the holiday centre",
			"2026-12-17T18:00:00+01:00", []line{{"Tom", holiday, "2026-12-22", "2026-12-18T10:00:00+01:00"}}},
		{"the night back to winter time: Monday 10h00 (+01:00) closes Wednesday's holiday centre",
			"2026-10-25T18:00:00+01:00", []line{{"Tom", holiday, "2026-10-28", "2026-10-26T10:00:00+01:00"}}},
		{"before summer time and Easter Monday: Friday 10h00 (+01:00) closes Wednesday",
			"2027-03-26T07:00:00+01:00", []line{{"Tom", wedCtr, "2027-03-31", "2027-03-26T10:00:00+01:00"}}},
		{"after them: Tuesday 10h00 (+02:00) closes Thursday",
			"2027-03-29T18:00:00+02:00", []line{{"Léa", canteen, "2027-04-01", "2027-03-30T10:00:00+02:00"}}},
		{"a deadline at the run's instant has passed; one at the window's end is in",
			"2026-12-01T10:00:00+01:00", []line{{"Léa", canteen, "2026-12-04", "2026-12-02T10:00:00+01:00"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.family("f1", "B", []string{"p@f1.fr"}, map[string][]calendar.Activity{"Léa": {canteen}, "Tom": {holiday, wedCtr}})
			w.st.SetReminderPreferences(context.Background(), "p@f1.fr",
				reminders.Preferences{Enabled: true, Activities: calendar.Activities(), Weekdays: reminders.Weekdays()})
			rep, err := w.run.Remind(context.Background(), at(tc.at), time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			got := w.box.to("p@f1.fr")
			if len(got) != 1 || rep.Sent != 1 {
				t.Fatalf("sent %d e-mails (report %+v), want 1", len(got), rep)
			}
			if g := lines(got[0]); !slices.Equal(g, tc.want) {
				t.Errorf("items\n got %v\nwant %v", g, tc.want)
			}
		})
	}
}

func TestPricesAreWhatBillingCharges(t *testing.T) {
	w := newWorld(t)
	w.family("f1", "A", []string{"a@f1.fr"}, map[string][]calendar.Activity{"Léa": {canteen}})
	w.family("f2", "", []string{"a@f2.fr"}, map[string][]calendar.Activity{"Zoé": {canteen}})
	w.family("f3", "A", []string{"a@f3.fr"}, map[string][]calendar.Activity{"Tom": {canteen}})
	h, _ := w.st.ReminderHousehold(context.Background(), "f3")
	h.Family.NonResident = true
	w.st.PutHousehold(h)
	w.st.PutActivity(family.Activity{Activity: canteen, Site: schoolJF, PriceCents: map[string]int64{"A": 120, "B": 250}, NonResidentPriceCents: 600})
	w.family("f4", "A", []string{"a@f4.fr"}, map[string][]calendar.Activity{"Ana": {calendar.MorningCare}})
	w.st.PutActivity(family.Activity{Activity: calendar.MorningCare, Site: schoolJF})
	w.st.SetReminderPreferences(context.Background(), "a@f4.fr", reminders.Preferences{Enabled: true, Activities: calendar.Activities(), Weekdays: reminders.Weekdays()})
	if _, err := w.run.Remind(context.Background(), at("2026-12-01T18:00:00+01:00"), time.Time{}); err != nil {
		t.Fatal(err)
	}
	for to, want := range map[string]int64{"a@f1.fr": 120, "a@f2.fr": 250, "a@f3.fr": 600} {
		if it := w.box.to(to)[0].Items[0]; !it.Priced || it.PriceCents != want {
			t.Errorf("%s: %+v, want %d cents", to, it, want)
		}
	}
	if it := w.box.to("a@f4.fr")[0].Items[0]; it.Priced {
		t.Errorf("an activity without prices: %+v, want no price", it)
	}
}

func TestPartialBookings(t *testing.T) {
	w := newWorld(t)
	w.family("f1", "B", []string{"p@f1.fr", "q@f1.fr"}, map[string][]calendar.Activity{"Léa": {canteen}, "Hugo": {canteen}})
	w.family("f2", "B", []string{"p@f2.fr"}, map[string][]calendar.Activity{"Emma": {canteen}})
	friday := reservations.Slot{Activity: canteen, Site: schoolJF, Day: date.MustParse("2026-12-04")}
	w.st.Book(friday, "f1-Léa") // Hugo is not booked
	w.st.Book(friday, "f2-Emma")
	rep, err := w.run.Remind(context.Background(), at("2026-12-01T18:00:00+01:00"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"p@f1.fr", "q@f1.fr"} {
		got := w.box.to(p)
		if len(got) != 1 || !slices.Equal(lines(got[0]), []line{{"Hugo", canteen, "2026-12-04", "2026-12-02T10:00:00+01:00"}}) {
			t.Errorf("%s got %v, want Hugo's Friday only", p, got)
		}
	}
	if got := w.box.to("p@f2.fr"); len(got) != 0 {
		t.Errorf("everything booked, yet %d e-mails", len(got))
	}
	if rep.Sent != 2 {
		t.Errorf("report %+v, want 2 sent", rep)
	}
}

func TestNothingForUnconfirmedUnlinkedOrUnenrolled(t *testing.T) {
	w := newWorld(t)
	w.family("f1", "B", nil, map[string][]calendar.Activity{"Léa": {canteen}})
	w.st.PutAccount(reminderstest.Account{Email: "unconfirmed@f1.fr", FamilyID: "f1"})
	w.st.PutAccount(reminderstest.Account{Email: "left@f1.fr", FamilyID: "f9", Confirmed: true})
	h, _ := w.st.ReminderHousehold(context.Background(), "f1")
	h.Members = []string{"unconfirmed@f1.fr", "left@f1.fr", "gone@f1.fr"}
	w.st.PutHousehold(h)
	w.family("f2", "B", []string{"p@f2.fr"}, map[string][]calendar.Activity{"Zoé": nil})
	rep, err := w.run.Remind(context.Background(), at("2026-12-01T18:00:00+01:00"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sent != 0 || rep.Candidates != 0 || len(w.box.reminders) != 0 {
		t.Errorf("report %+v, %d e-mails: want nothing", rep, len(w.box.reminders))
	}
}

func TestPreferences(t *testing.T) {
	all := calendar.Activities()
	for _, tc := range []struct {
		name  string
		prefs *reminders.Preferences
		want  []line
	}{
		{"default: the canteen only", nil, []line{{"Hugo", canteen, "2026-12-11", "2026-12-09T10:00:00+01:00"}}},
		{"every activity", &reminders.Preferences{Enabled: true, Activities: all, Weekdays: reminders.Weekdays()},
			[]line{{"Hugo", canteen, "2026-12-11", "2026-12-09T10:00:00+01:00"}, {"Hugo", calendar.EveningCare, "2026-12-11", "2026-12-09T10:00:00+01:00"}}},
		{"Hugo never eats at the canteen on Friday",
			&reminders.Preferences{Enabled: true, Activities: all, Weekdays: []time.Weekday{time.Monday, time.Tuesday, time.Thursday}}, nil},
		{"off", &reminders.Preferences{Enabled: false, Activities: all, Weekdays: reminders.Weekdays()}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.family("f1", "B", []string{"p@f1.fr"}, map[string][]calendar.Activity{"Hugo": {canteen, calendar.EveningCare}})
			if tc.prefs != nil {
				if err := w.st.SetReminderPreferences(context.Background(), "p@f1.fr", *tc.prefs); err != nil {
					t.Fatal(err)
				}
			}
			rep, err := w.run.Remind(context.Background(), at("2026-12-08T18:00:00+01:00"), time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			got := w.box.to("p@f1.fr")
			if tc.want == nil {
				if len(got) != 0 || rep.OptedOut != 1 {
					t.Errorf("got %v (report %+v), want nothing and one opted out", got, rep)
				}
				return
			}
			if len(got) != 1 || !slices.Equal(lines(got[0]), tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPreferencesNormalise(t *testing.T) {
	p, err := reminders.Preferences{Enabled: true, Activities: []calendar.Activity{wedCtr, canteen, canteen},
		Weekdays: []time.Weekday{time.Friday, time.Monday}}.Normalise()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Activities, []calendar.Activity{canteen, wedCtr}) || !slices.Equal(p.Weekdays, []time.Weekday{time.Monday, time.Friday}) {
		t.Errorf("normalised %+v", p)
	}
	for _, bad := range []reminders.Preferences{
		{Activities: []calendar.Activity{"piscine"}},
		{Weekdays: []time.Weekday{time.Sunday}},
	} {
		if _, err := bad.Normalise(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestNeverTwiceUnderRetryAndOverlappingRuns(t *testing.T) {
	w := newWorld(t)
	var parents []string
	for _, id := range []string{"f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8"} {
		p := "p@" + id + ".fr"
		parents = append(parents, p)
		w.family(id, "B", []string{p}, map[string][]calendar.Activity{"Léa": {canteen}})
	}
	now := at("2026-12-01T18:00:00+01:00")
	var wg sync.WaitGroup
	reports := make([]reminders.Report, 4)
	for i := range reports {
		wg.Go(func() {
			rep, err := w.run.Remind(context.Background(), now, time.Time{})
			if err != nil {
				t.Error(err)
			}
			reports[i] = rep
		})
	}
	wg.Wait()
	// The retry of a run that succeeded (Lambda delivering the event again).
	retry, err := w.run.Remind(context.Background(), now, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	sent := 0
	for _, r := range reports {
		sent += r.Sent
	}
	if sent != len(parents) || retry.Sent != 0 || retry.AlreadySent != len(parents) {
		t.Errorf("overlapping runs sent %d (want %d), the retry %+v", sent, len(parents), retry)
	}
	for _, p := range parents {
		if n := len(w.box.to(p)); n != 1 {
			t.Errorf("%s got %d e-mails, want 1", p, n)
		}
	}
	// The morning run stands for another instant but the same deadline: still nothing new.
	morning, err := w.run.Remind(context.Background(), at("2026-12-02T07:00:00+01:00"), time.Time{})
	if err != nil || morning.Sent != 0 {
		t.Errorf("morning run: %+v, %v; want nothing sent", morning, err)
	}
}

func TestFailedSendIsRetriedByTheNextRun(t *testing.T) {
	w := newWorld(t)
	for _, id := range []string{"f1", "f2", "f3"} {
		w.family(id, "B", []string{"p@" + id + ".fr"}, map[string][]calendar.Activity{"Léa": {canteen}})
	}
	w.box.fail["p@f2.fr"] = true
	now := at("2026-12-01T18:00:00+01:00")
	rep, err := w.run.Remind(context.Background(), now, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sent != 2 || rep.Failed != 1 || len(w.box.to("p@f1.fr")) != 1 || len(w.box.to("p@f3.fr")) != 1 {
		t.Fatalf("first run %+v: want the two others sent and one failure", rep)
	}
	delete(w.box.fail, "p@f2.fr")
	rep, err = w.run.Remind(context.Background(), at("2026-12-02T07:00:00+01:00"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sent != 1 || len(w.box.to("p@f2.fr")) != 1 || len(w.box.to("p@f1.fr")) != 1 {
		t.Errorf("next run %+v: want only the failed parent's e-mail", rep)
	}
	if got := w.box.to("p@f2.fr")[0]; !got.At.Equal(at("2026-12-02T07:00:00+01:00")) {
		t.Errorf("retried e-mail tells deadlines from %s", got.At)
	}
}

func TestRunStoppedHalfWayLosesNothing(t *testing.T) {
	w := newWorld(t)
	var parents []string
	for _, id := range []string{"f1", "f2", "f3", "f4", "f5"} {
		parents = append(parents, "p@"+id+".fr")
		w.family(id, "B", []string{"p@" + id + ".fr"}, map[string][]calendar.Activity{"Léa": {canteen}})
	}
	now := at("2026-12-01T18:00:00+01:00")
	// A run killed between claiming p@f1's marker and sending: the claim stays behind.
	real := time.Date(2026, 12, 1, 17, 0, 0, 0, time.UTC)
	ok, err := w.st.ClaimMarker(context.Background(), reminders.Marker{Email: "p@f1.fr",
		Key: reminders.DeadlineKey(at("2026-12-02T10:00:00+01:00")), Claim: "killed"}, real, real.Add(-time.Hour))
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	// An invocation whose time budget runs out after two e-mails (each takes a minute here).
	clk := clock.NewFixed(real.Add(time.Minute))
	w.box.onSend = func() { clk.Add(time.Minute) }
	w.run.Workers = 1
	w.run.Now = clk.Now
	rep, err := w.run.Remind(context.Background(), now, real.Add(3*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Unfinished || rep.Sent == 0 || rep.Sent >= len(parents)-1 {
		t.Fatalf("budgeted run %+v: want some sent and the run unfinished", rep)
	}
	// The continuation, within the killed run's lease: p@f1 is still held by it.
	rep2, err := w.run.Remind(context.Background(), now, time.Time{})
	if err != nil || rep2.Unfinished {
		t.Fatal(rep2, err)
	}
	if n := len(w.box.to("p@f1.fr")); n != 0 {
		t.Errorf("a live claim was taken over: %d e-mails", n)
	}
	// Once the lease is over, the next run takes the abandoned claim and sends.
	clk.Add(30 * time.Minute)
	if _, err := w.run.Remind(context.Background(), at("2026-12-02T07:00:00+01:00"), time.Time{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range parents {
		if n := len(w.box.to(p)); n != 1 {
			t.Errorf("%s got %d e-mails, want exactly 1", p, n)
		}
	}
}

// TestNoKeyNoRun: a run whose secret key cannot be had (its read failed) fails without
// claiming or sending anything, so the schedule's retry, or the next run, sends every e-mail;
// no e-mail ever carries an unsubscribe link signed with no key.
func TestNoKeyNoRun(t *testing.T) {
	w := newWorld(t)
	w.family("f1", "B", []string{"p@f1.fr"}, map[string][]calendar.Activity{"Léa": {canteen}})
	ctx := context.Background()
	good := w.run.Secret
	w.run.Secret = secret.Load(func() ([]byte, error) { return nil, errors.New("ssm: GetParameter: AccessDeniedException") })
	now := at("2026-12-01T18:00:00+01:00")
	if _, err := w.run.Remind(ctx, now, time.Time{}); !errors.Is(err, secret.ErrUnavailable) {
		t.Fatalf("remind without a key: %v", err)
	}
	if _, err := w.run.Summarise(ctx, at("2026-12-04T18:00:00+01:00"), time.Time{}); !errors.Is(err, secret.ErrUnavailable) {
		t.Fatalf("summarise without a key: %v", err)
	}
	if len(w.box.to("p@f1.fr")) != 0 || len(w.box.summaries) != 0 {
		t.Fatal("e-mails sent without a key")
	}
	w.run.Secret = good
	if rep, err := w.run.Remind(ctx, now, time.Time{}); err != nil || rep.Sent != 1 {
		t.Fatalf("run with the key: %+v, %v", rep, err)
	}
	tok := w.box.to("p@f1.fr")[0].Unsubscribe
	if email, ok := reminders.VerifyUnsubscribe(testKey, tok); !ok || email != "p@f1.fr" {
		t.Fatalf("unsubscribe link %q not signed with the key", tok)
	}
}

func TestWeeklySummary(t *testing.T) {
	w := newWorld(t)
	w.family("f1", "B", []string{"p@f1.fr", "q@f1.fr"}, map[string][]calendar.Activity{"Léa": {canteen, wedCtr}, "Hugo": {canteen}})
	ctx := context.Background()
	if err := w.st.SetReminderPreferences(ctx, "p@f1.fr", reminders.Preferences{Enabled: false, WeeklySummary: true}); err != nil {
		t.Fatal(err)
	}
	w.st.Book(reservations.Slot{Activity: canteen, Site: schoolJF, Day: date.MustParse("2026-12-07")}, "f1-Léa")
	w.st.Book(reservations.Slot{Activity: wedCtr, Site: schoolJF, Day: date.MustParse("2026-12-09")}, "f1-Léa")
	w.st.Book(reservations.Slot{Activity: canteen, Site: schoolJF, Day: date.MustParse("2026-12-07")}, "f1-Hugo")
	w.st.Book(reservations.Slot{Activity: canteen, Site: schoolJF, Day: date.MustParse("2026-12-14")}, "f1-Hugo") // the week after
	friday := at("2026-12-04T18:00:00+01:00")
	for range 2 {
		if _, err := w.run.Summarise(ctx, friday, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	if len(w.box.summaries) != 1 {
		t.Fatalf("%d summaries, want 1 (to the parent who asked, once)", len(w.box.summaries))
	}
	s := w.box.summaries[0]
	var got []string
	for _, b := range s.Bookings {
		got = append(got, b.Day.String()+" "+b.Child.FirstName+" "+string(b.Activity))
	}
	want := []string{"2026-12-07 Hugo cantine", "2026-12-07 Léa cantine", "2026-12-09 Léa mercredi"}
	if s.To != "p@f1.fr" || s.Monday != date.MustParse("2026-12-07") || !slices.Equal(got, want) {
		t.Errorf("summary to %s for %s: %v, want %v", s.To, s.Monday, got, want)
	}
}

func TestNextMonday(t *testing.T) {
	for d, want := range map[string]string{"2026-12-04": "2026-12-07", "2026-12-06": "2026-12-07", "2026-12-07": "2026-12-14"} {
		if got := reminders.NextMonday(date.MustParse(d)); got.String() != want {
			t.Errorf("NextMonday(%s) = %s, want %s", d, got, want)
		}
	}
}

func TestUnsubscribeLink(t *testing.T) {
	tok := reminders.UnsubscribeToken(testKey, "lea@example.fr")
	if got, ok := reminders.VerifyUnsubscribe(testKey, tok); !ok || got != "lea@example.fr" {
		t.Fatalf("valid token: %q, %v", got, ok)
	}
	other := reminders.UnsubscribeToken(testKey, "hugo@example.fr")
	_, sigOther, _ := cut(other)
	addr, sig, _ := cut(tok)
	for name, bad := range map[string]string{
		"another parent's address with this signature": cut2(other, sig),
		"this address with another parent's signature": addr + "." + sigOther,
		"made with another key":                        reminders.UnsubscribeToken([]byte("another key, another key, another"), "lea@example.fr"),
		"signature altered":                            addr + "." + flip(sig),
		"no signature":                                 addr,
		"empty":                                        "",
		"not base64":                                   "***." + sig,
	} {
		if got, ok := reminders.VerifyUnsubscribe(testKey, bad); ok {
			t.Errorf("%s: accepted for %q", name, got)
		}
	}
}

func cut(tok string) (string, string, bool) {
	for i := range tok {
		if tok[i] == '.' {
			return tok[:i], tok[i+1:], true
		}
	}
	return tok, "", false
}

func cut2(tok, sig string) string { a, _, _ := cut(tok); return a + "." + sig }

func flip(s string) string {
	b := []byte(s)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}
