package retention_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/preau/preau/infra/dynamotest"
	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/retention"
	"github.com/preau/preau/shared/store"
)

type warning struct {
	To, Name, Inactive string
	DeleteOn           date.Date
}

type mailbox struct {
	mu   sync.Mutex
	sent []warning
	fail bool
}

func (m *mailbox) SendInactiveWarning(_ context.Context, to, name, inactive string, deleteOn date.Date, _ string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail {
		return errors.New("ses: throttled")
	}
	m.sent = append(m.sent, warning{to, name, inactive, deleteOn})
	return nil
}

func (m *mailbox) take() []warning {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.sent
	m.sent = nil
	return out
}

func paris(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, date.Paris)
	if err != nil {
		panic(err)
	}
	return t
}

// The job at a moved clock deletes exactly what is due, warning first, and nothing else.
func TestRetentionJobWithAMovedClock(t *testing.T) {
	env := dynamotest.New(t)
	st := store.New(env.Client, store.Tables{Data: env.DataTable, Session: env.SessionTable})
	ctx := context.Background()
	box := &mailbox{}
	job := &retention.Job{Policy: retention.Default(), Store: st, Mail: box, LoginLink: "https://portail.example.fr/connexion"}

	account := func(email string, created time.Time, confirmed bool, family string) {
		t.Helper()
		a := accounts.Account{Email: email, Civility: "Mme", LastName: "Nom-" + email[:3], FirstName: "P", PasswordHash: "x",
			CreatedAt: created, FamilyID: family, SessionStamp: "s"}
		if confirmed {
			a.ConfirmedAt = created.Add(10 * time.Minute)
		}
		if err := st.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		if family != "" {
			if err := st.AddMember(ctx, family, email, created); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Start: Tuesday 1 December 2026, 03:30.
	start := paris("2026-12-01 03:30")
	account("idle@exemple.fr", paris("2023-11-01 10:00"), true, "f_idle") // confirmed 3 years + 1 month ago, never back
	account("back@exemple.fr", paris("2023-11-01 10:00"), true, "")       // same, but signed in last year
	account("new@exemple.fr", paris("2026-11-20 18:00"), true, "")        // in use
	account("limbo@exemple.fr", paris("2026-10-30 12:00"), false, "")     // never confirmed, 32 days
	account("fresh@exemple.fr", paris("2026-12-01 03:00"), false, "")     // never confirmed, half an hour ago
	account("edge@exemple.fr", paris("2023-12-01 03:20"), true, "")       // confirmed at 03:30 exactly 3 years ago
	if err := st.RecordLogin(ctx, "back@exemple.fr", paris("2025-06-02 08:00")); err != nil {
		t.Fatal(err)
	}
	if err := st.PutFamily(ctx, familyOf("f_idle")); err != nil {
		t.Fatal(err)
	}
	old := reservations.Slot{Activity: calendar.Canteen, Site: "jules-ferry", Day: date.New(2015, time.December, 17)}
	kept := reservations.Slot{Activity: calendar.Canteen, Site: "jules-ferry", Day: date.New(2016, time.January, 4)}
	for _, sl := range []reservations.Slot{old, kept} {
		if _, err := st.BookDay(ctx, sl, "c_1", 0, reservations.Change{Who: "idle@exemple.fr", At: start.AddDate(-11, 0, 0),
			Channel: reservations.ChannelWeb, Action: reservations.ActionBook, ChildID: "c_1"}); err != nil {
			t.Fatal(err)
		}
	}

	exists := func(email string) bool {
		_, err := st.Account(ctx, email)
		if err != nil && !errors.Is(err, accounts.ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}
	want := func(step string, rep retention.Report, warned []string, present, gone []string) {
		t.Helper()
		var to []string
		for _, w := range box.take() {
			to = append(to, w.To)
		}
		slices.Sort(to)
		if !slices.Equal(to, warned) {
			t.Errorf("%s: warned %v, want %v (report %+v)", step, to, warned, rep)
		}
		for _, e := range present {
			if !exists(e) {
				t.Errorf("%s: %s was deleted", step, e)
			}
		}
		for _, e := range gone {
			if exists(e) {
				t.Errorf("%s: %s is still there", step, e)
			}
		}
	}

	// Night 1: the idle and edge accounts are warned (not deleted), the old unconfirmed one goes,
	// and the days of 2015 are purged (2016 is kept until 2027).
	rep, err := job.Run(ctx, start)
	if err != nil {
		t.Fatal(err)
	}
	want("night 1", rep, []string{"edge@exemple.fr", "idle@exemple.fr"},
		[]string{"idle@exemple.fr", "back@exemple.fr", "new@exemple.fr", "fresh@exemple.fr", "edge@exemple.fr"},
		[]string{"limbo@exemple.fr"})
	if rep.Warned != 2 || rep.Unconfirmed != 1 || rep.Deleted != 0 || rep.Days != 1 {
		t.Errorf("night 1 report %+v", rep)
	}
	if d, err := st.Day(ctx, old); err != nil || len(d.Bookings) != 0 {
		t.Errorf("the 2015 day is still there: %+v, %v", d, err)
	}
	if d, err := st.Day(ctx, kept); err != nil || len(d.Bookings) != 1 {
		t.Errorf("the 2016 day was touched: %+v, %v", d, err)
	}

	// The edge account's parent signs in after the warning: it is kept from then on.
	if err := st.RecordLogin(ctx, "edge@exemple.fr", start.Add(36*time.Hour)); err != nil {
		t.Fatal(err)
	}

	// Night 2, a day later: nothing new (no second warning).
	rep, err = job.Run(ctx, start.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	want("night 2", rep, nil, []string{"idle@exemple.fr", "edge@exemple.fr"}, nil)

	// 29 days and 23 hours after the warning: still there.
	rep, err = job.Run(ctx, start.AddDate(0, 0, 30).Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want("day 29", rep, nil, []string{"idle@exemple.fr", "edge@exemple.fr", "fresh@exemple.fr"}, nil)

	// 30 days after the warning: the idle account goes, with its family membership; the one that
	// came back stays; the fresh unconfirmed account has passed its 30 days too.
	rep, err = job.Run(ctx, start.AddDate(0, 0, 30))
	if err != nil {
		t.Fatal(err)
	}
	want("day 30", rep, nil, []string{"edge@exemple.fr", "back@exemple.fr", "new@exemple.fr"},
		[]string{"idle@exemple.fr", "fresh@exemple.fr"})
	if rep.Deleted != 1 || rep.Unconfirmed != 1 {
		t.Errorf("day 30 report %+v", rep)
	}
	rec, err := st.Family(ctx, "f_idle")
	if err != nil || len(rec.Members) != 0 {
		t.Errorf("the deleted account is still a member of its family: %+v, %v", rec.Members, err)
	}

	// The one who signed in last year is warned three years after that sign-in, not before.
	if _, err := job.Run(ctx, paris("2028-06-02 07:59")); err != nil {
		t.Fatal(err)
	}
	if got := box.take(); slices.ContainsFunc(got, func(w warning) bool { return w.To == "back@exemple.fr" }) {
		t.Errorf("back@ warned before 3 years: %+v", got)
	}
	if _, err := job.Run(ctx, paris("2028-06-02 08:00")); err != nil {
		t.Fatal(err)
	}
	if got := box.take(); !slices.ContainsFunc(got, func(w warning) bool {
		return w.To == "back@exemple.fr" && w.Inactive == "3 ans" && w.DeleteOn == date.New(2028, time.July, 2)
	}) {
		t.Errorf("back@ not warned at 3 years, with its deletion date: %+v", got)
	}
}

// A warning that could not be sent is taken back: the account is warned again next night, and
// not deleted 30 days after a warning nobody received.
func TestUnsentWarningIsNotCounted(t *testing.T) {
	env := dynamotest.New(t)
	st := store.New(env.Client, store.Tables{Data: env.DataTable, Session: env.SessionTable})
	ctx := context.Background()
	box := &mailbox{fail: true}
	job := &retention.Job{Policy: retention.Default(), Store: st, Mail: box}
	created := paris("2023-01-02 09:00")
	if err := st.CreateAccount(ctx, accounts.Account{Email: "idle@exemple.fr", LastName: "Idle", PasswordHash: "x",
		CreatedAt: created, ConfirmedAt: created, SessionStamp: "s"}); err != nil {
		t.Fatal(err)
	}
	now := paris("2026-12-01 03:30")
	if _, err := job.Run(ctx, now); err == nil {
		t.Fatal("a failed warning did not fail the run (it would not be retried)")
	}
	box.fail = false
	if _, err := job.Run(ctx, now.AddDate(0, 0, 31)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Account(ctx, "idle@exemple.fr"); err != nil {
		t.Fatalf("deleted without a warning received: %v", err)
	}
	if got := box.take(); len(got) != 1 {
		t.Errorf("warnings %+v, want one now", got)
	}
}

func familyOf(id string) family.Family {
	return family.Family{ID: id, Name: "Famille Idle", SubscriberCode: "BLENFANCE-12087-AAAA-BBBB", QuotientBracket: "A"}
}

// A deletion stopped half-way (the family membership's removal fails after the decision) leaves
// nothing that the next night cannot find: the account is still there, and the next run removes
// the membership and then the account.
func TestDeletionStoppedHalfWayIsFinishedNextRun(t *testing.T) {
	env := dynamotest.New(t)
	ctx := context.Background()
	var failMember atomic.Bool
	failMember.Store(true)
	client := dynamodb.New(env.Client.Options(), func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("stop", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if del, ok := in.Parameters.(*dynamodb.DeleteItemInput); ok && failMember.Load() {
					if sk, ok := del.Key["SK"].(*types.AttributeValueMemberS); ok && strings.HasPrefix(sk.Value, "MEMBER#") {
						return middleware.InitializeOutput{}, middleware.Metadata{}, errors.New("the function stopped here")
					}
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
		})
	})
	st := store.New(client, store.Tables{Data: env.DataTable, Session: env.SessionTable})
	job := &retention.Job{Policy: retention.Default(), Store: st, Mail: &mailbox{}, LoginLink: "https://portail.example.fr/connexion"}
	created := paris("2023-11-01 10:00")
	if err := st.PutFamily(ctx, familyOf("f_idle")); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateAccount(ctx, accounts.Account{Email: "idle@exemple.fr", Civility: "Mme", LastName: "Idle", FirstName: "P", PasswordHash: "x",
		CreatedAt: created, ConfirmedAt: created, FamilyID: "f_idle", SessionStamp: "s"}); err != nil {
		t.Fatal(err)
	}
	if err := st.AddMember(ctx, "f_idle", "idle@exemple.fr", created); err != nil {
		t.Fatal(err)
	}
	warn := paris("2026-12-01 03:30")
	if _, err := job.Run(ctx, warn); err != nil {
		t.Fatal(err)
	}
	due := warn.AddDate(0, 0, 31)
	if _, err := job.Run(ctx, due); err == nil {
		t.Fatal("the run whose membership removal failed reports no failure")
	}
	if _, err := st.Account(ctx, "idle@exemple.fr"); err != nil {
		t.Fatalf("the account was deleted before its membership: %v", err)
	}
	failMember.Store(false)
	rep, err := job.Run(ctx, due.Add(24*time.Hour))
	if err != nil || rep.Deleted != 1 {
		t.Fatalf("next run: %+v, %v", rep, err)
	}
	if _, err := st.Account(ctx, "idle@exemple.fr"); !errors.Is(err, accounts.ErrNotFound) {
		t.Errorf("the account survived the second run: %v", err)
	}
	if rec, err := st.Family(ctx, "f_idle"); err != nil || len(rec.Members) != 0 {
		t.Errorf("the membership survived: %+v, %v", rec.Members, err)
	}
}
