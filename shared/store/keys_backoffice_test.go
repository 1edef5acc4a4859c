package store

import (
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
)

// TestBackofficeKeysArePinned fails when a back-office key format changes.
func TestBackofficeKeysArePinned(t *testing.T) {
	cases := []struct{ got, want string }{
		{threadPK("0123456789abcdef"), "THREAD#0123456789abcdef"},
		{threadPointerSK("0123456789abcdef"), "THREAD#0123456789abcdef"},
		{threadGSI1SK(time.Date(2026, 12, 1, 9, 5, 0, 0, time.UTC), "0123456789abcdef"), "2026-12-01T09:05:00.000000000Z#0123456789abcdef"},
		{skThread, "THREAD"},
		{gsi1Threads, "THREADS"},
		{staffPK("a@b.fr"), "STAFF#a@b.fr"},
		{staffSessionPK("abc"), "STAFFSESSION#abc"},
		{auditPK("2026-12"), "AUDIT#2026-12"},
		{auditSK("2026-12-01T08:00:00Z", "x1"), "2026-12-01T08:00:00Z#x1"},
		{familyDirectorySK("famille martin", "f_1"), "famille martin#f_1"},
		{noticePK(date.New(2026, time.December, 7)), "NOTICE#2026-12-07"},
		{noticeSK("f_1", calendar.Canteen), "f_1#cantine"},
		{schoolYearSK(2027), "SCHOOLYEAR#2027"},
		{familyLogPK("f_1"), "FAMILYLOG#f_1"},
		{familyLogSK(time.Date(2026, 12, 1, 8, 0, 0, 5, time.UTC), "x1"), "2026-12-01T08:00:00.000000005Z#x1"},
		{skStaff + gsiStaff + gsiFamilies, "STAFFSTAFFFAMILIES"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("key %q, want %q", c.got, c.want)
		}
	}
}
