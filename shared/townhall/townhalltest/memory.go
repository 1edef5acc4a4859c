// Package townhalltest keeps the town hall's items in memory, beside the reservation rules'
// own in-memory store, for the back-office's handler tests. The DynamoDB store is tested
// against the emulator in shared/townhall.
package townhalltest

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/reservations/reservationstest"
	"github.com/preau/preau/shared/townhall"
)

// Memory is a townhall.Store in memory. Its zero value is not ready: use NewMemory.
type Memory struct {
	*reservationstest.Memory

	mu       sync.Mutex
	names    map[string]string                       // family id → name
	enrolled map[calendar.Activity]map[string]string // activity → child → family
	unbilled map[string]billing.Unbilled
	notices  map[string]noticeState
	years    map[int]townhall.SchoolYear
	changes  map[string][]townhall.FamilyChange
}

type noticeState struct {
	claim     string
	sent      bool
	claimedAt time.Time
}

// NewMemory returns an empty Memory.
func NewMemory() *Memory {
	return &Memory{Memory: reservationstest.NewMemory(), names: map[string]string{},
		enrolled: map[calendar.Activity]map[string]string{}, unbilled: map[string]billing.Unbilled{},
		notices: map[string]noticeState{}, years: map[int]townhall.SchoolYear{}, changes: map[string][]townhall.FamilyChange{}}
}

var _ townhall.Store = (*Memory)(nil)

// PutFamily keeps the family's name too.
func (m *Memory) PutFamily(ctx context.Context, f family.Family) error {
	m.mu.Lock()
	m.names[f.ID] = f.Name
	m.mu.Unlock()
	return m.Memory.PutFamily(ctx, f)
}

// PutEnrolment keeps which family the child belongs to, as GSI1 does.
func (m *Memory) PutEnrolment(ctx context.Context, familyID string, e family.Enrolment) error {
	m.mu.Lock()
	if m.enrolled[e.Activity] == nil {
		m.enrolled[e.Activity] = map[string]string{}
	}
	m.enrolled[e.Activity][e.ChildID] = familyID
	m.mu.Unlock()
	return m.Memory.PutEnrolment(ctx, familyID, e)
}

// ChildFamilies maps each child enrolled in a to its family.
func (m *Memory) ChildFamilies(_ context.Context, a calendar.Activity) (map[string]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.enrolled[a]), nil
}

// BillingHousehold reads the family, its children and members.
func (m *Memory) BillingHousehold(ctx context.Context, familyID string) (billing.Household, error) {
	h, err := m.Household(ctx, familyID)
	if err != nil {
		return billing.Household{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return billing.Household{Family: family.Family{ID: familyID, Name: m.names[familyID]}, Children: h.Children, Members: h.Members}, nil
}

func unbilledKey(u billing.Unbilled) string {
	return u.Day.String() + "#" + string(u.Activity) + "#" + u.Site + "#" + u.ChildID
}

// AddUnbilled marks a day unbilled unless it is.
func (m *Memory) AddUnbilled(_ context.Context, u billing.Unbilled) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.unbilled[unbilledKey(u)]; ok {
		return false, nil
	}
	m.unbilled[unbilledKey(u)] = u
	return true, nil
}

// RemoveUnbilled forgets u's mark if it still has u's reason.
func (m *Memory) RemoveUnbilled(_ context.Context, u billing.Unbilled) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if cur, ok := m.unbilled[unbilledKey(u)]; ok && cur.Reason == u.Reason {
		delete(m.unbilled, unbilledKey(u))
	}
	return nil
}

// UnbilledDays lists the month's unbilled days.
func (m *Memory) UnbilledDays(_ context.Context, month date.Date) ([]billing.Unbilled, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []billing.Unbilled
	for _, k := range slices.Sorted(maps.Keys(m.unbilled)) {
		if u := m.unbilled[k]; u.Day.MonthKey() == month.MonthKey() {
			out = append(out, u)
		}
	}
	return out, nil
}

func noticeKey(n townhall.Notice) string {
	return n.Day.String() + "#" + n.FamilyID + "#" + string(n.Activity)
}

// ClaimClosureNotice takes n if absent or claimed before staleBefore and never sent.
func (m *Memory) ClaimClosureNotice(_ context.Context, n townhall.Notice, now, staleBefore time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if st, ok := m.notices[noticeKey(n)]; ok && (st.sent || !st.claimedAt.Before(staleBefore)) {
		return false, nil
	}
	m.notices[noticeKey(n)] = noticeState{claim: n.Claim, claimedAt: now}
	return true, nil
}

// ClosureNoticeSent marks n sent if n's claim holds it.
func (m *Memory) ClosureNoticeSent(_ context.Context, n townhall.Notice, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, ok := m.notices[noticeKey(n)]
	if !ok || st.claim != n.Claim {
		return townhall.ErrClaimLost
	}
	st.sent = true
	m.notices[noticeKey(n)] = st
	return nil
}

// ReleaseClosureNotice forgets n if n's claim holds it unsent.
func (m *Memory) ReleaseClosureNotice(_ context.Context, n townhall.Notice) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if st, ok := m.notices[noticeKey(n)]; ok && st.claim == n.Claim && !st.sent {
		delete(m.notices, noticeKey(n))
	}
	return nil
}

// SchoolYears lists the loaded years in year order.
func (m *Memory) SchoolYears(context.Context) ([]townhall.SchoolYear, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []townhall.SchoolYear
	for _, y := range slices.Sorted(maps.Keys(m.years)) {
		out = append(out, m.years[y])
	}
	return out, nil
}

// SchoolHolidays returns every loaded period (reservations.HolidayStore).
func (m *Memory) SchoolHolidays(ctx context.Context) ([]calendar.Period, error) {
	ys, _ := m.SchoolYears(ctx)
	var out []calendar.Period
	for _, y := range ys {
		out = append(out, y.Periods...)
	}
	return out, nil
}

// PutSchoolYear stores y if the stored version is y.Previous.
func (m *Memory) PutSchoolYear(_ context.Context, y townhall.SchoolYear) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.years[y.Year].Version != y.Previous {
		return townhall.ErrStaleYear
	}
	m.years[y.Year] = y
	return nil
}

// AddFamilyChange records a staff change.
func (m *Memory) AddFamilyChange(_ context.Context, c townhall.FamilyChange) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.changes[c.FamilyID] = append(m.changes[c.FamilyID], c)
	return nil
}

// FamilyChanges lists a family's staff changes, newest first.
func (m *Memory) FamilyChanges(_ context.Context, familyID string) ([]townhall.FamilyChange, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := slices.Clone(m.changes[familyID])
	slices.Reverse(out)
	return out, nil
}
