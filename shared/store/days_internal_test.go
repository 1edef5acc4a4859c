package store

import "testing"

// TestLegacyDay: only a counter still holding a former day item's maps is moved to child items
// before a change; a counter of the present model never is.
func TestLegacyDay(t *testing.T) {
	tests := []struct {
		name string
		it   dayItem
		want bool
	}{
		{"a counter", dayItem{Booked: 3}, false},
		{"a former item with bookings and history", dayItem{Booked: 1,
			Bookings: map[string]bookingAV{"c_1": {}}, History: map[string][]entryAV{"c_1": {{}}}}, true},
		{"a former item without history", dayItem{Booked: 1, Bookings: map[string]bookingAV{"c_1": {}}}, true},
		{"a former item with empty maps", dayItem{Bookings: map[string]bookingAV{}, History: map[string][]entryAV{}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.it.legacy(); got != tt.want {
				t.Fatalf("legacy = %v, want %v", got, tt.want)
			}
		})
	}
}
