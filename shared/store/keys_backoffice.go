package store

// Key builders of the back-office's items (staff, journal, family directory); like keys.go,
// the only way these keys are made, pinned by keys_backoffice_test.go.

func staffPK(email string) string              { return "STAFF#" + email }
func staffSessionPK(tokenHash string) string   { return "STAFFSESSION#" + tokenHash }
func auditPK(month string) string              { return "AUDIT#" + month }
func auditSK(at, id string) string             { return at + "#" + id }
func familyDirectorySK(name, id string) string { return name + "#" + id }

// Fixed keys of the back-office's items.
const (
	skStaff     = "STAFF"
	gsiStaff    = "STAFF"    // GSI1PK of every staff member: the list of staff
	gsiFamilies = "FAMILIES" // GSI1PK of every family: the directory of families
)
