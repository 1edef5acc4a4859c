package reservations_test

// Benchmarks of the reservation rules over the real store on the DynamoDB emulator:
//
//	go run ./infra/testenv -- go test -run '^$' -bench . -benchtime 20x ./shared/reservations/
//
// They report DynamoDB calls per operation (counted by an SDK middleware), the time of a whole
// school year in one long-period request, and planning latency under 50 concurrent clients as a
// ratio to one raw PutItem against the same emulator.

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

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
		for open, _ := cal.Open(calendar.Canteen, day); !open; open, _ = cal.Open(calendar.Canteen, day) {
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
		for open, _ := calendar.Default().Open(calendar.Canteen, day); !open; open, _ = calendar.Default().Open(calendar.Canteen, day) {
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
}

// BenchmarkPlanningUnder50Clients measures a month's planning with 50 concurrent clients and
// reports its median latency as a multiple of one raw PutItem's on the same emulator (alone, and
// under 50 concurrent clients too).
func BenchmarkPlanningUnder50Clients(b *testing.B) {
	bn := newBench(b)
	ctx := context.Background()
	from, to := date.MustParse("2026-12-01"), date.MustParse("2026-12-31")
	if _, err := bn.svc.ApplyLong(ctx, bn.who, reservations.LongRequest{Children: []string{"c_1", "c_2"},
		Activities: []calendar.Activity{calendar.Canteen, calendar.EveningCare}, From: from, To: to,
		Weekdays: []time.Weekday{time.Monday, time.Tuesday, time.Thursday, time.Friday}, Action: reservations.ActionBook}); err != nil {
		b.Fatal(err)
	}
	put := median(b, 200, 1, func(i int) error {
		_, err := bn.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &bn.table, Item: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "BENCH"}, "SK": &types.AttributeValueMemberS{Value: fmt.Sprint(i)}}})
		return err
	})
	put50 := median(b, 500, 50, func(i int) error {
		_, err := bn.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &bn.table, Item: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "BENCH"}, "SK": &types.AttributeValueMemberS{Value: fmt.Sprint(i)}}})
		return err
	})
	var plan time.Duration
	for b.Loop() {
		plan = median(b, 500, 50, func(int) error {
			_, err := bn.svc.FamilyPlanning(ctx, bn.who, from, to)
			return err
		})
	}
	b.ReportMetric(float64(put.Microseconds())/1000, "putitem-ms")
	b.ReportMetric(float64(plan.Microseconds())/1000, "planning-p50-ms")
	b.ReportMetric(float64(plan)/float64(put), "x-putitem")
	b.ReportMetric(float64(plan)/float64(put50), "x-putitem-at-50")
}

// median runs f n times over `clients` goroutines and returns the median latency.
func median(b *testing.B, n, clients int, f func(i int) error) time.Duration {
	b.Helper()
	lat := make([]time.Duration, n)
	next := make(chan int)
	var wg sync.WaitGroup
	var once sync.Once
	var failed error
	for range clients {
		wg.Go(func() {
			for i := range next {
				start := time.Now()
				if err := f(i); err != nil {
					once.Do(func() { failed = err })
				}
				lat[i] = time.Since(start)
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
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return lat[n/2]
}
