package calendar

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/preau/preau/shared/date"
)

//go:generate go run ./internal/zonebgen

// ShippedZone is the school-holiday zone of the shipped data, as the ministry's open-data file
// names it.
const ShippedZone = "Zone B"

// csvHeader is the header line of a school holiday file (see data/README.md).
var csvHeader = []string{"first_day_off", "last_day_off", "name", "verified"}

// ZoneB returns the shipped zone B school holiday periods.
func ZoneB() []Period { return slices.Clone(zoneBPeriods()) }

// zoneBPeriods are data/school-holidays-zone-b.csv, as zoneb_gen.go holds them (go generate
// writes the table from the file, and a test fails when they differ).
var zoneBPeriods = sync.OnceValue(zoneBTable)

var defaultCalendar = sync.OnceValue(func() *Calendar { return New(zoneBPeriods(), nil) })

// Zones are the school-holiday zones of mainland France, as the ministry's open-data file names
// them.
var Zones = []string{"Zone A", "Zone B", "Zone C"}

// ForZone returns the school calendar a commune of zone starts from: the shipped data for
// ShippedZone; for another zone, a calendar without school years, so that nothing is booked on
// another zone's holidays: the town hall loads each school year of its zone from the ministry's
// file (the back-office's Vacances scolaires page) before parents book it.
func ForZone(zone string) (*Calendar, error) {
	switch {
	case zone == ShippedZone:
		return Default(), nil
	case slices.Contains(Zones, zone):
		return New(nil, nil), nil
	}
	return nil, fmt.Errorf("school zone %q: want one of %s", zone, strings.Join(Zones, ", "))
}

// ParseCSV reads school holiday periods in the format of data/school-holidays-zone-b.csv: lines
// starting with # are comments, then the header first_day_off,last_day_off,name,verified, then one
// period per line with both days inclusive. Periods must be valid and must not overlap.
func ParseCSV(r io.Reader) ([]Period, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = len(csvHeader)
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("school holidays: empty file")
	}
	if err != nil {
		return nil, fmt.Errorf("school holidays: %w", err)
	}
	if strings.Join(head, ",") != strings.Join(csvHeader, ",") {
		return nil, fmt.Errorf("school holidays: header %q, want %q", strings.Join(head, ","), strings.Join(csvHeader, ","))
	}
	var ps []Period
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("school holidays: %w", err)
		}
		line, _ := cr.FieldPos(0)
		p, err := parsePeriod(rec)
		if err != nil {
			return nil, fmt.Errorf("school holidays line %d: %w", line, err)
		}
		if n := len(ps); n > 0 && !p.First.After(ps[n-1].Last) {
			return nil, fmt.Errorf("school holidays line %d: %s starts before the previous period ends (%s)", line, p.Name, ps[n-1].Last)
		}
		ps = append(ps, p)
	}
	return ps, nil
}

func parsePeriod(rec []string) (Period, error) {
	first, err := date.Parse(strings.TrimSpace(rec[0]))
	if err != nil {
		return Period{}, err
	}
	last, err := date.Parse(strings.TrimSpace(rec[1]))
	if err != nil {
		return Period{}, err
	}
	verified, err := strconv.ParseBool(strings.TrimSpace(rec[3]))
	if err != nil {
		return Period{}, fmt.Errorf("verified %q: want true or false", rec[3])
	}
	p := Period{First: first, Last: last, Name: strings.TrimSpace(rec[2]), Verified: verified}
	return p, p.Validate()
}
