package cost

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// Call is one invocation of a function and what it used.
type Call struct {
	Function string        // LogicalId in template.yaml
	HTTP     bool          // came through API Gateway (a schedule's invocation does not)
	Work     time.Duration // the time of its work (the handler's), as measured
	Read     float64       // DynamoDB read request units
	Write    float64       // DynamoDB write request units
	Emails   int           // SES messages
	// InRun marks the work a family makes inside an invocation another line counts (a scheduled
	// run's, shared by the commune): only its DynamoDB and SES use are the family's, not an
	// invocation of its own.
	InRun bool
}

// Line is something that happens PerYear times a year, each time by Calls. A Shared line is the
// commune's (a schedule's run): its cost is divided among the commune's families.
type Line struct {
	What    string
	PerYear float64
	Calls   []Call
	Shared  bool
}

// Model is one family's year.
type Model struct {
	Lines []Line
	// MemoryMB is each function's MemorySize (template.yaml).
	MemoryMB map[string]int
	// Init is the billed start-up added to every invocation: each is taken as a cold start,
	// which is close to the truth for a commune's low traffic and errs on the dear side.
	Init time.Duration
	// Overhead is added to every invocation's measured work: rendering, JSON, the runtime's own
	// round trips (the benchmarks time the domain's work against the local emulator).
	Overhead time.Duration
	// LogBytes is what an invocation writes to CloudWatch Logs (the platform's START, END and
	// REPORT lines and the function's own request line).
	LogBytes float64
	// Families is the commune's number of families, among which Shared lines are divided.
	Families int
	// StoredBytes is what the family keeps in DynamoDB, counted as DynamoDB bills storage (each
	// item's size plus 100 bytes), kept all year with point-in-time recovery.
	StoredBytes float64
	// IndexBytes is what the family's items weigh again in the global secondary index GSI1,
	// which projects them whole (each item's size plus 100 bytes), kept all year: billed as
	// storage, without continuous backups (point-in-time recovery backs up the table).
	IndexBytes float64
}

// Item is one priced row of a bill.
type Item struct {
	Line    string
	Service string
	USD     float64
}

// Bill is a family's year.
type Bill struct {
	Items  []Item
	Prices Prices
}

// Services lists the AWS services of the bill.
const (
	Lambda     = "Lambda"
	APIGateway = "API Gateway"
	DynamoReqs = "DynamoDB requests"
	DynamoData = "DynamoDB storage and backups"
	SES        = "SES"
	Scheduler  = "EventBridge Scheduler"
	Logs       = "CloudWatch Logs"
)

// Price computes the bill of m at prices p. A function missing from MemoryMB is an error: every
// invocation must be priced at its real memory (a call InRun is no invocation of its own).
func (m Model) Price(p Prices) (Bill, error) {
	b := Bill{Prices: p}
	add := func(line, service string, usd float64) {
		if usd != 0 {
			b.Items = append(b.Items, Item{Line: line, Service: service, USD: usd})
		}
	}
	for _, l := range m.Lines {
		n := l.PerYear
		if l.Shared {
			if m.Families <= 0 {
				return Bill{}, fmt.Errorf("cost: %q is shared but the commune has no families", l.What)
			}
			n /= float64(m.Families)
		}
		for _, c := range l.Calls {
			add(l.What, DynamoReqs, n*(c.Read*p.ReadUnit+c.Write*p.WriteUnit))
			add(l.What, SES, n*float64(c.Emails)*p.Email)
			if c.InRun {
				continue
			}
			mb, ok := m.MemoryMB[c.Function]
			if !ok {
				return Bill{}, fmt.Errorf("cost: %q: no memory size for function %q", l.What, c.Function)
			}
			seconds := (c.Work + m.Overhead + m.Init).Seconds()
			add(l.What, Lambda, n*(p.LambdaRequest+float64(mb)/1024*seconds*p.LambdaGBSecond))
			if c.HTTP {
				add(l.What, APIGateway, n*p.HTTPAPIRequest)
			} else {
				add(l.What, Scheduler, n*p.ScheduledInvocation)
			}
			add(l.What, Logs, n*m.LogBytes/1e9*p.LogIngestGB)
		}
	}
	add("what the family keeps stored", DynamoData, 12*m.StoredBytes/(1<<30)*(p.StorageGBMonth+p.BackupGBMonth))
	add("its items' copies in GSI1", DynamoData, 12*m.IndexBytes/(1<<30)*p.StorageGBMonth)
	return b, nil
}

// USD is the bill's total in US dollars.
func (b Bill) USD() float64 {
	t := 0.0
	for _, it := range b.Items {
		t += it.USD
	}
	return t
}

// EUR is the bill's total in euros.
func (b Bill) EUR() float64 { return b.USD() * b.Prices.EURPerUSD }

// ByService sums the bill by AWS service.
func (b Bill) ByService() map[string]float64 {
	out := map[string]float64{}
	for _, it := range b.Items {
		out[it.Service] += it.USD
	}
	return out
}

// ByLine sums the bill by line of the model.
func (b Bill) ByLine() map[string]float64 {
	out := map[string]float64{}
	for _, it := range b.Items {
		out[it.Line] += it.USD
	}
	return out
}

// Print writes the bill: by service, then by line, dearest first, in euro cents.
func (b Bill) Print(w io.Writer) {
	cents := func(usd float64) string { return fmt.Sprintf("%8.4f", usd*b.Prices.EURPerUSD*100) }
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	section := func(title string, sums map[string]float64) {
		fmt.Fprintf(tw, "%s\teuro cents a year\tshare\n", title)
		for _, k := range sortedByValue(sums) {
			fmt.Fprintf(tw, "  %s\t%s\t%3.0f %%\n", k, cents(sums[k]), 100*sums[k]/b.USD())
		}
	}
	section("by service", b.ByService())
	section("by line", b.ByLine())
	fmt.Fprintf(tw, "one family, one year\t%s\t(%.5f EUR; %s prices of %s, 1 USD = %.2f EUR)\n",
		cents(b.USD()), b.EUR(), b.Prices.Region, b.Prices.Date, b.Prices.EURPerUSD)
	tw.Flush()
}

func sortedByValue(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return strings.Compare(keys[i], keys[j]) < 0
	})
	return keys
}

// ReadUnits is what a strongly consistent read of bytes costs (a Query's items summed first).
func ReadUnits(bytes float64) float64 { return math.Ceil(bytes / 4096) }
