package cost_test

// What one family costs a year on AWS (docs/cost.md):
//
//	go run ./infra/testenv -- go test -run '^$' -bench FamilyYear -benchtime 1x ./infra/cost/
//
// A family of two children, at the canteen and the evening care four days a week, books the
// school year by long period (twice a year), changes two days a week, reads its planning twice a
// week, signs in once a week, is invoiced and pays every month, and gets a reminder a week. Its
// booking, planning, long-period and invoice-run operations run here through the real domain
// services and store on the emulator, each with a cold settings cache (every invocation is taken
// as a cold start): their DynamoDB read and write units come from the emulator's consumed
// capacity (the item sizes, infra/dynamometer), their work is timed. What runs outside these
// packages (sign-in, session check, invoice pages, payment, reminder markers) is counted from
// shared/store/doc.go's access patterns, with sizes measured here where they depend on the
// family's data (its partition, its invoice). Lambda memory is each function's MemorySize in
// template.yaml; prices are cost.EUWest3.

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/preau/preau/infra/benchresults"
	"github.com/preau/preau/infra/cost"
	"github.com/preau/preau/infra/dynamometer"
	"github.com/preau/preau/infra/dynamotest"
	"github.com/preau/preau/infra/samtemplate"
	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/store"
)

// The commune and the family's habits (docs/cost.md explains each).
const (
	communeFamilies = 300 // a commune like Laigneville: the scheduled jobs are shared among them
	familiesPerSite = 100 // families sharing a site's day counters
	schoolWeeks     = 36
	billedMonths    = 10
	retainedYears   = 10 // reservation days and invoices are kept ten years (the records' retention)
)

const (
	fid   = "f_0123456789"
	email = "anne.martin@exemple.fr"
	site  = "groupe-scolaire-jules-ferry"
)

var children = []string{"c_0123456789", "c_9876543210"}

// notices counts the invoice run's e-mails.
type notices struct {
	mu sync.Mutex
	n  int
}

func (n *notices) SendInvoice(context.Context, string, string, string, string, string, string, string) error {
	n.count()
	return nil
}

func (n *notices) SendReceipt(context.Context, string, string, string, string, string, string, string) error {
	n.count()
	return nil
}

func (n *notices) count() {
	n.mu.Lock()
	n.n++
	n.mu.Unlock()
}

func BenchmarkFamilyYear(b *testing.B) {
	for b.Loop() {
		familyYear(b)
	}
}

