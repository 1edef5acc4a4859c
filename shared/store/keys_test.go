package store

import (
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
)

// TestKeysArePinned fails when a key format changes: stored items would become unreachable.
func TestKeysArePinned(t *testing.T) {
	d := date.MustParse("2026-12-07")
	cases := []struct{ got, want string }{
		{familyPK("f_1"), "FAMILY#f_1"},
		{childSK("c_1"), "CHILD#c_1"},
		{enrolmentSK("c_1", calendar.Canteen), "ENROL#c_1#cantine"},
		{enrolmentGSI1PK(calendar.Canteen), "ENROL#cantine"},
		{enrolmentGSI1SK("jules-ferry", "c_1"), "jules-ferry#c_1"},
		{memberSK("a@b.fr"), "MEMBER#a@b.fr"},
		{codePK("BLENFANCE-12087-AB12-CD34"), "CODE#BLENFANCE-12087-AB12-CD34"},
		{activityPK(calendar.WednesdayCentre), "ACTIVITY#mercredi"},
		{siteSK("jules-ferry"), "SITE#jules-ferry"},
		{closureSK(d), "CLOSURE#2026-12-07"},
		{accountPK("a@b.fr"), "ACCOUNT#a@b.fr"},
		{dayPK(calendar.Canteen, "jules-ferry", d), "DAY#cantine#jules-ferry#2026-12"},
		{daySK(d), "2026-12-07"},
		{childDaySK("c_1", d), "CHILD#c_1#2026-12-07"},
		{feedPK("abc"), "FEED#abc"},
		{memberFeedSK("a@b.fr"), "FEED#a@b.fr"},
		{sessionPK("abc"), "SESSION#abc"},
		{tokenPK("abc"), "TOKEN#abc"},
		{throttlePK("login-account", "a@b.fr"), "THROTTLE#login-account#a@b.fr"},
		{proofPK("n1"), "PROOF#n1"},
		{runPK(d), "BILLRUN#2026-12"},
		{counterPK(2027), "INVOICESEQ#2027"},
		{invoiceSK("2026000042"), "INVOICE#2026000042"},
		{attemptPK("op1"), "PAYMENT#op1"},
		{unbilledPK(d), "UNBILLED#2026-12"},
		{unbilledSK(d, calendar.Canteen, "jules-ferry", ""), "2026-12-07#cantine#jules-ferry#*"},
		{unbilledSK(d, calendar.Canteen, "jules-ferry", "c_1"), "2026-12-07#cantine#jules-ferry#c_1"},
		{pendingGSI1SK(time.Date(2026, 12, 1, 9, 5, 0, 0, time.UTC), "op1"), "2026-12-01T09:05:00.000000000Z#op1"},
		{monthInvoicesGSI1PK(date.New(2026, time.November, 1)), "INVOICES#2026-11"},
		{overpaymentSK(time.Date(2026, 12, 1, 9, 5, 0, 0, time.UTC), "op1"), "2026-12-01T09:05:00.000000000Z#op1"},
		{reminderPK("a@b.fr"), "REMINDER#a@b.fr"},
		{skReminderPrefs, "REMINDERS"},
		{gsi1WeeklySummary, "REMINDERS#SUMMARY"},
		{familyEventPK("f_1"), "FAMILYEVENT#f_1"},
		{familyEventSK(time.Date(2026, 12, 3, 9, 5, 0, 7, time.UTC), "ab12"), "2026-12-03T09:05:00.000000007Z#ab12"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("key %q, want %q", c.got, c.want)
		}
	}
}

// TestChildDayOf: a child's day's sort key gives back its child and day (childDaySK's
// inverse); no other key does.
func TestChildDayOf(t *testing.T) {
	tests := []struct {
		sk, child, day string
		ok             bool
	}{
		{"CHILD#c_0123456789#2026-10-06", "c_0123456789", "2026-10-06", true},
		{"CHILD#2026-10-05#2026-10-06", "2026-10-05", "2026-10-06", true},
		{"CHILD##2026-10-06", "", "", false},
		{"CHILD#c_1#2026-13-06", "", "", false},
		{"CHILD#c_12026-10-06", "", "", false},
		{"2026-10-06", "", "", false},
	}
	for _, tt := range tests {
		child, d, ok := childDayOf(tt.sk)
		if ok != tt.ok || child != tt.child || (ok && d.String() != tt.day) {
			t.Errorf("childDayOf(%q) = %q, %v, %v; want %q, %s, %v", tt.sk, child, d, ok, tt.child, tt.day, tt.ok)
		}
	}
}

// TestInvoiceKeysOf: an invoice's keys give back its family, number and month.
func TestInvoiceKeysOf(t *testing.T) {
	m := date.MustParse("2026-10-01")
	f, n, mk := invoiceKeysOf(familyPK("f_1"), invoiceSK("2026000042"), monthInvoicesGSI1PK(m))
	if f != "f_1" || n != "2026000042" || mk != "2026-10" {
		t.Fatalf("invoiceKeysOf = %q, %q, %q", f, n, mk)
	}
	if f, n, mk := invoiceKeysOf("ACCOUNT#f_1", "FAMILY", ""); f != "" || n != "" || mk != "" {
		t.Fatalf("other keys read as %q, %q, %q", f, n, mk)
	}
}

// TestFamilyPartitionOrder: Family reads the family's partition below the members' feeds and
// its members, never its invoices, which sort between.
func TestFamilyPartitionOrder(t *testing.T) {
	household := []string{childSK("c_1"), enrolmentSK("c_1", calendar.Canteen), skFamily}
	for _, sk := range household {
		if sk >= memberFeedSK("") {
			t.Errorf("%s sorts after the feeds: Family would not read it", sk)
		}
	}
	for _, sk := range []string{memberFeedSK("a@b.fr"), invoiceSK("2026000001")} {
		if sk < memberFeedSK("") || sk >= memberSK("") {
			t.Errorf("%s sorts outside what Family leaves", sk)
		}
	}
}
