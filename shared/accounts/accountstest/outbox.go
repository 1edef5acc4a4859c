package accountstest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/preau/preau/shared/mail"
)

// Message is one e-mail the outbox kept, as shared/mail rendered it.
type Message struct {
	From    string
	To      string
	Subject string
	Text    string
	HTML    string
}

// Outbox keeps the e-mails a mail.Mailer would send (it is a mail.Transport), so tests read
// the real French messages and their links without an SES emulator.
type Outbox struct {
	t    testing.TB
	mu   sync.Mutex
	msgs []Message
}

// NewOutbox returns an empty outbox for t.
func NewOutbox(t testing.TB) *Outbox { return &Outbox{t: t} }

// Deliver implements mail.Transport.
func (o *Outbox) Deliver(_ context.Context, from string, m mail.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = append(o.msgs, Message{From: from, To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML})
	return nil
}

// Messages returns the e-mails sent to address (case-insensitive), oldest first.
func (o *Outbox) Messages(to string) []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []Message
	for _, m := range o.msgs {
		if strings.EqualFold(m.To, to) {
			out = append(out, m)
		}
	}
	return out
}

// WaitFor returns the latest e-mail to address whose subject contains subjectContains; the
// test fails when there is none. Sends are synchronous here, so there is nothing to wait for:
// the timeout is kept so tests read as they do against the SES emulator.
func (o *Outbox) WaitFor(to, subjectContains string, _ time.Duration) Message {
	o.t.Helper()
	msgs := o.Messages(to)
	for i := len(msgs) - 1; i >= 0; i-- {
		if strings.Contains(msgs[i].Subject, subjectContains) {
			return msgs[i]
		}
	}
	o.t.Fatalf("no mail to %s with subject containing %q (%d mails to that address)", to, subjectContains, len(msgs))
	return Message{}
}
