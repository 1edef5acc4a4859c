package staff

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"
)

// Entry is one staff action in the journal.
type Entry struct {
	ID     string    // unique within its instant, so two actions at once are both kept
	At     time.Time // when
	Who    string    // the staff member's e-mail
	Action string    // what, in French: "Code abonné réémis"
	Target string    // on what: "Famille Martin (f_e9s741y99c)"
	Before string    // the state before, in French ("" when created)
	After  string    // the state after ("" when removed)
}

// Journal stores the staff actions.
type Journal interface {
	// RecordEntry stores an entry (idempotent on its ID).
	RecordEntry(ctx context.Context, e Entry) error
	// Entries lists the entries of a month ("2026-12"), newest first.
	Entries(ctx context.Context, month string) ([]Entry, error)
}

// Recorder writes journal entries for one staff member.
type Recorder struct {
	Journal Journal
}

// Record writes what who did at now. An action is recorded after it is done; a failure to
// record is returned, so the page says the action's outcome is uncertain rather than hiding it.
func (r Recorder) Record(ctx context.Context, who string, now time.Time, action, target, before, after string) error {
	var b [6]byte
	_, _ = rand.Read(b[:])
	e := Entry{ID: hex.EncodeToString(b[:]), At: now, Who: who, Action: action, Target: target, Before: before, After: after}
	if err := r.Journal.RecordEntry(ctx, e); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}
