package reservations_test

// Benchmarks of the reservation rules over the real store on the DynamoDB emulator:
//
//	go run ./infra/testenv -- go test -run '^$' -bench . -benchtime 20x ./shared/reservations/
//
// They report DynamoDB calls per operation (counted by an SDK middleware), the time of a whole
// school year in one long-period request, and planning latency under 50 concurrent clients as a
// ratio to one raw Query under the same load. With PREAU_BENCH_RESULTS set (`make bench` sets
// it), they also merge their figures into that file (infra/benchresults).

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/preau/preau/infra/benchresults"
	"github.com/preau/preau/infra/dynamotest"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/store"
)

// calls counts DynamoDB operations by name.
type calls struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *calls) reset() { c.mu.Lock(); c.n = map[string]int{}; c.mu.Unlock() }

func (c *calls) get(op string) int { c.mu.Lock(); defer c.mu.Unlock(); return c.n[op] }

func (c *calls) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := 0
	for _, v := range c.n {
		t += v
	}
	return t
}

func (c *calls) middleware(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("countCalls",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			op := awsmiddleware.GetOperationName(ctx)
			c.mu.Lock()
			c.n[op]++
			c.mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

type bench struct {
	st    *store.Store
	db    *dynamodb.Client
	table string
	svc   *reservations.Service
	clock *clock.Fixed
	calls *calls
	who   reservations.Actor
}

// newBench makes a family with two children enrolled in the canteen and the after-school care
// for the school year 2026-2027, with a counting client and a warm settings cache.
func newBench(b *testing.B) *bench {
	b.Helper()
	env := dynamotest.New(b)
	c := &calls{n: map[string]int{}}
	db := dynamodb.New(env.Client.Options(), func(o *dynamodb.Options) { o.APIOptions = append(o.APIOptions, c.middleware) })
	st := store.New(db, store.Tables{Data: env.DataTable, Session: env.SessionTable})
	ctx := context.Background()
	from := date.MustParse("2026-09-01")
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(st.PutFamily(ctx, family.Family{ID: "f_a", Name: "Famille A"}))
	must(st.AddMember(ctx, "f_a", "a@example.fr", from.At(9, 0, date.Paris)))
	for _, child := range []string{"c_1", "c_2"} {
		must(st.PutChild(ctx, family.Child{ID: child, FamilyID: "f_a", FirstName: child}))
		for _, a := range []calendar.Activity{calendar.Canteen, calendar.EveningCare} {
			must(st.PutEnrolment(ctx, "f_a", family.Enrolment{ChildID: child, Activity: a, Site: "jules-ferry", From: from}))
		}
	}
	must(st.PutActivity(ctx, family.Activity{Activity: calendar.Canteen, Site: "jules-ferry", Capacity: 120}))
	clk := clock.NewFixed(time.Date(2026, 8, 20, 9, 0, 0, 0, date.Paris))
	svc := reservations.New(st, clk, calendar.Default(), cutoff.DefaultPolicy(), reservations.Options{SettingsTTL: time.Hour})
	return &bench{st: st, db: db, table: env.DataTable, svc: svc, clock: clk, calls: c,
		who: reservations.Actor{FamilyID: "f_a", Email: "a@example.fr", Channel: reservations.ChannelAPI}}
}

// BenchmarkBookCancelCalls books and cancels a day whose item exists, reporting the DynamoDB
// calls of each (goal: one write). Each round takes another day: a child's day takes only
// reservations.MaxChangesPerDay changes.
func BenchmarkBookCancelCalls(b *testing.B) {
	bn := newBench(b)
	ctx := context.Background()
	cal := calendar.Default()
	day := date.MustParse("2026-12-06")
	var bookWrites, bookReads, cancelWrites, cancelReads int
	for b.Loop() {
		day = day.AddDays(1)
		for open, _ := cal.Open(calendar.Canteen, "", day); !open; open, _ = cal.Open(calendar.Canteen, "", day) {
			day = day.AddDays(1)
		}
		// The other child's booking creates the day's item and warms the settings cache.
		if _, err := bn.svc.Book(ctx, bn.who, "c_2", day, calendar.Canteen); err != nil {
			b.Fatal(err)
		}
		bn.calls.reset()
		if _, err := bn.svc.Book(ctx, bn.who, "c_1", day, calendar.Canteen); err != nil {
			b.Fatal(err)
		}
		bookWrites += bn.calls.get("UpdateItem")
		bookReads += bn.calls.total() - bn.calls.get("UpdateItem")
		bn.calls.reset()
		if _, err := bn.svc.Cancel(ctx, bn.who, "c_1", day, calendar.Canteen); err != nil {
			b.Fatal(err)
		}
		cancelWrites += bn.calls.get("UpdateItem")
		cancelReads += bn.calls.total() - bn.calls.get("UpdateItem")
	}
	n := float64(b.N)
	b.ReportMetric(float64(bookWrites)/n, "writes/book")
	b.ReportMetric(float64(bookReads)/n, "reads/book")
	b.ReportMetric(float64(cancelWrites)/n, "writes/cancel")
	b.ReportMetric(float64(cancelReads)/n, "reads/cancel")
}

// BenchmarkFirstBookingOfADay reports the calls of the booking that creates a day's item.
func BenchmarkFirstBookingOfADay(b *testing.B) {
	bn := newBench(b)
	ctx := context.Background()
	day := date.MustParse("2026-09-01")
	if _, err := bn.svc.Book(ctx, bn.who, "c_1", day, calendar.Canteen); err != nil { // warm the cache
		b.Fatal(err)
	}
	writes, total := 0, 0
	for b.Loop() {
		day = day.AddDays(1)
		for open, _ := calendar.Default().Open(calendar.Canteen, "", day); !open; open, _ = calendar.Default().Open(calendar.Canteen, "", day) {
			day = day.AddDays(1)
		}
		bn.calls.reset()
		if _, err := bn.svc.Book(ctx, bn.who, "c_1", day, calendar.Canteen); err != nil {
			b.Fatal(err)
		}
		writes += bn.calls.get("UpdateItem")
		total += bn.calls.total()
	}
	b.ReportMetric(float64(writes)/float64(b.N), "writes/first-book")
	b.ReportMetric(float64(total)/float64(b.N), "calls/first-book")
}

// BenchmarkPlanningMonthCalls reports the calls of a month's planning for two children enrolled
// in two activities (goal: at most one per child-activity).
func BenchmarkPlanningMonthCalls(b *testing.B) {
	bn := newBench(b)
	ctx := context.Background()
	from, to := date.MustParse("2026-12-01"), date.MustParse("2026-12-31")
	if _, err := bn.svc.FamilyPlanning(ctx, bn.who, from, to); err != nil { // warm the cache
		b.Fatal(err)
	}
	total := 0
	for b.Loop() {
		bn.calls.reset()
		if _, err := bn.svc.FamilyPlanning(ctx, bn.who, from, to); err != nil {
			b.Fatal(err)
		}
		total += bn.calls.total()
	}
	b.ReportMetric(float64(total)/float64(b.N), "calls/month")
	b.ReportMetric(4, "child-activities")
}

// BenchmarkLongPeriodSchoolYear books, then cancels, the whole school year 2026-2027 for two
// children and two activities in one request each (goal: ≤ 2 s).
func BenchmarkLongPeriodSchoolYear(b *testing.B) {
	bn := newBench(b)
	ctx := context.Background()
	q := reservations.LongRequest{Children: []string{"c_1", "c_2"}, Activities: []calendar.Activity{calendar.Canteen, calendar.EveningCare},
		From: date.MustParse("2026-09-01"), To: date.MustParse("2027-07-03"),
		Weekdays: []time.Weekday{time.Monday, time.Tuesday, time.Thursday, time.Friday}}
	applied := 0
	var worst time.Duration
	for b.Loop() {
		for _, act := range []reservations.Action{reservations.ActionBook, reservations.ActionCancel} {
			q.Action = act
			start := time.Now()
			res, err := bn.svc.ApplyLong(ctx, bn.who, q)
			if err != nil {
				b.Fatal(err)
			}
			worst = max(worst, time.Since(start))
			applied = len(res.Applied)
		}
	}
	b.ReportMetric(float64(applied), "days/request")
	b.ReportMetric(float64(worst.Milliseconds()), "worst-ms/request")
	record(b, map[string]float64{"longperiod_school_year_ms": float64(worst.Milliseconds()), "longperiod_school_year_days": float64(applied)})
}

// BenchmarkPlanningUnder50Clients measures a month's planning for the family with 50 concurrent
// clients, against one raw Query under the same load in the same run: every client alternates a
// planning and a Query of the family's partition (the first of the planning's own reads, its
// eight items), so both see the same emulator queue. Goal: planning p99 ≤ ×3 the Query's p99 — the planning waits
// for the family, then for its month reads at once, not one after another.
func BenchmarkPlanningUnder50Clients(b *testing.B) {
	bn := newBench(b)
	ctx := context.Background()
	from, to := date.MustParse("2026-12-01"), date.MustParse("2026-12-31")
	if _, err := bn.svc.ApplyLong(ctx, bn.who, reservations.LongRequest{Children: []string{"c_1", "c_2"},
		Activities: []calendar.Activity{calendar.Canteen, calendar.EveningCare}, From: from, To: to,
		Weekdays: []time.Weekday{time.Monday, time.Tuesday, time.Thursday, time.Friday}, Action: reservations.ActionBook}); err != nil {
		b.Fatal(err)
	}
	pk := "FAMILY#f_a" // shared/store/keys_test.go pins it
	query := func() error {
		out, err := bn.db.Query(ctx, &dynamodb.QueryInput{TableName: &bn.table, ConsistentRead: aws.Bool(true),
			KeyConditionExpression:    aws.String("PK = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}}})
		if err == nil && len(out.Items) == 0 {
			err = fmt.Errorf("nothing in %s", pk)
		}
		return err
	}
	planning := func() error {
		_, err := bn.svc.FamilyPlanning(ctx, bn.who, from, to)
		return err
	}
	var plan, q latencies
	for b.Loop() {
		plan, q = underLoad(b, 50, 500, planning, query)
	}
	ratio := float64(plan.p(99)) / float64(q.p(99))
	b.ReportMetric(ms(plan.p(50)), "planning-p50-ms")
	b.ReportMetric(ms(plan.p(99)), "planning-p99-ms")
	b.ReportMetric(ms(q.p(50)), "query-p50-ms")
	b.ReportMetric(ms(q.p(99)), "query-p99-ms")
	b.ReportMetric(ratio, "x-query-p99")
	record(b, map[string]float64{"planning_p99_ratio": ratio, "planning_p99_ms": ms(plan.p(99)), "planning_p50_ms": ms(plan.p(50)),
		"query_p99_ms": ms(q.p(99)), "query_p50_ms": ms(q.p(50))})
}

// latencies are the sorted durations of one kind of call.
type latencies []time.Duration

// p returns the n-th percentile (nearest rank).
func (l latencies) p(n int) time.Duration { return l[(len(l)*n+99)/100-1] }

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// underLoad runs `clients` goroutines that each alternate f and g until n calls of each are
// done, and returns the sorted latencies of f's and g's calls.
func underLoad(b *testing.B, clients, n int, f, g func() error) (latencies, latencies) {
	b.Helper()
	lf, lg := make(latencies, n), make(latencies, n)
	next := make(chan int)
	var wg sync.WaitGroup
	var once sync.Once
	var failed error
	for range clients {
		wg.Go(func() {
			for i := range next {
				for _, c := range []struct {
					call func() error
					into latencies
				}{{f, lf}, {g, lg}} {
					start := time.Now()
					if err := c.call(); err != nil {
						once.Do(func() { failed = err })
					}
					c.into[i] = time.Since(start)
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if failed != nil {
		b.Fatal(failed)
	}
	slices.Sort(lf)
	slices.Sort(lg)
	return lf, lg
}

// record merges the benchmark's figures into `make bench`'s results file (infra/benchresults).
func record(b *testing.B, values map[string]float64) {
	b.Helper()
	if err := benchresults.Record(values); err != nil {
		b.Fatal(err)
	}
}
