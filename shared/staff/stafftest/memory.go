// Package stafftest holds an in-memory implementation of the staff rules' storage and the
// contract suite that it and shared/store's DynamoDB store both pass: tests of the rules and of
// the back-office's handlers run on Memory, without emulators, with the same behaviour.
package stafftest

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/preau/preau/shared/staff"
)

// Memory is an in-memory staff store; the zero value is not ready, use NewMemory.
type Memory struct {
	mu       sync.Mutex
	members  map[string]staff.Member
	sessions map[string]staff.Session
	attempts map[string]int
	entries  map[string]staff.Entry
}

// NewMemory returns an empty store.
func NewMemory() *Memory {
	return &Memory{members: map[string]staff.Member{}, sessions: map[string]staff.Session{},
		attempts: map[string]int{}, entries: map[string]staff.Entry{}}
}

// CreateMember implements staff.Members.
func (m *Memory) CreateMember(_ context.Context, mb staff.Member) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.members[mb.Email]; ok {
		return staff.ErrExists
	}
	m.members[mb.Email] = mb
	return nil
}

// Member implements staff.Members.
func (m *Memory) Member(_ context.Context, email string) (staff.Member, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mb, ok := m.members[email]
	if !ok {
		return staff.Member{}, staff.ErrNotFound
	}
	return mb, nil
}

// Members implements staff.Members (ordered by e-mail, as the index is).
func (m *Memory) Members(context.Context) ([]staff.Member, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]staff.Member, 0, len(m.members))
	for _, mb := range m.members {
		out = append(out, mb)
	}
	slices.SortFunc(out, func(a, b staff.Member) int { return strings.Compare(a.Email, b.Email) })
	return out, nil
}

// EnrolSecondFactor implements staff.Members.
func (m *Memory) EnrolSecondFactor(_ context.Context, email, stamp, secret string, step int64, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	mb, ok := m.members[email]
	if !ok || mb.Stamp != stamp || mb.TOTPSecret != "" {
		return staff.ErrStale
	}
	mb.TOTPSecret, mb.EnrolledAt, mb.LastStep = secret, at, step
	m.members[email] = mb
	return nil
}

// UseStep implements staff.Members.
func (m *Memory) UseStep(_ context.Context, email string, step int64, reseal string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	mb, ok := m.members[email]
	if !ok || mb.TOTPSecret == "" || (mb.LastStep != 0 && mb.LastStep >= step) {
		return staff.ErrStale
	}
	mb.LastStep = step
	if reseal != "" {
		mb.TOTPSecret = reseal
	}
	m.members[email] = mb
	return nil
}

// RecordStaffLogin implements staff.Members.
func (m *Memory) RecordStaffLogin(_ context.Context, email string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	mb, ok := m.members[email]
	if !ok {
		return staff.ErrNotFound
	}
	mb.LastLoginAt = at
	m.members[email] = mb
	return nil
}

// PutStaffSession implements staff.Sessions.
func (m *Memory) PutStaffSession(_ context.Context, s staff.Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s.CreatedAt = s.CreatedAt.UTC()
	s.ExpiresAt = time.Unix(s.ExpiresAt.Unix(), 0) // stored in epoch seconds, as DynamoDB's TTL
	m.sessions[s.Hash] = s
	return nil
}

// StaffSession implements staff.Sessions.
func (m *Memory) StaffSession(_ context.Context, hash string) (staff.Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[hash]
	if !ok {
		return staff.Session{}, staff.ErrNotFound
	}
	return s, nil
}

// DeleteStaffSession implements staff.Sessions.
func (m *Memory) DeleteStaffSession(_ context.Context, hash string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, hash)
	return nil
}

func attemptKey(scope, key string, window time.Time) string {
	return scope + "#" + key + "#" + window.UTC().Format(time.RFC3339)
}

// Attempts implements staff.Attempts.
func (m *Memory) Attempts(_ context.Context, scope, key string, window time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.attempts[attemptKey(scope, key, window)], nil
}

// AddAttempt implements staff.Attempts.
func (m *Memory) AddAttempt(_ context.Context, scope, key string, window, _ time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := attemptKey(scope, key, window)
	m.attempts[k]++
	return m.attempts[k], nil
}

// RecordEntry implements staff.Journal.
func (m *Memory) RecordEntry(_ context.Context, e staff.Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e.At = e.At.UTC()
	m.entries[e.At.Format(time.RFC3339Nano)+"#"+e.ID] = e
	return nil
}

// Entries implements staff.Journal.
func (m *Memory) Entries(_ context.Context, month string) ([]staff.Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []staff.Entry
	for _, e := range m.entries {
		if e.At.Format("2006-01") == month {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b staff.Entry) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out, nil
}
