// Package messagestest holds an in-memory messages.Store, held to the same contract suite
// (StoreContract) as the DynamoDB store, and fakes of the other dependencies.
package messagestest

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/preau/preau/shared/messages"
)

// Memory is an in-memory messages.Store.
type Memory struct {
	mu      sync.Mutex
	threads map[string]messages.Thread
}

// NewMemory returns an empty store.
func NewMemory() *Memory { return &Memory{threads: map[string]messages.Thread{}} }

func cloneThread(t messages.Thread) messages.Thread {
	t.Messages = slices.Clone(t.Messages)
	return t
}

// CreateThread implements messages.Store.
func (m *Memory) CreateThread(_ context.Context, t messages.Thread) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.threads[t.ID]; ok {
		return messages.ErrFull
	}
	m.threads[t.ID] = cloneThread(t)
	return nil
}

// Thread implements messages.Store.
func (m *Memory) Thread(_ context.Context, id string) (messages.Thread, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.threads[id]
	if !ok {
		return messages.Thread{}, messages.ErrNotFound
	}
	return cloneThread(t), nil
}

// AddMessage implements messages.Store.
func (m *Memory) AddMessage(_ context.Context, id string, msg messages.Message, max int) (messages.Thread, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.threads[id]
	if !ok {
		return messages.Thread{}, false, messages.ErrNotFound
	}
	if slices.ContainsFunc(t.Messages, func(x messages.Message) bool { return x.ID == msg.ID }) {
		return cloneThread(t), false, nil
	}
	if len(t.Messages) >= max {
		return cloneThread(t), false, messages.ErrFull
	}
	t.Messages = append(slices.Clone(t.Messages), msg)
	slices.SortFunc(t.Messages, func(a, b messages.Message) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	t.UpdatedAt = msg.At
	m.threads[id] = t
	return cloneThread(t), true, nil
}

// Threads implements messages.Store.
func (m *Memory) Threads(context.Context) ([]messages.Thread, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []messages.Thread
	for _, t := range m.threads {
		out = append(out, cloneThread(t))
	}
	slices.SortFunc(out, func(a, b messages.Thread) int {
		if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out, nil
}

// AccountThreads implements messages.Store.
func (m *Memory) AccountThreads(_ context.Context, email string) ([]messages.Thread, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []messages.Thread
	for _, t := range m.threads {
		if t.Account != "" && t.Account == email {
			out = append(out, cloneThread(t))
		}
	}
	slices.SortFunc(out, func(a, b messages.Thread) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, nil
}

// Mails records the e-mails the service sends.
type Mails struct {
	mu       sync.Mutex
	Received []string // to | subject | body
	Answers  []string // to | subject | body | link
}

// SendContactReceived implements messages.Notifier.
func (n *Mails) SendContactReceived(_ context.Context, to, subject, _, _, body, _ string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.Received = append(n.Received, to+" | "+subject+" | "+body)
	return nil
}

// SendContactAnswer implements messages.Notifier.
func (n *Mails) SendContactAnswer(_ context.Context, to, _, subject, body, link string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.Answers = append(n.Answers, to+" | "+subject+" | "+body+" | "+link)
	return nil
}

// Counts returns how many notices and answers were sent.
func (n *Mails) Counts() (received, answers int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.Received), len(n.Answers)
}

// Human is an anti-robot check that passes when answer is "ok".
type Human struct{}

// Check implements messages.HumanCheck.
func (Human) Check(_ context.Context, _, _, answer, _ string, _ time.Time) error {
	if answer == "ok" {
		return nil
	}
	return errRobot
}
