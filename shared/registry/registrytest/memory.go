// Package registrytest holds an in-memory implementation of the register's storage and the
// contract suite that it and shared/store's DynamoDB store both pass, so the register's rules
// and the back-office's handlers are tested without emulators.
package registrytest

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/registry"
)

// Memory is an in-memory register; use NewMemory.
type Memory struct {
	mu         sync.Mutex
	families   map[string]family.Family
	children   map[string][]family.Child // by family, in insertion order
	enrolments map[string][]family.Enrolment
	members    map[string][]string
	codes      map[string]family.SubscriberCode
	activities []family.Activity
	// Writes counts every write, so tests can tell that a refused import wrote nothing.
	Writes int
}

// NewMemory returns a register holding the given activity settings.
func NewMemory(activities ...family.Activity) *Memory {
	return &Memory{families: map[string]family.Family{}, children: map[string][]family.Child{}, enrolments: map[string][]family.Enrolment{},
		members: map[string][]string{}, codes: map[string]family.SubscriberCode{}, activities: activities}
}

// AddMember links an account to a family (what the accounts rules do on the parents' side).
func (m *Memory) AddMember(familyID, email string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.members[familyID] = append(m.members[familyID], email)
}

// Families implements registry.Directory (by lower-case name, then id, as the index).
func (m *Memory) Families(context.Context) ([]family.Family, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]family.Family, 0, len(m.families))
	for _, f := range m.families {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b family.Family) int {
		return strings.Compare(strings.ToLower(a.Name)+"#"+a.ID, strings.ToLower(b.Name)+"#"+b.ID)
	})
	return out, nil
}

// FamilyRecord implements registry.Directory (children by id, as the partition's sort key).
func (m *Memory) FamilyRecord(_ context.Context, id string) (registry.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.families[id]
	if !ok {
		return registry.Record{}, registry.ErrNotFound
	}
	kids := slices.Clone(m.children[id])
	slices.SortFunc(kids, func(a, b family.Child) int { return strings.Compare(a.ID, b.ID) })
	mem := slices.Clone(m.members[id])
	slices.Sort(mem)
	ens := slices.Clone(m.enrolments[id])
	slices.SortFunc(ens, func(a, b family.Enrolment) int {
		return strings.Compare(a.ChildID+"#"+string(a.Activity), b.ChildID+"#"+string(b.Activity))
	})
	return registry.Record{Family: f, Children: kids, Enrolments: ens, Members: mem}, nil
}

// CreateFamily implements registry.Directory.
func (m *Memory) CreateFamily(_ context.Context, f family.Family) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.families[f.ID]; ok {
		return registry.ErrExists
	}
	m.Writes++
	m.families[f.ID] = f
	return nil
}

// UpdateFamily implements registry.Directory.
func (m *Memory) UpdateFamily(_ context.Context, f family.Family) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, ok := m.families[f.ID]
	if !ok {
		return registry.ErrNotFound
	}
	m.Writes++
	old.Name, old.QuotientBracket, old.NonResident = f.Name, f.QuotientBracket, f.NonResident
	m.families[f.ID] = old
	return nil
}

// PutFamily implements registry.Directory.
func (m *Memory) PutFamily(_ context.Context, f family.Family) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Writes++
	m.families[f.ID] = f
	return nil
}

// RemoveMember implements registry.Directory.
func (m *Memory) RemoveMember(_ context.Context, id, email string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Writes++
	m.members[id] = slices.DeleteFunc(m.members[id], func(e string) bool { return e == email })
	return nil
}

// PutChild implements registry.Directory.
func (m *Memory) PutChild(_ context.Context, c family.Child) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Writes++
	kids := m.children[c.FamilyID]
	if i := slices.IndexFunc(kids, func(k family.Child) bool { return k.ID == c.ID }); i >= 0 {
		kids[i] = c
	} else {
		m.children[c.FamilyID] = append(kids, c)
	}
	return nil
}

// PutEnrolment implements registry.Directory.
func (m *Memory) PutEnrolment(_ context.Context, familyID string, e family.Enrolment) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Writes++
	ens := m.enrolments[familyID]
	if i := slices.IndexFunc(ens, func(x family.Enrolment) bool { return x.ChildID == e.ChildID && x.Activity == e.Activity }); i >= 0 {
		ens[i] = e
	} else {
		m.enrolments[familyID] = append(ens, e)
	}
	return nil
}

// ChildFamilies maps each child enrolled in activity a to its family (what headcounts read).
func (m *Memory) ChildFamilies(_ context.Context, a calendar.Activity) (map[string]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]string{}
	for fid, ens := range m.enrolments {
		for _, e := range ens {
			if e.Activity == a {
				out[e.ChildID] = fid
			}
		}
	}
	return out, nil
}

// CreateCode implements registry.Codes.
func (m *Memory) CreateCode(_ context.Context, c family.SubscriberCode) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.codes[c.Code]; ok {
		return registry.ErrExists
	}
	m.Writes++
	m.codes[c.Code] = c
	return nil
}

// Code implements registry.Codes.
func (m *Memory) Code(_ context.Context, code string) (family.SubscriberCode, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.codes[code]
	if !ok {
		return family.SubscriberCode{}, registry.ErrNotFound
	}
	return c, nil
}

// RevokeCode implements registry.Codes.
func (m *Memory) RevokeCode(_ context.Context, code string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.codes[code]
	if !ok {
		return registry.ErrNotFound
	}
	m.Writes++
	c.Revoked = true
	m.codes[code] = c
	return nil
}

// SwitchCode implements registry.Codes.
func (m *Memory) SwitchCode(_ context.Context, id, old, next string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.families[id]
	if !ok || f.SubscriberCode != old {
		return registry.ErrStale
	}
	m.Writes++
	f.SubscriberCode = next
	m.families[id] = f
	return nil
}

// Activities implements registry.Settings.
func (m *Memory) Activities(context.Context) ([]family.Activity, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.activities), nil
}
