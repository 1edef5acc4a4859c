package billing_test

// The monthly invoice run for 1,000 families over the real store on the DynamoDB emulator, with
// the invoice e-mails sent to the SES emulator:
//
//	go run ./infra/testenv -- go test -run '^$' -bench InvoiceRun -benchtime 1x ./shared/billing/
//
// It reports the run's duration (goal: 30 s at most locally) and the DynamoDB calls per family
// billed, by operation, counted by an SDK middleware; with PREAU_BENCH_RESULTS set (`make bench`
// sets it), it merges invoice_run_1000_families_s into that file (infra/benchresults).

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/smithy-go/middleware"

	"github.com/preau/preau/infra/benchresults"
	"github.com/preau/preau/infra/dynamotest"
	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/mail"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/store"
)

// counter counts DynamoDB operations by name.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) middleware(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("countCalls",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			c.mu.Lock()
			c.n[awsmiddleware.GetOperationName(ctx)]++
			c.mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

const benchFamilies = 1000

// commune writes benchFamilies families, each with one linked parent and two children at one of
// two schools, both booked at the canteen every school day of November 2026 (each day's item
// is written whole, in one write per school).
func commune(b *testing.B, st *store.Store) {
	ctx := context.Background()
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	from := date.MustParse("2026-09-01")
	schools := []string{"jules-ferry", "louise-michel"}
	for _, s := range schools {
		must(st.PutActivity(ctx, family.Activity{Activity: calendar.Canteen, Site: s, SiteName: s,
			PriceCents: map[string]int64{"A": 120, "B": 250, "C": 380, "D": 450}}))
	}
	bookings := map[string][]reservations.Change{}
	brackets := []string{"A", "B", "C", "D", ""}
	var wg sync.WaitGroup
	var mu sync.Mutex
	sem := make(chan struct{}, 16)
	for i := range benchFamilies {
		fid := fmt.Sprintf("f_%04d", i)
		school := schools[i%2]
		children := []string{fid + "_1", fid + "_2"}
		mu.Lock()
		for _, c := range children {
			bookings[school] = append(bookings[school], reservations.Change{Who: fid + "@example.org", At: from.At(9, 0, date.Paris),
				Channel: reservations.ChannelWeb, Action: reservations.ActionBook, ChildID: c})
		}
		mu.Unlock()
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			must(st.PutFamily(ctx, family.Family{ID: fid, Name: "Famille " + fid, QuotientBracket: brackets[i%len(brackets)]}))
			must(st.AddMember(ctx, fid, fid+"@example.org", from.At(9, 0, date.Paris)))
			for _, c := range children {
				must(st.PutChild(ctx, family.Child{ID: c, FamilyID: fid, FirstName: "Enfant", School: school}))
				must(st.PutEnrolment(ctx, fid, family.Enrolment{ChildID: c, Activity: calendar.Canteen, Site: school, From: from}))
			}
		})
	}
	wg.Wait()
	for _, d := range calendar.Default().OpenDays(calendar.Canteen, "", date.MustParse("2026-11-01"), date.MustParse("2026-11-30")) {
		for _, s := range schools {
			ok, err := st.BookNewDay(ctx, reservations.Slot{Activity: calendar.Canteen, Site: s, Day: d}, 0, bookings[s])
			must(err)
			if !ok {
				b.Fatalf("day %s at %s not created", d, s)
			}
		}
	}
}

func BenchmarkInvoiceRun(b *testing.B) {
	ep := os.Getenv("AWS_ENDPOINT_URL_SES")
	if ep == "" {
		b.Fatal("SES emulator not configured: run with go run ./infra/testenv")
	}
	mailer := mail.New(sesv2.New(sesv2.Options{Region: "eu-west-3", BaseEndpoint: aws.String(ep),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}), "portail-famille@laigneville.fr").ForCommune("Laigneville")
	for b.Loop() {
		b.StopTimer()
		env := dynamotest.New(b)
		c := &counter{n: map[string]int{}}
		db := dynamodb.New(env.Client.Options(), func(o *dynamodb.Options) { o.APIOptions = append(o.APIOptions, c.middleware) })
		st := store.New(db, store.Tables{Data: env.DataTable, Session: env.SessionTable})
		commune(b, st)
		c.mu.Lock()
		c.n = map[string]int{}
		c.mu.Unlock()
		r := &billing.Runner{Books: st, Ledger: st, Notifier: mailer, Link: func(p string) string { return "https://portail.test" + p }}
		b.StartTimer()

		start := time.Now()
		rep, err := r.Run(context.Background(), date.MustParse("2026-11-01"), time.Date(2026, 12, 1, 6, 0, 0, 0, date.Paris))
		took := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Created != benchFamilies || rep.Notified != benchFamilies {
			b.Fatalf("report %+v", rep)
		}

		c.mu.Lock()
		total := 0
		var ops []string
		for op, n := range c.n {
			total += n
			ops = append(ops, fmt.Sprintf("%s %.2f", op, float64(n)/benchFamilies))
		}
		c.mu.Unlock()
		sort.Strings(ops)
		perFamily := float64(total) / benchFamilies
		b.ReportMetric(took.Seconds(), "s/run")
		b.ReportMetric(perFamily, "dynamodb-calls/family")
		fmt.Printf("invoice run: %d families in %.1fs (goal ≤ 30 s), %.2f DynamoDB calls per family (%s), %d e-mails\n",
			benchFamilies, took.Seconds(), perFamily, strings.Join(ops, ", "), rep.Notified)
		run := fmt.Sprintf("invoice_run_%d_families_", benchFamilies)
		if err := benchresults.Record(map[string]float64{run + "s": took.Seconds(), run + "dynamodb_calls_per_family": perFamily}); err != nil {
			b.Fatal(err)
		}
	}
}
