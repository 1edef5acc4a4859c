package family_test

import (
	"testing"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/family"
)

var canteen = family.Activity{Activity: calendar.Canteen, Site: "jules-ferry", SiteName: "École Jules Ferry",
	PriceCents: map[string]int64{"A": 120, "B": 250, "C": 380, "D": 450}}

func TestDayPrice(t *testing.T) {
	withRate := canteen
	withRate.NonResidentPriceCents = 600
	cases := []struct {
		name string
		act  family.Activity
		fam  family.Family
		want int64
	}{
		{"bracket B", canteen, family.Family{QuotientBracket: "B"}, 250},
		{"bracket A", canteen, family.Family{QuotientBracket: "A"}, 120},
		{"no bracket pays the highest rate", canteen, family.Family{}, 450},
		{"an unknown bracket pays the highest rate", canteen, family.Family{QuotientBracket: "Z"}, 450},
		{"non-resident without a rate pays the highest", canteen, family.Family{QuotientBracket: "A", NonResident: true}, 450},
		{"non-resident rate", withRate, family.Family{QuotientBracket: "A", NonResident: true}, 600},
		{"a resident ignores the non-resident rate", withRate, family.Family{QuotientBracket: "C"}, 380},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.act.DayPrice(c.fam); got != c.want {
				t.Errorf("DayPrice = %d, want %d", got, c.want)
			}
		})
	}
}
