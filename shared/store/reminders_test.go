package store_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/preau/preau/infra/dynamometer"
	"github.com/preau/preau/infra/dynamotest"
	"github.com/preau/preau/infra/sestest"
	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/mail"
	"github.com/preau/preau/shared/reminders"
	"github.com/preau/preau/shared/reminders/reminderstest"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/secret"
	"github.com/preau/preau/shared/store"
)

// TestRemindersContract runs the reminders stores' contract against DynamoDB (the emulator).
func TestRemindersContract(t *testing.T) {
	reminderstest.Contract(t, func(t *testing.T) reminderstest.Subject {
		st := newStore(t)
		ctx := context.Background()
		return reminderstest.Subject{Repo: st,
			PutHousehold: func(t *testing.T, h reminders.Household) {
				must(t, st.PutFamily(ctx, h.Family))
				for _, c := range h.Children {
					must(t, st.PutChild(ctx, c))
				}
				for _, e := range h.Enrolments {
					must(t, st.PutEnrolment(ctx, h.Family.ID, e))
				}
				for _, m := range h.Members {
					must(t, st.AddMember(ctx, h.Family.ID, m, time.Now()))
				}
			},
			PutAccount: func(t *testing.T, a reminderstest.Account) {
				civility, last, _ := strings.Cut(a.Greeting, " ")
				acc := accounts.Account{Email: a.Email, Civility: strings.TrimSuffix(civility, "."), LastName: last, FirstName: "X",
					CreatedAt: time.Now(), FamilyID: a.FamilyID, SessionStamp: "s"}
				if a.Confirmed {
					acc.ConfirmedAt = time.Now()
				}
				must(t, st.CreateAccount(ctx, acc))
			},
			Book: func(t *testing.T, s reservations.Slot, child string) {
				_, err := st.BookDay(ctx, s, child, 0, change(child, reservations.ActionBook))
				must(t, err)
			},
		}
	})
}

