package store

import (
	"fmt"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
)

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

// Key builders of the town hall's calendar and family changes (shared/townhall).
func noticePK(d date.Date) string { return "NOTICE#" + d.String() }
func noticeSK(familyID string, a calendar.Activity) string {
	return familyID + "#" + string(a)
}
func schoolYearSK(year int) string       { return fmt.Sprintf("SCHOOLYEAR#%04d", year) }
func familyLogPK(familyID string) string { return "FAMILYLOG#" + familyID }
func familyLogSK(at time.Time, id string) string {
	return at.UTC().Format(pendingLayout) + "#" + id
}

// Keys of "Nous contacter" threads (owner: shared/messages).
func threadPK(id string) string        { return "THREAD#" + id }
func threadPointerSK(id string) string { return "THREAD#" + id }
func threadGSI1SK(updated time.Time, id string) string {
	return updated.UTC().Format(pendingLayout) + "#" + id
}

const (
	skThread    = "THREAD"
	gsi1Threads = "THREADS" // GSI1PK of every thread: the back-office's list, by last activity
)
