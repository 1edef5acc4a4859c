package accountstest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/family"
)

// Store is every storage role of the account use cases, and what tests set up families with.
// Both *store.Store (DynamoDB) and *Memory satisfy it; StoreContract holds them to the same
// behaviour.
type Store interface {
	accounts.SignupStore
	accounts.ConfirmationStore
	accounts.LoginStore
	accounts.ResetStore
	accounts.PasswordChangeStore
	accounts.ProfileStore
	accounts.FamilyLinkStore
	accounts.DeletionStore
	accounts.SessionReader
	FamilyEvents(ctx context.Context, familyID string) ([]accounts.FamilyEvent, error)
	PutFamily(ctx context.Context, f family.Family) error
	PutChild(ctx context.Context, c family.Child) error
	PutSubscriberCode(ctx context.Context, c family.SubscriberCode) error
}

// Memory is an in-memory Store for tests: the same answers and refusals as the DynamoDB store
// (StoreContract checks both), each write atomic under one lock, as a conditional write is.
type Memory struct {
	mu         sync.Mutex
	accounts   map[string]accounts.Account
	lastLogins map[string]time.Time
	tokens     map[string]accounts.Token
	sessions   map[string]accounts.Session
	counts     map[string]int
	proofs     map[string]bool
	codes      map[string]family.SubscriberCode
	families   map[string]family.Family
	children   map[string][]family.Child
	members    map[string]map[string]time.Time
	events     map[string][]accounts.FamilyEvent
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory {
	return &Memory{accounts: map[string]accounts.Account{}, tokens: map[string]accounts.Token{},
		sessions: map[string]accounts.Session{}, counts: map[string]int{}, proofs: map[string]bool{},
		codes: map[string]family.SubscriberCode{}, families: map[string]family.Family{},
		children: map[string][]family.Child{}, members: map[string]map[string]time.Time{},
		events: map[string][]accounts.FamilyEvent{}}
}

var _ Store = (*Memory)(nil)

func notFound(what string) error { return fmt.Errorf("%s: %w", what, accounts.ErrNotFound) }

// maxKey is DynamoDB's limit on a partition key (2048 bytes): the real store fails past it,
// so the fake does too, and a handler test catches input that reaches storage unchecked.
const maxKey = 2048

// errKeyTooLong is what storage says of a key over maxKey (a failure, not a refusal).
var errKeyTooLong = errors.New("memory store: key too long")

func checkKey(prefix, key string) error {
	if len(prefix)+len(key) > maxKey {
		return errKeyTooLong
	}
	return nil
}

// seconds keeps what the DynamoDB store keeps of an instant stored as epoch seconds.
func seconds(t time.Time) time.Time { return time.Unix(t.Unix(), 0) }

// Account implements accounts.AccountReader.
func (m *Memory) Account(_ context.Context, email string) (accounts.Account, error) {
	if err := checkKey("ACCOUNT#", email); err != nil {
		return accounts.Account{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.accounts[email]
	if !ok {
		return accounts.Account{}, notFound("account")
	}
	a.KeptStamps = slices.Clone(a.KeptStamps)
	return a, nil
}

// CreateAccount implements accounts.SignupStore.
func (m *Memory) CreateAccount(_ context.Context, a accounts.Account) error {
	if err := checkKey("ACCOUNT#", a.Email); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.accounts[a.Email]; ok {
		return accounts.ErrExists
	}
	a.PasswordChangedAt, a.KeptStamps = time.Time{}, nil
	m.accounts[a.Email] = a
	return nil
}

// ReplaceUnconfirmed implements accounts.SignupStore.
func (m *Memory) ReplaceUnconfirmed(_ context.Context, a accounts.Account) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.accounts[a.Email]
	if !ok || cur.Confirmed() {
		return accounts.ErrExists
	}
	cur.Civility, cur.LastName, cur.FirstName = a.Civility, a.LastName, a.FirstName
	cur.PasswordHash, cur.SessionStamp, cur.PendingCode = a.PasswordHash, a.SessionStamp, a.PendingCode
	m.accounts[a.Email] = cur
	return nil
}

// update applies f to an existing account (ErrNotFound when gone).
func (m *Memory) update(email string, f func(*accounts.Account)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.accounts[email]
	if !ok {
		return notFound("account")
	}
	f(&a)
	m.accounts[email] = a
	return nil
}

// UpdateProfile implements accounts.ProfileStore.
func (m *Memory) UpdateProfile(_ context.Context, email, civility, lastName, firstName string) error {
	return m.update(email, func(a *accounts.Account) { a.Civility, a.LastName, a.FirstName = civility, lastName, firstName })
}

// SetPassword implements accounts.PasswordWriter.
func (m *Memory) SetPassword(_ context.Context, email, oldStamp string, w accounts.PasswordWrite) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.accounts[email]
	if !ok || a.SessionStamp != oldStamp {
		return fmt.Errorf("set password: %w", accounts.ErrStale)
	}
	a.PasswordHash = w.Hash
	if w.Stamp != "" {
		a.SessionStamp, a.PasswordChangedAt = w.Stamp, w.ChangedAt
		a.KeptStamps = slices.Clone(w.KeptStamps)
		if len(a.KeptStamps) == 0 {
			a.KeptStamps = nil
		}
	}
	m.accounts[email] = a
	return nil
}

// ConfirmAccount implements accounts.AccountConfirmer.
func (m *Memory) ConfirmAccount(_ context.Context, email, stamp string, at time.Time) (accounts.Account, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.accounts[email]
	if !ok || a.SessionStamp != stamp || a.Confirmed() {
		return accounts.Account{}, fmt.Errorf("confirm account: %w", accounts.ErrStale)
	}
	a.ConfirmedAt = at
	m.accounts[email] = a
	return a, nil
}

// LinkFamily implements accounts.MembershipStore.
func (m *Memory) LinkFamily(_ context.Context, email, familyID string) error {
	return m.update(email, func(a *accounts.Account) { a.FamilyID, a.PendingCode = familyID, "" })
}

// UnlinkFamily implements accounts.MembershipStore.
func (m *Memory) UnlinkFamily(_ context.Context, email, familyID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if a, ok := m.accounts[email]; ok && a.FamilyID == familyID {
		a.FamilyID = ""
		m.accounts[email] = a
	}
	return nil
}

// DeleteAccount implements accounts.DeletionStore.
func (m *Memory) DeleteAccount(_ context.Context, email string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.accounts, email)
	return nil
}