func familyYear(b *testing.B) {
	env := dynamotest.New(b)
	meter := dynamometer.New()
	db := dynamodb.New(env.Client.Options(), meter.Attach)
	st := store.New(db, store.Tables{Data: env.DataTable, Session: env.SessionTable})
	ctx := context.Background()
	must := func(err error) {
		b.Helper()
		if err != nil {
			b.Fatal(err)
		}
	}
	from := date.MustParse("2026-09-01")
	must(st.PutFamily(ctx, family.Family{ID: fid, Name: "Famille Martin", QuotientBracket: "B"}))
	// The parent's account as sign-up writes it (an argon2id hash's length), with its last sign-in.
	hash := "$argon2id$v=19$m=19456,t=2,p=1$" + strings.Repeat("s", 22) + "$" + strings.Repeat("h", 43)
	must(st.CreateAccount(ctx, accounts.Account{Email: email, Civility: "Mme", LastName: "Martin", FirstName: "Anne",
		PasswordHash: hash, CreatedAt: from.At(9, 0, date.Paris), ConfirmedAt: from.At(9, 5, date.Paris), FamilyID: fid,
		SessionStamp: strings.Repeat("t", 22)}))
	must(st.RecordLogin(ctx, email, from.At(9, 6, date.Paris)))
	must(st.AddMember(ctx, fid, email, from.At(9, 0, date.Paris)))
	activities := []calendar.Activity{calendar.Canteen, calendar.EveningCare}
	for i, c := range children {
		must(st.PutChild(ctx, family.Child{ID: c, FamilyID: fid, FirstName: []string{"Léa", "Hugo"}[i], LastName: "Martin", School: site}))
		for _, a := range activities {
			must(st.PutEnrolment(ctx, fid, family.Enrolment{ChildID: c, Activity: a, Site: site, From: from}))
		}
	}
	for _, a := range activities {
		must(st.PutActivity(ctx, family.Activity{Activity: a, Site: site, SiteName: "Groupe scolaire Jules Ferry", Capacity: 200,
			PriceCents: map[string]int64{"A": 120, "B": 250, "C": 380, "D": 450}}))
	}
	clk := clock.NewFixed(time.Date(2026, 8, 20, 9, 0, 0, 0, date.Paris))
	who := reservations.Actor{FamilyID: fid, Email: email, Channel: reservations.ChannelWeb}
	// measure runs f with a new service (a cold start's empty settings cache) and returns its
	// DynamoDB use and time.
	measure := func(f func(svc *reservations.Service) error) cost.Call {
		b.Helper()
		svc := reservations.New(st, clk, calendar.Default(), cutoff.DefaultPolicy(), reservations.Options{SettingsTTL: time.Hour})
		meter.Reset()
		start := time.Now()
		must(f(svc))
		took := time.Since(start)
		c := meter.Snapshot()
		return cost.Call{Work: took, Read: c.ReadUnits, Write: c.WriteUnits}
	}
	year := reservations.LongRequest{Children: children, Activities: activities, From: from, To: date.MustParse("2027-07-03"),
		Weekdays: []time.Weekday{time.Monday, time.Tuesday, time.Thursday, time.Friday}, Action: reservations.ActionBook}
	previewLong := func(svc *reservations.Service) error { _, err := svc.PreviewLong(ctx, who, year); return err }
	preview := measure(previewLong)
	apply := measure(func(svc *reservations.Service) error {
		res, err := svc.ApplyLong(ctx, who, year)
		if err == nil && len(res.Applied) < 500 {
			err = fmt.Errorf("the school year booked %d days", len(res.Applied))
		}
		return err
	})
	day := date.MustParse("2026-10-06")
	cancelDay := func(svc *reservations.Service) error {
		_, err := svc.Cancel(ctx, who, children[0], day, calendar.Canteen)
		return err
	}
	bookDay := func(svc *reservations.Service) error {
		_, err := svc.Book(ctx, who, children[0], day, calendar.Canteen)
		return err
	}
	readPlanning := func(svc *reservations.Service) error {
		_, err := svc.FamilyPlanning(ctx, who, date.MustParse("2026-10-01"), date.MustParse("2026-10-31"))
		return err
	}
	cancel, book, planning := measure(cancelDay), measure(bookDay), measure(readPlanning)
	// A reminder run reads, for each activity, the whole month of the site's days closing: the
	// family's share is its own items (and here, alone at the site, every counter: the dear side).
	monthShare := measure(func(*reservations.Service) error {
		for _, a := range activities {
			if _, err := st.ReminderDays(ctx, a, site, date.MustParse("2026-10-01")); err != nil {
				return err
			}
		}
		return nil
	})
	invoiceRun := func(month date.Date) cost.Call {
		mails := &notices{}
		c := measure(func(*reservations.Service) error {
			r := &billing.Runner{Books: st, Ledger: st, Notifier: mails, Link: func(p string) string { return "https://portail.test" + p }}
			rep, err := r.Run(ctx, month, month.AddMonths(1).At(6, 0, date.Paris))
			if err == nil && rep.Created != 1 {
				err = fmt.Errorf("invoice run created %d invoices", rep.Created)
			}
			return err
		})
		c.Emails = mails.n
		return c
	}
	run := invoiceRun(date.MustParse("2026-10-01"))
	readFamily := func(*reservations.Service) error { _, err := st.Family(ctx, fid); return err }
	household := measure(readFamily)
	first := yearCalls{preview: preview, apply: apply, cancel: cancel, book: book, planning: planning, run: run, household: household}

	// What the family keeps: its partition, its account, its children's day items and its share of
	// the counters; its invoice (one month's) stands for each of the year's.
	var indexed float64 // the bytes sizes saw of items in GSI1 (GSI1PK set), each with its 100
	sizes := func(pk, prefix string, below bool) (bytes float64, items int) {
		q := &dynamodb.QueryInput{TableName: aws.String(env.DataTable), KeyConditionExpression: aws.String("PK = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}}}
		switch {
		case prefix != "" && below:
			q.KeyConditionExpression = aws.String("PK = :pk AND SK < :p")
		case prefix != "":
			q.KeyConditionExpression = aws.String("PK = :pk AND begins_with(SK, :p)")
		}
		if prefix != "" {
			q.ExpressionAttributeValues[":p"] = &types.AttributeValueMemberS{Value: prefix}
		}
		p := dynamodb.NewQueryPaginator(env.Client, q)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			must(err)
			for _, it := range page.Items {
				bytes += float64(dynamometer.ItemSize(it))
				items++
				if _, ok := it["GSI1PK"]; ok {
					indexed += float64(dynamometer.ItemSize(it)) + 100
				}
			}
		}
		return bytes, items
	}
	stored := func(bytes float64, items int) float64 { return bytes + 100*float64(items) } // DynamoDB adds 100 bytes an item
	var invoiceBytes float64
	var invoiceItems int
	// GSI1 projects its items whole: the family's family, enrolment and account items, and
	// its invoices (the billing desk's INVOICES#<month>) are stored there again.
	invoiceBytes, invoiceItems = sizes("FAMILY#"+fid, "INVOICE#", false)
	indexedInvoices := indexed
	indexed = 0
	famBytes, famItems := sizes("FAMILY#"+fid, "", false)
	accBytes, accItems := sizes("ACCOUNT#"+email, "", false)
	indexedLasting := indexed - indexedInvoices
	var dayBytes, counterBytes float64
	var dayItems, counterItems int
	for m := from; m.Before(date.MustParse("2027-08-01")); m = m.AddMonths(1) {
		for _, a := range activities {
			pk := "DAY#" + string(a) + "#" + site + "#" + m.MonthKey()
			for _, c := range children {
				by, n := sizes(pk, "CHILD#"+c+"#", false)
				dayBytes, dayItems = dayBytes+by, dayItems+n
			}
			by, n := sizes(pk, "CHILD#", true)
			counterBytes, counterItems = counterBytes+by, counterItems+n
		}
	}
	invoiceSize := invoiceBytes / math.Max(1, float64(invoiceItems))
	invoiceWrite := math.Ceil(invoiceSize / 1024)
	accountIndexWrite := math.Ceil(accBytes / float64(accItems) / 1024)
	yearOfDays := stored(dayBytes, dayItems) + stored(counterBytes, counterItems)/familiesPerSite +
		billedMonths*stored(invoiceBytes, invoiceItems)
	lasting := stored(famBytes-invoiceBytes, famItems-invoiceItems) + stored(accBytes, accItems)
	// The dearest year's calls: the same, with nine earlier years of invoices in the family's
	// partition (what a call reading the family would read too, were it to read them). The
	// school year is booked already: the apply is the first one with the preview's difference.
	invs, err := st.Invoices(ctx, fid)
	must(err)
	for y := 2017; y <= 2025; y++ {
		for m := 1; m <= billedMonths; m++ {
			inv := invs[0]
			inv.Number, inv.Month = fmt.Sprintf("%04d%06d", y, m), date.MustParse(fmt.Sprintf("%04d-%02d-01", y, m))
			inv.IssuedOn, inv.DueOn = inv.Month.AddMonths(1), inv.Month.AddMonths(2)
			_, err := st.PutInvoice(ctx, inv)
			must(err)
		}
	}
	steady := yearCalls{preview: measure(previewLong), cancel: measure(cancelDay), book: measure(bookDay),
		planning: measure(readPlanning), run: invoiceRun(date.MustParse("2026-11-01")), household: measure(readFamily)}
	steady.apply = apply
	steady.apply.Read += steady.preview.Read - preview.Read

	// The Retention job (shared/retention), after the sizes above. Its first run is the
	// one-time backfill (a Scan, once in the table's life: not in the family's year). Every night
	// it reads its index and the accounts from GSI1; once a year, when the first day kept moves
	// to the next 1 January, it Queries the months past their retention and purges their days:
	// here the family's school year, which spans two calendar years, so two such runs. The
	// family is alone at its site, so the site's counters are all its own (the dear side).
	retentionRun := func(keptFrom date.Date) error {
		_, days, err := st.RetentionRead(ctx, keptFrom)
		if err != nil {
			return err
		}
		if _, err := st.DeleteDays(ctx, days); err != nil {
			return err
		}
		return st.RetentionPurged(ctx, keptFrom)
	}
	must(retentionRun(date.MustParse("2026-01-01")))
	nightly := measure(func(*reservations.Service) error { return retentionRun(date.MustParse("2026-01-01")) })
	purge := measure(func(*reservations.Service) error {
		if err := retentionRun(date.MustParse("2027-01-01")); err != nil {
			return err
		}
		return retentionRun(date.MustParse("2028-01-01"))
	})
	// A day's counter is shared by the site's families (as its storage above): the family's share
	// of their deletions (a write unit each) is 1/familiesPerSite.
	purge.Write -= float64(counterItems) * (1 - 1.0/familiesPerSite)
	if _, left := sizes("DAY#"+string(calendar.Canteen)+"#"+site+"#2026-10", "", false); left != 0 {
		b.Fatalf("the retention left %d items of October 2026", left)
	}
	// The GSI1 Query of the commune's accounts (eventually consistent: half a unit per 4 KB).
	accountsRead := communeFamilies * accBytes / 4096 / 2
	// Then the sweep of lost seats: a Query of each month to come (SweepMonths) of each activity
	// with a capacity at each site, filtered to the full days.
	sweep := measure(func(*reservations.Service) error {
		_, err := reservations.FreeLostSeats(ctx, st, clk.Now())
		return err
	})

	memory := memoryOf(b)
	session := 2.0 // GetItem SESSION# and ACCOUNT#: every signed-in request
	parent := func(fn string, c cost.Call) cost.Call {
		c.Function, c.HTTP, c.Read = fn, true, c.Read+session
		return c
	}
	page := func(fn string, read float64) cost.Call {
		return cost.Call{Function: fn, HTTP: true, Read: read + session}
	}
	model := func(years float64, c yearCalls) cost.Model {
		kept := lasting + years*yearOfDays
		preview, apply, cancel, book, planning, run, household := c.preview, c.apply, c.cancel, c.book, c.planning, c.run, c.household
		applyMail := apply
		applyMail.Emails = 1 // the summary e-mail
		return cost.Model{
			MemoryMB: memory, Init: 250 * time.Millisecond, Overhead: 10 * time.Millisecond, LogBytes: 1000,
			Families: communeFamilies, StoredBytes: kept,
			IndexBytes: indexedLasting + years*billedMonths*indexedInvoices,
			Lines: []cost.Line{
				{What: "long-period request (page, preview, apply)", PerYear: 2, Calls: []cost.Call{
					page("LongPeriod", household.Read), parent("LongPeriod", preview), parent("LongPeriod", applyMail)}},
				{What: "a day changed, then the planning shown again", PerYear: 2 * schoolWeeks, Calls: []cost.Call{
					parent("Reservation", avg(book, cancel)), parent("Planning", planning)}},
				{What: "planning read", PerYear: 2 * schoolWeeks, Calls: []cost.Call{parent("Planning", planning)}},
				{What: "sign-in (page, then password)", PerYear: schoolWeeks, Calls: []cost.Call{
					{Function: "Account", HTTP: true},
					// 2 throttle counters, the account read, the session written, lastLoginAt
					// (and the account's copy in GSI1); the password hash's work.
					{Function: "Account", HTTP: true, Read: 1, Write: 4 + accountIndexWrite, Work: 250 * time.Millisecond}}},
				{What: "invoice: e-mail, list, invoice, payment, PayFiP's notice, return page", PerYear: billedMonths, Calls: []cost.Call{
					// the list: every invoice kept (Invoices, one Query)
					parent("Invoices", cost.Call{Read: cost.ReadUnits(years * billedMonths * invoiceSize)}),
					parent("Invoices", cost.Call{Read: cost.ReadUnits(invoiceSize)}),
					// the invoice read, the attempt written, lastIdOp on the invoice (and on its
					// copy in GSI1)
					parent("Invoices", cost.Call{Read: cost.ReadUnits(invoiceSize), Write: 1 + 2*invoiceWrite}),
					// the attempt and invoice read, the payment on the invoice (and its copy in
					// GSI1), the attempt's state, the members for the receipt, the receipt
					{Function: "PaymentWebhook", HTTP: true, Read: 1 + cost.ReadUnits(invoiceSize) + household.Read,
						Write: 2*invoiceWrite + 1, Emails: 1},
					parent("Invoices", cost.Call{Read: cost.ReadUnits(invoiceSize)})}},
				// The emulator's write units leave out the index: the invoice written, then its
				// notifiedAt, are written again in GSI1.
				{What: "monthly invoice run, the family's part", PerYear: billedMonths, Calls: []cost.Call{
					{Function: "Billing", Work: run.Work, Read: run.Read, Write: run.Write + 2*invoiceWrite, Emails: run.Emails}}},
				// The reminder runs are the commune's invocations (below): the family's part of
				// each is what it reads and writes, and its e-mail.
				{What: "reminder e-mail (the family's, its marker claimed then sent)", PerYear: schoolWeeks, Calls: []cost.Call{
					{Function: "Reminder", InRun: true, Read: household.Read + 1, Write: 2, Emails: 1}}},
				{What: "reminder runs: the family's share of the months read", PerYear: 2*365 + 52, Calls: []cost.Call{
					{Function: "Reminder", InRun: true, Read: monthShare.Read}}},
				{What: "scheduled: Reminder runs (the commune's)", PerYear: 2*365 + 52, Shared: true, Calls: []cost.Call{
					{Function: "Reminder", Work: 2 * time.Second}}},
				{What: "scheduled: Reconciliation every 10 minutes", PerYear: 6 * 24 * 365, Shared: true, Calls: []cost.Call{
					{Function: "Reconciliation", Read: 1, Work: 50 * time.Millisecond}}},
				{What: "scheduled: nightly Retention run (its index, the accounts from GSI1, the months to come swept for lost seats)", PerYear: 365, Shared: true, Calls: []cost.Call{
					{Function: "Retention", Read: nightly.Read + accountsRead + sweep.Read, Write: nightly.Write + sweep.Write, Work: 5 * time.Second}}},
				{What: "Retention: the family's year of days purged (queried by month, deleted)", PerYear: 1, Calls: []cost.Call{
					{Function: "Retention", Read: purge.Read, Write: purge.Write}}},
			},
		}
	}
	firstBill, err := model(1, first).Price(cost.EUWest3)
	must(err)
	steadyBill, err := model(retainedYears, steady).Price(cost.EUWest3)
	must(err)
	fmt.Printf("\nOne family for a year, after %d years of records kept (the dearest year):\n", retainedYears)
	steadyBill.Print(os.Stdout)
	fmt.Printf("Its first year: %.4f euro cents.\nMeasured: booking %.0f WCU %.0f RCU, cancellation %.0f WCU, "+
		"month's planning %.0f RCU, school-year long period %.0f WCU %.0f RCU (%d ms), invoice %.0f bytes, "+
		"a year of days and invoices %.0f KB stored (%.1f KB more in GSI1, and %.1f KB there that it keeps for good).\n",
		firstBill.EUR()*100, book.Write, book.Read, cancel.Write, planning.Read, apply.Write, apply.Read, apply.Work.Milliseconds(),
		invoiceSize, yearOfDays/1024, billedMonths*indexedInvoices/1024, indexedLasting/1024)
	fmt.Printf("With %d years of invoices in the family's partition: the family read %.0f RCU (%.0f with one), "+
		"the month's planning %.0f RCU, a booking %.0f RCU, the invoice run's family part %.0f RCU.\n",
		retainedYears, steady.household.Read, household.Read, steady.planning.Read, steady.book.Read, steady.run.Read)
	fmt.Printf("Retention: a night %.1f RCU %.0f WCU (%.1f RCU of them the sweep of lost seats), a year of the family's days purged %.0f RCU %.0f WCU.\n\n",
		nightly.Read+accountsRead+sweep.Read, nightly.Write+sweep.Write, sweep.Read, purge.Read, purge.Write)
	b.ReportMetric(steadyBill.EUR()*100, "eurocents/family-year")
	b.ReportMetric(firstBill.EUR()*100, "eurocents/first-year")
	must(benchresults.Record(map[string]float64{
		"cost_per_family_year_eur":        round(steadyBill.EUR(), 6),
		"cost_per_family_first_year_eur":  round(firstBill.EUR(), 6),
		"cost_booking_wcu":                book.Write,
		"cost_planning_month_rcu":         planning.Read,
		"cost_longperiod_school_year_wcu": apply.Write,
		"cost_family_stored_kb_per_year":  round(yearOfDays/1024, 1),
		"cost_dynamodb_requests_ratio":    round(steadyBill.ByService()[cost.DynamoReqs]/steadyBill.USD(), 3),
	}))
}

// yearCalls are the measured calls of a year whose costs depend on what the family has kept.
type yearCalls struct {
	preview, apply, cancel, book, planning, run, household cost.Call
}

func avg(x, y cost.Call) cost.Call {
	return cost.Call{Work: (x.Work + y.Work) / 2, Read: (x.Read + y.Read) / 2, Write: (x.Write + y.Write) / 2}
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

// memoryOf reads each function's MemorySize from template.yaml.
func memoryOf(b *testing.B) map[string]int {
	b.Helper()
	wd, err := os.Getwd()
	if err != nil {
		b.Fatal(err)
	}
	root, err := samtemplate.ModuleRoot(wd)
	if err != nil {
		b.Fatal(err)
	}
	tpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"), nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	out := map[string]int{}
	for _, f := range tpl.Functions {
		mb := f.MemorySize
		if mb == 0 {
			mb = tpl.Globals.MemorySize
		}
		out[f.LogicalID] = mb
	}
	return out
}
