// Package sestest reads the mails sent to the local SES emulator (aws-ses-v2-local), whose
// mailbox is served at GET $AWS_ENDPOINT_URL_SES/store. Run tests with `make test`.
//
//	mb := sestest.Mailbox(t)
//	m := mb.WaitFor("parent@example.org", "Confirmez", 5*time.Second)
//
// The emulator keeps one mailbox for every test, so tests tell their mails apart by recipient:
// give each test its own address.
package sestest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// Message is one sent mail as the emulator stored it.
type Message struct {
	From    string
	To      []string
	Subject string
	Text    string
	HTML    string
	At      time.Time // when the emulator received it (second precision)
	// Headers are the custom headers the message was sent with (SES v2 Simple.Headers only).
	Headers map[string]string
}

// Box is the emulator's mailbox as seen from a test.
type Box struct {
	t        testing.TB
	endpoint string
	client   *http.Client
}

// Mailbox returns the emulator's mailbox; the test fails if AWS_ENDPOINT_URL_SES is unset.
func Mailbox(t testing.TB) *Box {
	t.Helper()
	ep := os.Getenv("AWS_ENDPOINT_URL_SES")
	if ep == "" {
		t.Fatal("SES emulator not configured: run the tests with `make test`")
	}
	return &Box{t: t, endpoint: strings.TrimSuffix(ep, "/"), client: &http.Client{Timeout: 5 * time.Second}}
}

// Client returns an SES v2 client of the emulator, with opts applied (a middleware that counts
// or refuses calls); the test fails if AWS_ENDPOINT_URL_SES is unset.
func Client(t testing.TB, opts ...func(*sesv2.Options)) *sesv2.Client {
	t.Helper()
	ep := os.Getenv("AWS_ENDPOINT_URL_SES")
	if ep == "" {
		t.Fatal("SES emulator not configured: run the tests with `make test`")
	}
	return sesv2.New(sesv2.Options{Region: "eu-west-3", BaseEndpoint: aws.String(ep),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}, opts...)
}

// storeResponse is the JSON of GET /store (aws-ses-v2-local 2.10).
type storeResponse struct {
	Emails []struct {
		From        string `json:"from"`
		Destination struct {
			To  []string `json:"to"`
			Cc  []string `json:"cc"`
			Bcc []string `json:"bcc"`
		} `json:"destination"`
		Subject string `json:"subject"`
		Body    struct {
			HTML string `json:"html"`
			Text string `json:"text"`
		} `json:"body"`
		At      int64 `json:"at"`
		Headers []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"headers"`
	} `json:"emails"`
}

// Messages returns the mails sent to address (in To, Cc or Bcc, case-insensitive), oldest first.
func (b *Box) Messages(to string) []Message {
	b.t.Helper()
	msgs, err := b.fetch(to)
	if err != nil {
		b.t.Fatalf("sestest: %v", err)
	}
	return msgs
}

// WaitFor polls until a mail to address whose subject contains subjectContains arrives, and
// returns the latest such mail; the test fails after timeout.
func (b *Box) WaitFor(to, subjectContains string, timeout time.Duration) Message {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		msgs, err := b.fetch(to)
		if err != nil {
			b.t.Fatalf("sestest: %v", err)
		}
		for i := len(msgs) - 1; i >= 0; i-- {
			if strings.Contains(msgs[i].Subject, subjectContains) {
				return msgs[i]
			}
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("sestest: no mail to %s with subject containing %q after %s (%d mails to that address)",
				to, subjectContains, timeout, len(msgs))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (b *Box) fetch(to string) ([]Message, error) {
	resp, err := b.client.Get(b.endpoint + "/store")
	if err != nil {
		return nil, fmt.Errorf("read mailbox: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("read mailbox: %s", resp.Status)
	}
	var st storeResponse
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return nil, fmt.Errorf("decode mailbox: %w", err)
	}
	var out []Message
	for _, e := range st.Emails {
		all := slices.Concat(e.Destination.To, e.Destination.Cc, e.Destination.Bcc)
		if !slices.ContainsFunc(all, func(a string) bool { return sameAddress(a, to) }) {
			continue
		}
		m := Message{From: e.From, To: e.Destination.To, Subject: e.Subject,
			Text: e.Body.Text, HTML: e.Body.HTML, At: time.Unix(e.At, 0), Headers: map[string]string{}}
		for _, h := range e.Headers {
			m.Headers[h.Name] = h.Value
		}
		out = append(out, m)
	}
	return out, nil
}

// sameAddress matches "parent@example.org" against "Parent <Parent@Example.org>" too.
func sameAddress(stored, want string) bool {
	if i := strings.LastIndexByte(stored, '<'); i >= 0 {
		stored = strings.TrimSuffix(stored[i+1:], ">")
	}
	return strings.EqualFold(strings.TrimSpace(stored), strings.TrimSpace(want))
}