// PutToken implements accounts.TokenWriter.
func (m *Memory) PutToken(_ context.Context, t accounts.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t.ValidUntil, t.ExpiresAt = seconds(t.ValidUntil), seconds(t.ExpiresAt)
	m.tokens[t.Hash] = t
	return nil
}

// Token implements accounts.TokenStore.
func (m *Memory) Token(_ context.Context, hash string) (accounts.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tokens[hash]
	if !ok {
		return accounts.Token{}, notFound("token")
	}
	return t, nil
}

// UseToken implements accounts.TokenStore.
func (m *Memory) UseToken(_ context.Context, hash string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tokens[hash]
	if !ok || !t.UsedAt.IsZero() {
		return accounts.ErrSpent
	}
	t.UsedAt = at
	m.tokens[hash] = t
	return nil
}

// PutSession implements accounts.SessionWriter.
func (m *Memory) PutSession(_ context.Context, s accounts.Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s.ExpiresAt = seconds(s.ExpiresAt)
	m.sessions[s.Hash] = s
	return nil
}

// Session implements accounts.SessionReader.
func (m *Memory) Session(_ context.Context, hash string) (accounts.Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[hash]
	if !ok {
		return accounts.Session{}, notFound("session")
	}
	return s, nil
}

// DeleteSession implements accounts.SessionWriter.
func (m *Memory) DeleteSession(_ context.Context, hash string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, hash)
	return nil
}

