package store

import "testing"

// TestBackofficeKeysArePinned fails when a back-office key format changes.
func TestBackofficeKeysArePinned(t *testing.T) {
	cases := []struct{ got, want string }{
		{staffPK("a@b.fr"), "STAFF#a@b.fr"},
		{staffSessionPK("abc"), "STAFFSESSION#abc"},
		{auditPK("2026-12"), "AUDIT#2026-12"},
		{auditSK("2026-12-01T08:00:00Z", "x1"), "2026-12-01T08:00:00Z#x1"},
		{familyDirectorySK("famille martin", "f_1"), "famille martin#f_1"},
		{skStaff + gsiStaff + gsiFamilies, "STAFFSTAFFFAMILIES"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("key %q, want %q", c.got, c.want)
		}
	}
}
