package store

import (
	"testing"

	"github.com/preau/preau/shared/reservations"
)

// TestNeedsMaps: a change adds a day's maps only when a read shows a stored item lacking one,
// and at most once per operation; any other ValidationException is the request's own fault.
func TestNeedsMaps(t *testing.T) {
	complete := storedDay{Day: reservations.Day{}, complete: true}
	lacking := storedDay{Day: reservations.Day{}}
	tests := []struct {
		name            string
		day             storedDay
		found, repaired bool
		want            bool
	}{
		{"an item lacking its maps", lacking, true, false, true},
		{"the same item once repaired", lacking, true, true, false},
		{"a complete item: the request is at fault", complete, true, false, false},
		{"no item at all", lacking, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := needsMaps(tt.day, tt.found, tt.repaired); got != tt.want {
				t.Fatalf("needsMaps = %v, want %v", got, tt.want)
			}
		})
	}
}
