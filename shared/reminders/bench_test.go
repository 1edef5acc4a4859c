package reminders_test

// `make bench` runs this against the emulators (dynalite, aws-ses-v2-local): one reminders run
// over REMINDER_BENCH_FAMILIES synthetic families (10,000 by default), each with one child
// enrolled in the canteen, nothing booked and one confirmed parent, so every family gets an
// e-mail. It reports the run's time and its DynamoDB and SES calls per family (counted by SDK
// middleware), without the send-rate pause (goal: under 60 s for 10,000 families). With
// PREAU_BENCH_RESULTS set (`make bench` sets it), it merges reminder_run_<families>_families_s
// and the calls per family into that file (infra/benchresults).

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/smithy-go/middleware"

	"github.com/preau/preau/infra/benchresults"
	"github.com/preau/preau/infra/dynamotest"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/mail"
	"github.com/preau/preau/shared/reminders"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/secret"
	"github.com/preau/preau/shared/store"
)

type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) middleware(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("countCalls",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			c.mu.Lock()
			c.n[awsmiddleware.GetServiceID(ctx)]++
			c.mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

func (c *counter) reset() { c.mu.Lock(); c.n = map[string]int{}; c.mu.Unlock() }

// plainNotifier writes the e-mails as the Reminder function does, with fixed links.
type plainNotifier struct{ m *mail.Mailer }

func (p plainNotifier) SendReminder(ctx context.Context, n reminders.Notice) error {
	r := mail.Reminder{FirstDeadline: "avant demain 10h00", Preferences: "https://x.fr/mon-espace/rappels", Unsubscribe: "https://x.fr/rappels/desinscription/" + n.Unsubscribe}
	for _, it := range n.Items {
		r.Lines = append(r.Lines, mail.ReminderLine{Child: it.Child.FirstName, Activity: it.Activity.Label(), Day: it.Day.String(), Deadline: "avant demain 10h00", Link: "https://x.fr/espace-famille/planning"})
	}
	return p.m.SendReminder(ctx, n.To, n.Greeting, r)
}

func (p plainNotifier) SendWeeklySummary(context.Context, reminders.Summary) error { return nil }

func BenchmarkRemindFamilies(b *testing.B) {
	families := 10000
	if v := os.Getenv("REMINDER_BENCH_FAMILIES"); v != "" {
		families, _ = strconv.Atoi(v)
	}
	env := dynamotest.New(b)
	calls := &counter{n: map[string]int{}}
	db := dynamodb.New(env.Client.Options(), func(o *dynamodb.Options) { o.APIOptions = append(o.APIOptions, calls.middleware) })
	st := store.New(db, store.Tables{Data: env.DataTable, Session: env.SessionTable})
	ses := sesv2.New(sesv2.Options{Region: "eu-west-3", BaseEndpoint: ptr(os.Getenv("AWS_ENDPOINT_URL_SES")),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
		APIOptions:  []func(*middleware.Stack) error{calls.middleware}})
	ctx := context.Background()
	seed(b, env.Client, env.DataTable, families)
	if err := st.PutActivity(ctx, family.Activity{Activity: calendar.Canteen, Site: "site-00", PriceCents: map[string]int64{"B": 250}}); err != nil {
		b.Fatal(err)
	}
	at := time.Date(2026, 12, 2, 18, 0, 0, 0, date.Paris) // Thursday 10h00 closes Monday 7
	clk := clock.NewFixed(at)
	for i := range b.N {
		// Each round is a new day, so every family is due again.
		round := at.AddDate(0, 0, 7*i)
		clk.Set(round)
		run := &reminders.Runner{Repo: st, Notifier: plainNotifier{mail.NewV2(ses, "portail@x.fr")}, Secret: secret.Fixed(testKey), Workers: 8,
			Deadlines: reservations.New(st, clk, calendar.Default(), cutoff.DefaultPolicy(), reservations.Options{SettingsTTL: time.Hour})}
		calls.reset()
		start := time.Now()
		rep, err := run.Remind(ctx, round, time.Time{})
		elapsed := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Sent != families {
			b.Fatalf("sent %d e-mails to %d families: %+v", rep.Sent, families, rep)
		}
		calls.mu.Lock()
		ddb, sesCalls := calls.n["DynamoDB"], calls.n["SESv2"]
		calls.mu.Unlock()
		b.ReportMetric(elapsed.Seconds(), "s/run")
		b.ReportMetric(float64(ddb)/float64(families), "dynamodb-calls/family")
		b.ReportMetric(float64(sesCalls)/float64(families), "ses-calls/family")
		fmt.Printf("reminders run: %d families, %d e-mails in %.1f s; DynamoDB %d calls (%.2f a family), SES %d calls (%.2f a family)\n",
			families, rep.Sent, elapsed.Seconds(), ddb, float64(ddb)/float64(families), sesCalls, float64(sesCalls)/float64(families))
		key := fmt.Sprintf("reminder_run_%d_families_", families)
		if err := benchresults.Record(map[string]float64{key + "s": elapsed.Seconds(),
			key + "dynamodb_calls_per_family": float64(ddb) / float64(families), key + "ses_calls_per_family": float64(sesCalls) / float64(families)}); err != nil {
			b.Fatal(err)
		}
	}
}

func ptr(s string) *string { return &s }

// seed writes the families with BatchWriteItem, in the store's item shapes (shared/store/doc.go):
// family, child, enrolment (with its GSI1 keys), member, and the confirmed account.
func seed(b *testing.B, db *dynamodb.Client, table string, n int) {
	b.Helper()
	ctx := context.Background()
	items := make(chan map[string]any, 100)
	go func() {
		defer close(items)
		for i := range n {
			id, child, email := fmt.Sprintf("f_%05d", i), fmt.Sprintf("c_%05d", i), fmt.Sprintf("parent%05d@example.fr", i)
			site := fmt.Sprintf("site-%02d", i%20)
			items <- map[string]any{"PK": "FAMILY#" + id, "SK": "FAMILY", "name": "Famille " + id, "subscriberCode": "X", "quotientBracket": "B"}
			items <- map[string]any{"PK": "FAMILY#" + id, "SK": "CHILD#" + child, "childId": child, "firstName": "Enfant", "lastName": id, "school": site, "diet": "standard"}
			items <- map[string]any{"PK": "FAMILY#" + id, "SK": "ENROL#" + child + "#cantine", "GSI1PK": "ENROL#cantine", "GSI1SK": site + "#" + child,
				"familyId": id, "childId": child, "activity": "cantine", "site": site, "from": "2026-09-01"}
			items <- map[string]any{"PK": "FAMILY#" + id, "SK": "MEMBER#" + email, "email": email, "linkedAt": "2026-09-01T08:00:00Z"}
			items <- map[string]any{"PK": "ACCOUNT#" + email, "SK": "ACCOUNT", "email": email, "civility": "Mme", "lastName": id, "firstName": "P",
				"passwordHash": "x", "createdAt": "2026-09-01T08:00:00Z", "confirmedAt": "2026-09-01T08:05:00Z", "familyId": id, "sessionStamp": "s"}
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			batch := make([]types.WriteRequest, 0, 25)
			flush := func() {
				for len(batch) > 0 {
					out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: batch}})
					if err != nil {
						errs <- err
						return
					}
					batch = append(batch[:0], out.UnprocessedItems[table]...)
				}
			}
			for it := range items {
				av, err := attributevalue.MarshalMap(it)
				if err != nil {
					errs <- err
					return
				}
				batch = append(batch, types.WriteRequest{PutRequest: &types.PutRequest{Item: av}})
				if len(batch) == 25 {
					flush()
				}
			}
			flush()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}