func TestDeletingAnAccountForgetsItsReminderChoices(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	must(t, st.CreateAccount(ctx, accounts.Account{Email: "gone@example.fr", Civility: "M", LastName: "Parti", SessionStamp: "s"}))
	must(t, st.SetReminderPreferences(ctx, "gone@example.fr", reminders.Preferences{WeeklySummary: true}))
	must(t, st.DeleteAccount(ctx, "gone@example.fr"))
	if subs, err := st.SummarySubscribers(ctx); err != nil || len(subs) != 0 {
		t.Errorf("after deletion, subscribers %v (%v)", subs, err)
	}
	if _, err := st.ReminderParent(ctx, "gone@example.fr"); err != reminders.ErrNoParent {
		t.Errorf("after deletion: %v, want ErrNoParent", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestOverlappingReminderRuns runs real reminder runs against the emulators: three overlapping
// runs and then a Lambda retry send exactly one e-mail to each parent, and the parent whose
// address SES refuses does not stop the others.
func TestOverlappingReminderRuns(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	sept := date.MustParse("2026-09-01")
	var parents []string
	for i := range 6 {
		id, email := fmt.Sprintf("f_overlap%d", i), fmt.Sprintf("chevauchement%d.%d@example.fr", i, time.Now().UnixNano())
		if i == 5 {
			email = "refuse@example.fr" // SES refuses this address (rejectAddress)
		} else {
			parents = append(parents, email)
		}
		must(t, st.PutFamily(ctx, family.Family{ID: id, Name: "Famille " + id, QuotientBracket: "B"}))
		must(t, st.PutChild(ctx, family.Child{ID: "c_" + id, FamilyID: id, FirstName: "Léa"}))
		must(t, st.PutEnrolment(ctx, id, family.Enrolment{ChildID: "c_" + id, Activity: calendar.Canteen, Site: "jules-ferry", From: sept}))
		must(t, st.AddMember(ctx, id, email, time.Now()))
		must(t, st.CreateAccount(ctx, accounts.Account{Email: email, Civility: "Mme", LastName: "Martin", SessionStamp: "s",
			ConfirmedAt: time.Now(), FamilyID: id}))
	}
	ses := sestest.Client(t, func(o *sesv2.Options) {
		o.APIOptions = append(o.APIOptions, rejectAddress("refuse@example.fr"))
	})
	mailer := mail.NewV2(ses, "portail@laigneville.fr")
	at := time.Date(2026, 12, 2, 18, 0, 0, 0, date.Paris)
	newRunner := func() *reminders.Runner {
		return &reminders.Runner{Repo: st, Notifier: testNotifier{mailer}, Secret: secret.Fixed([]byte("0123456789abcdef0123456789abcdef")),
			Deadlines: reservations.New(st, clock.NewFixed(at), calendar.Default(), cutoff.DefaultPolicy(), reservations.Options{})}
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		sent    int
		failed  int
		reports []reminders.Report
	)
	for range 3 {
		wg.Go(func() {
			rep, err := newRunner().Remind(ctx, at, time.Time{})
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			sent, failed, reports = sent+rep.Sent, failed+rep.Failed, append(reports, rep)
			mu.Unlock()
		})
	}
	wg.Wait()
	retry, err := newRunner().Remind(ctx, at, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if sent != len(parents) || failed == 0 || retry.Sent != 0 || retry.Failed != 1 {
		t.Errorf("overlapping runs %+v sent %d (want %d), failed %d; retry %+v", reports, sent, len(parents), failed, retry)
	}
	box := sestest.Mailbox(t)
	for _, p := range parents {
		box.WaitFor(p, "Rappel", 5*time.Second)
		if n := len(box.Messages(p)); n != 1 {
			t.Errorf("%s got %d e-mails, want 1", p, n)
		}
	}
}

// rejectAddress makes the SES client fail as SES does for a rejected message
// (MessageRejected), for one recipient only: the emulator accepts every address.
func rejectAddress(to string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("reject",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if e, ok := in.Parameters.(*sesv2.SendEmailInput); ok && e.Destination != nil && slices.Contains(e.Destination.ToAddresses, to) {
					return middleware.InitializeOutput{}, middleware.Metadata{}, &smithy.GenericAPIError{Code: "MessageRejected", Message: "Email address is not verified: " + to}
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
	}
}

type testNotifier struct{ m *mail.Mailer }

func (n testNotifier) SendReminder(ctx context.Context, no reminders.Notice) error {
	r := mail.Reminder{FirstDeadline: "avant demain 10h00", Preferences: "https://x.fr/p", Unsubscribe: "https://x.fr/u/" + no.Unsubscribe}
	for _, it := range no.Items {
		r.Lines = append(r.Lines, mail.ReminderLine{Child: it.Child.FirstName, Activity: it.Activity.Label(), Day: it.Day.String(), Deadline: "avant demain 10h00", Link: "https://x.fr/"})
	}
	return n.m.SendReminder(ctx, no.To, no.Greeting, r)
}

func (testNotifier) SendWeeklySummary(context.Context, reminders.Summary) error { return nil }

// TestReminderDaysReadsTheMonthAtHalfPrice: the reminders' month read holds what DaysOfMonth
// holds, every child's bookings and history, for half its read units (eventually consistent).
func TestReminderDaysReadsTheMonthAtHalfPrice(t *testing.T) {
	env := dynamotest.New(t)
	meter := dynamometer.New()
	st := store.New(dynamodb.New(env.Client.Options(), meter.Attach), store.Tables{Data: env.DataTable, Session: env.SessionTable})
	ctx := context.Background()
	for i := range 60 { // enough items for more than one read unit
		id := fmt.Sprintf("c_%03d", i)
		sl := reservations.Slot{Activity: calendar.Canteen, Site: "jules-ferry", Day: date.MustParse("2026-12-07").AddDays(i % 5)}
		if _, err := st.BookDay(ctx, sl, id, 0, reservations.Change{Who: "parent-" + id + "@exemple.fr", At: time.Now(),
			Channel: reservations.ChannelWeb, Action: reservations.ActionBook, ChildID: id}); err != nil {
			t.Fatal(err)
		}
	}
	month := date.MustParse("2026-12-01")
	meter.Reset()
	whole, err := st.DaysOfMonth(ctx, calendar.Canteen, "jules-ferry", month)
	if err != nil {
		t.Fatal(err)
	}
	strong := meter.Snapshot().ReadUnits
	meter.Reset()
	got, err := st.ReminderDays(ctx, calendar.Canteen, "jules-ferry", month)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, whole) || len(got) != 5 {
		t.Fatalf("ReminderDays read %d days, DaysOfMonth %d", len(got), len(whole))
	}
	if eventual := meter.Snapshot().ReadUnits; strong < 2 || eventual != strong/2 {
		t.Fatalf("ReminderDays %v read units, DaysOfMonth %v", eventual, strong)
	}
}
