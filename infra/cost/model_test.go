package cost

import (
	"math"
	"strings"
	"testing"
	"time"
)

// prices where each service's figure can be told apart from the others'.
var testPrices = Prices{Region: "test", Date: "now", LambdaRequest: 1, LambdaGBSecond: 10, HTTPAPIRequest: 100,
	ReadUnit: 1000, WriteUnit: 10000, StorageGBMonth: 0.5, BackupGBMonth: 0.5, Email: 1e6, ScheduledInvocation: 2,
	LogIngestGB: 1e9, EURPerUSD: 0.5}

func TestPriceAddsEachServiceOnce(t *testing.T) {
	m := Model{
		MemoryMB: map[string]int{"Planning": 512, "Reminder": 512},
		Overhead: 10 * time.Millisecond, LogBytes: 1000, Families: 4, StoredBytes: 1 << 30,
		Lines: []Line{
			{What: "a request", PerYear: 10, Calls: []Call{{Function: "Planning", HTTP: true, Work: 90 * time.Millisecond,
				Read: 4, Write: 2, Emails: 1}}},
			{What: "a schedule", PerYear: 100, Shared: true, Calls: []Call{{Function: "Reminder"}}},
		},
	}
	b, err := m.Price(testPrices)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		Lambda:     10*(1+0.5*0.1*10) + 25*(1+0.5*0.01*10), // requests and GB-seconds at 512 MB
		APIGateway: 10 * 100,
		DynamoReqs: 10 * (4*1000 + 2*10000),
		SES:        10 * 1e6,
		Logs:       (10 + 25) * 1000,
		Scheduler:  25 * 2, // 100 a year shared by 4 families
		DynamoData: 12 * 1,
	}
	got := b.ByService()
	total := 0.0
	for s, v := range want {
		total += v
		if math.Abs(got[s]-v) > 1e-9*v {
			t.Errorf("%s: %v, want %v", s, got[s], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("services %v, want %v", got, want)
	}
	if math.Abs(b.EUR()-total/2) > 1e-9*total {
		t.Errorf("total %v EUR, want %v", b.EUR(), total/2)
	}
	var out strings.Builder
	b.Print(&out)
	if !strings.Contains(out.String(), "one family, one year") || !strings.Contains(out.String(), "a schedule") {
		t.Errorf("printed bill lacks its total or a line:\n%s", out.String())
	}
}

// TestWorkInAnotherRunIsNoInvocation: what a family makes inside a run another line counts is
// billed its DynamoDB and SES use only; copies in the index are billed as storage, without
// backups.
func TestWorkInAnotherRunIsNoInvocation(t *testing.T) {
	m := Model{
		MemoryMB: map[string]int{"Reminder": 512}, Init: time.Second, Overhead: 10 * time.Millisecond, LogBytes: 1000,
		Families: 4, IndexBytes: 1 << 30,
		Lines: []Line{
			{What: "the family's share of a run", PerYear: 10, Calls: []Call{{Function: "Reminder", InRun: true, Read: 4, Write: 2, Emails: 1}}},
			{What: "a run without a function", PerYear: 1, Calls: []Call{{InRun: true, Read: 1}}},
		},
	}
	b, err := m.Price(testPrices)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		DynamoReqs: 10*(4*1000+2*10000) + 1000,
		SES:        10 * 1e6,
		DynamoData: 12 * 0.5, // storage only
	}
	got := b.ByService()
	if len(got) != len(want) {
		t.Errorf("services %v, want %v", got, want)
	}
	for s, v := range want {
		if math.Abs(got[s]-v) > 1e-9*v {
			t.Errorf("%s: %v, want %v", s, got[s], v)
		}
	}
}

func TestPriceRefusesWhatItCannotPrice(t *testing.T) {
	tests := []struct {
		name string
		m    Model
	}{
		{"a function without memory", Model{Families: 1, Lines: []Line{{What: "x", PerYear: 1, Calls: []Call{{Function: "Nope"}}}}}},
		{"a shared line without families", Model{MemoryMB: map[string]int{"Reminder": 512},
			Lines: []Line{{What: "x", PerYear: 1, Shared: true, Calls: []Call{{Function: "Reminder"}}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.m.Price(testPrices); err == nil {
				t.Fatal("priced anyway")
			}
		})
	}
}

func TestReadUnits(t *testing.T) {
	for bytes, want := range map[float64]float64{1: 1, 4096: 1, 4097: 2, 40000: 10} {
		if got := ReadUnits(bytes); got != want {
			t.Errorf("ReadUnits(%v) = %v, want %v", bytes, got, want)
		}
	}
}
