package store

import (
	"testing"

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
		{feedPK("abc"), "FEED#abc"},
		{memberFeedSK("a@b.fr"), "FEED#a@b.fr"},
		{sessionPK("abc"), "SESSION#abc"},
		{tokenPK("abc"), "TOKEN#abc"},
		{throttlePK("login-account", "a@b.fr"), "THROTTLE#login-account#a@b.fr"},
		{proofPK("n1"), "PROOF#n1"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("key %q, want %q", c.got, c.want)
		}
	}
}
