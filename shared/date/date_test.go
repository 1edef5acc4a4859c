package date

import (
	"testing"
	"time"
)

// The embedded zone gives the offsets France has: winter +01:00, summer +02:00, changing on the
// last Sundays of March and October at 01:00 UTC, today and decades ahead.
func TestParisOffsets(t *testing.T) {
	for _, c := range []struct {
		utc    string
		offset int // hours
	}{
		{"2026-03-29T00:59:59Z", 1}, {"2026-03-29T01:00:00Z", 2},
		{"2026-10-25T00:59:59Z", 2}, {"2026-10-25T01:00:00Z", 1},
		{"2027-03-28T01:00:00Z", 2}, {"2027-10-31T01:00:00Z", 1},
		{"2045-07-14T12:00:00Z", 2}, {"2045-12-25T12:00:00Z", 1},
	} {
		at, err := time.Parse(time.RFC3339, c.utc)
		if err != nil {
			t.Fatal(err)
		}
		if _, off := at.In(Paris).Zone(); off != c.offset*3600 {
			t.Errorf("%s: offset %ds, want %dh", c.utc, off, c.offset)
		}
	}
}

// Where the machine has its own zoneinfo, both agree on every hour from 1980 to 2060.
func TestParisMatchesTheSystemZone(t *testing.T) {
	sys, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skipf("no system zoneinfo to compare with: %v", err)
	}
	for at := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC); at.Year() < 2060; at = at.Add(time.Hour) {
		_, a := at.In(Paris).Zone()
		_, b := at.In(sys).Zone()
		if a != b {
			t.Fatalf("%s: embedded offset %d, system %d", at, a, b)
		}
	}
}
