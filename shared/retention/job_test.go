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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/preau/preau/infra/dynamotest"
	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/messages"
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

// Accounts of an earlier version (not in GSI1) are found by the first run's one Scan and put in
// GSI1; later runs find old and new accounts, and the days past their retention, without a Scan.
func TestRetentionScansOnceThenQueries(t *testing.T) {
	env := dynamotest.New(t)
	ctx := context.Background()
	var scans atomic.Int32
	client := dynamodb.New(env.Client.Options(), func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("scans", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if _, ok := in.Parameters.(*dynamodb.ScanInput); ok {
					scans.Add(1)
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
		})
	})
	st := store.New(client, store.Tables{Data: env.DataTable, Session: env.SessionTable})
	box := &mailbox{}
	job := &retention.Job{Policy: retention.Default(), Store: st, Mail: box, LoginLink: "https://portail.example.fr/connexion"}

	// Two accounts as an earlier version wrote them: no GSI1PK, no GSI1SK.
	raw := func(email string, created time.Time) {
		t.Helper()
		at := &types.AttributeValueMemberS{Value: created.UTC().Format(time.RFC3339Nano)}
		if _, err := env.Client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &env.DataTable, Item: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "ACCOUNT#" + email}, "SK": &types.AttributeValueMemberS{Value: "ACCOUNT"},
			"email": &types.AttributeValueMemberS{Value: email}, "civility": &types.AttributeValueMemberS{Value: "M."},
			"lastName": &types.AttributeValueMemberS{Value: "Ancien"}, "firstName": &types.AttributeValueMemberS{Value: "P"},
			"passwordHash": &types.AttributeValueMemberS{Value: "x"}, "sessionStamp": &types.AttributeValueMemberS{Value: "s"},
			"createdAt": at, "confirmedAt": at}}); err != nil {
			t.Fatal(err)
		}
	}
	raw("old-idle@exemple.fr", paris("2023-11-01 10:00")) // unused for 3 years: warned, then deleted
	raw("old-used@exemple.fr", paris("2026-06-01 10:00")) // in use: kept
	indexed := func(email string) bool {
		t.Helper()
		out, err := env.Client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &env.DataTable, Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "ACCOUNT#" + email}, "SK": &types.AttributeValueMemberS{Value: "ACCOUNT"}}})
		if err != nil {
			t.Fatal(err)
		}
		pk, _ := out.Item["GSI1PK"].(*types.AttributeValueMemberS)
		sk, _ := out.Item["GSI1SK"].(*types.AttributeValueMemberS)
		return pk != nil && pk.Value == "ACCOUNTS" && sk != nil && sk.Value == email
	}

	site := "jules-ferry"
	if err := st.PutActivity(ctx, family.Activity{Activity: calendar.Canteen, Site: site, SiteName: "Jules Ferry", Capacity: 100,
		PriceCents: map[string]int64{"A": 100}}); err != nil {
		t.Fatal(err)
	}
	slot := func(s string) reservations.Slot {
		return reservations.Slot{Activity: calendar.Canteen, Site: site, Day: date.MustParse(s)}
	}
	past2015, jan2016, mar2016, dec2016, feb2017 := slot("2015-12-17"), slot("2016-01-04"), slot("2016-03-10"), slot("2016-12-30"), slot("2017-02-01")
	for _, sl := range []reservations.Slot{past2015, jan2016, mar2016, dec2016, feb2017} {
		for _, c := range []string{"c_1", "c_2"} {
			if _, err := st.BookDay(ctx, sl, c, 0, reservations.Change{Who: "old-used@exemple.fr", At: paris("2015-09-01 10:00"),
				Channel: reservations.ChannelWeb, Action: reservations.ActionBook, ChildID: c}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Which of the days are still stored, read raw: the counter and the children's items.
	stored := func(step string, kept []reservations.Slot, gone []reservations.Slot) {
		t.Helper()
		count := func(sl reservations.Slot) int {
			out, err := env.Client.Query(ctx, &dynamodb.QueryInput{TableName: &env.DataTable,
				KeyConditionExpression: aws.String("PK = :pk"),
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":pk": &types.AttributeValueMemberS{Value: "DAY#" + string(calendar.Canteen) + "#" + site + "#" + sl.Day.MonthKey()}}})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, it := range out.Items {
				sk, _ := it["SK"].(*types.AttributeValueMemberS)
				counter := sk != nil && sk.Value == sl.Day.String()
				// A child's day: CHILD#<childId>#<day>.
				child := sk != nil && strings.HasPrefix(sk.Value, "CHILD#") && strings.HasSuffix(sk.Value, "#"+sl.Day.String())
				if counter || child {
					n++
				}
			}
			return n
		}
		for _, sl := range kept {
			if n := count(sl); n != 3 {
				t.Errorf("%s: %s has %d items, want its counter and 2 children's", step, sl.Day, n)
			}
		}
		for _, sl := range gone {
			if n := count(sl); n != 0 {
				t.Errorf("%s: %s still has %d items", step, sl.Day, n)
			}
		}
	}
	run := func(step string, now time.Time, wantScans int32, wantAccounts int) retention.Report {
		t.Helper()
		rep, err := job.Run(ctx, now)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if got := scans.Load(); got != wantScans {
			t.Errorf("%s: %d Scans in all, want %d", step, got, wantScans)
		}
		if rep.Accounts != wantAccounts {
			t.Errorf("%s: %d accounts read, want %d (%+v)", step, rep.Accounts, wantAccounts, rep)
		}
		return rep
	}

	// First run, 1 December 2026: the one Scan finds the old accounts and indexes them, warns
	// the idle one and purges 2015.
	rep := run("first run", paris("2026-12-01 03:30"), 1, 2)
	if rep.Warned != 1 || rep.Days != 1 {
		t.Errorf("first run: %+v", rep)
	}
	for _, e := range []string{"old-idle@exemple.fr", "old-used@exemple.fr"} {
		if !indexed(e) {
			t.Errorf("%s is not in GSI1 after the first run", e)
		}
	}
	stored("first run", []reservations.Slot{jan2016, mar2016, dec2016, feb2017}, []reservations.Slot{past2015})

	// A parent signs up after it, never confirms.
	if err := st.CreateAccount(ctx, accounts.Account{Email: "new@exemple.fr", LastName: "Neuf", PasswordHash: "x",
		CreatedAt: paris("2026-12-01 09:00"), SessionStamp: "s"}); err != nil {
		t.Fatal(err)
	}
	if !indexed("new@exemple.fr") {
		t.Error("a new account is not in GSI1")
	}
	// Next night: no Scan, the three accounts, nothing to purge (2016 is kept during 2026).
	rep = run("next night", paris("2026-12-02 03:30"), 1, 3)
	if rep.Warned != 0 || rep.Days != 0 || rep.Deleted != 0 {
		t.Errorf("next night: %+v", rep)
	}
	stored("next night", []reservations.Slot{jan2016, mar2016, dec2016, feb2017}, nil)

	// 1 January 2027: still no Scan; the idle old account goes 31 days after its warning, the
	// new one 31 days unconfirmed; the days of 2016 are purged, 2017's kept.
	rep = run("new year", paris("2027-01-01 03:30"), 1, 3)
	if rep.Deleted != 1 || rep.Unconfirmed != 1 || rep.Days != 3 {
		t.Errorf("new year: %+v", rep)
	}
	stored("new year", []reservations.Slot{feb2017}, []reservations.Slot{jan2016, mar2016, dec2016})
	if box := box.take(); len(box) != 1 || box[0].To != "old-idle@exemple.fr" {
		t.Errorf("warnings %+v, want old-idle@ once", box)
	}
	// The night after: the account left is the one in use, still without a Scan.
	run("after", paris("2027-01-02 03:30"), 1, 1)
	stored("after", []reservations.Slot{feb2017}, nil)
}

// A "Nous contacter" thread is deleted with the account's pointer to it once its last message
// is older than the policy's months; a thread with a recent message stays.
func TestOldThreadsArePurged(t *testing.T) {
	env := dynamotest.New(t)
	st := store.New(env.Client, store.Tables{Data: env.DataTable, Session: env.SessionTable})
	ctx := context.Background()
	now := paris("2026-12-01 03:30")
	job := &retention.Job{Policy: retention.Default(), Store: st, Mail: &mailbox{}, Threads: st, LoginLink: "https://portail.example.fr/connexion"}
	thread := func(id, account string, last time.Time) {
		t.Helper()
		err := st.CreateThread(ctx, messages.Thread{ID: id, Subject: "Cantine", Name: "Camille Martin", Email: "camille@exemple.fr",
			Account: account, CreatedAt: last.AddDate(0, -1, 0), UpdatedAt: last,
			Messages: []messages.Message{{ID: "m1", At: last, Author: "Camille Martin", Body: "Bonjour"}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	thread("told", "camille@exemple.fr", paris("2025-11-30 18:00")) // 12 months and a day ago
	thread("anon", "", paris("2024-06-01 09:00"))
	thread("recent", "camille@exemple.fr", paris("2025-12-02 09:00")) // within 12 months
	rep, err := job.Run(ctx, now)
	if err != nil || rep.Threads != 2 {
		t.Fatalf("report %+v, %v: want 2 threads purged", rep, err)
	}
	for id, want := range map[string]bool{"told": false, "anon": false, "recent": true} {
		_, err := st.Thread(ctx, id)
		if got := err == nil; got != want {
			t.Errorf("thread %s kept = %v, want %v (%v)", id, got, want, err)
		}
	}
	out, err := env.Client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &env.DataTable, Key: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "ACCOUNT#camille@exemple.fr"}, "SK": &types.AttributeValueMemberS{Value: "THREAD#told"}}})
	if err != nil || len(out.Item) != 0 {
		t.Errorf("the purged thread's pointer is still there: %v %v", out.Item, err)
	}
	if rep, err := job.Run(ctx, now); err != nil || rep.Threads != 0 {
		t.Errorf("a second run: %+v, %v", rep, err)
	}
}
