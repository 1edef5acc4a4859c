package fr

import (
	"testing"
	"time"
)

func TestBeforeDeadline(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	deadline := time.Date(2026, 12, 3, 10, 0, 0, 0, paris)
	for _, tc := range []struct {
		now  time.Time
		want string
	}{
		{time.Date(2026, 12, 3, 7, 0, 0, 0, paris), "avant aujourd'hui 10h00"},
		{time.Date(2026, 12, 2, 18, 0, 0, 0, paris), "avant demain 10h00"},
		// 23h30 UTC on the 2nd is already the 3rd in Paris.
		{time.Date(2026, 12, 2, 23, 30, 0, 0, time.UTC), "avant aujourd'hui 10h00"},
		{time.Date(2026, 12, 1, 18, 0, 0, 0, paris), "avant jeudi 3 décembre à 10h00"},
		// Across the change to summer time: Sunday evening, Monday's deadline at 10h00 (+02:00).
		{time.Date(2027, 3, 28, 18, 0, 0, 0, paris), ""},
	} {
		want := tc.want
		dl := deadline
		if want == "" {
			dl, want = time.Date(2027, 3, 29, 10, 0, 0, 0, paris), "avant demain 10h00"
		}
		if got := BeforeDeadline(dl, tc.now); got != want {
			t.Errorf("BeforeDeadline(%s, %s) = %q, want %q", dl, tc.now, got, want)
		}
	}
	if BeforeDeadline(time.Time{}, deadline) != "" {
		t.Error("zero deadline should read empty")
	}
}
