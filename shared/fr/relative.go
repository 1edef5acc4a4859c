package fr

import (
	"time"

	"github.com/preau/preau/shared/date"
)

// BeforeDeadline tells a deadline relative to now, as a reminder reads it: "avant aujourd'hui
// 10h00", "avant demain 10h00", else "avant jeudi 3 décembre à 10h00" (days in Paris time).
func BeforeDeadline(deadline, now time.Time) string {
	if deadline.IsZero() {
		return ""
	}
	d, today := date.Of(deadline), date.Of(now)
	switch d {
	case today:
		return "avant aujourd'hui " + Clock(deadline)
	case today.AddDays(1):
		return "avant demain " + Clock(deadline)
	}
	return "avant " + DeadlineText(deadline)
}