// TakeAttempt implements accounts.AttemptTaker.
func (m *Memory) TakeAttempt(_ context.Context, scope, key string, max int, window, _ time.Time) (bool, error) {
	if err := checkKey("THROTTLE#"+scope+"#", key); err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	k := scope + "#" + key + "#" + window.UTC().Format(time.RFC3339)
	if m.counts[k] >= max {
		return false, nil
	}
	m.counts[k]++
	return true, nil
}

// SpendProof implements accounts.ProofSpender.
func (m *Memory) SpendProof(_ context.Context, nonce string, _ time.Time) error {
	if err := checkKey("PROOF#", nonce); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.proofs[nonce] {
		return accounts.ErrSpent
	}
	m.proofs[nonce] = true
	return nil
}

// IssuedCode implements accounts.CodeReader.
func (m *Memory) IssuedCode(_ context.Context, code string) (family.SubscriberCode, error) {
	if err := checkKey("CODE#", code); err != nil {
		return family.SubscriberCode{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.codes[code]
	if !ok {
		return family.SubscriberCode{}, notFound("code")
	}
	return c, nil
}

// FamilyOfMember implements accounts.ProfileStore.
func (m *Memory) FamilyOfMember(_ context.Context, familyID, email string) (family.Family, []family.Child, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.families[familyID]
	if _, member := m.members[familyID][email]; !ok || !member {
		return family.Family{}, nil, notFound("family member")
	}
	return f, slices.Clone(m.children[familyID]), nil
}

// AddMember implements accounts.MembershipStore.
func (m *Memory) AddMember(_ context.Context, familyID, email string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.members[familyID] == nil {
		m.members[familyID] = map[string]time.Time{}
	}
	m.members[familyID][email] = at.Truncate(time.Second)
	return nil
}

// RemoveMember implements accounts.MembershipStore.
func (m *Memory) RemoveMember(_ context.Context, familyID, email string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.members[familyID], email)
	return nil
}

// FamilyMembers implements accounts.MembershipStore: oldest link first, then by address.
func (m *Memory) FamilyMembers(_ context.Context, familyID string) ([]accounts.Member, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []accounts.Member{}
	for email, at := range m.members[familyID] {
		out = append(out, accounts.Member{Email: email, LinkedAt: at})
	}
	slices.SortFunc(out, func(a, b accounts.Member) int { return strings.Compare(a.Email, b.Email) })
	slices.SortStableFunc(out, func(a, b accounts.Member) int { return a.LinkedAt.Compare(b.LinkedAt) })
	return out, nil
}

// RecordFamilyEvent implements accounts.MembershipStore.
func (m *Memory) RecordFamilyEvent(_ context.Context, e accounts.FamilyEvent) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events[e.FamilyID] = append(m.events[e.FamilyID], e)
	slices.SortStableFunc(m.events[e.FamilyID], func(a, b accounts.FamilyEvent) int { return a.At.Compare(b.At) })
	return nil
}

// FamilyEvents lists the family's membership changes, oldest first.
func (m *Memory) FamilyEvents(_ context.Context, familyID string) ([]accounts.FamilyEvent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.events[familyID]), nil
}

// PutFamily stores a family record (the town hall's part, for tests).
func (m *Memory) PutFamily(_ context.Context, f family.Family) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.families[f.ID] = f
	return nil
}

// PutChild stores a child of a family.
func (m *Memory) PutChild(_ context.Context, c family.Child) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.children[c.FamilyID] = append(m.children[c.FamilyID], c)
	return nil
}

// PutSubscriberCode stores an issued code.
func (m *Memory) PutSubscriberCode(_ context.Context, c family.SubscriberCode) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.codes[c.Code] = c
	return nil
}

// RecordLogin implements accounts.LoginStore: it notes the account's last sign-in.
func (m *Memory) RecordLogin(_ context.Context, email string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.accounts[email]; !ok {
		return accounts.ErrNotFound
	}
	if m.lastLogins == nil {
		m.lastLogins = map[string]time.Time{}
	}
	m.lastLogins[email] = at
	return nil
}
