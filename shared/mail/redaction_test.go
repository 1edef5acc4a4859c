package mail_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/preau/preau/shared/mail"
)

// failingSES answers every send with an error whose text names the addresses, as SES does.
type failingSES struct{ err error }

func (f failingSES) SendEmail(context.Context, *sesv2.SendEmailInput, ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	return nil, f.err
}

type apiError struct{ code, msg string }

func (e apiError) Error() string     { return e.code + ": " + e.msg }
func (e apiError) ErrorCode() string { return e.code }

// TestSendErrorNamesNoAddress: neither the returned error nor the log line carries SES's text.
func TestSendErrorNamesNoAddress(t *testing.T) {
	const to = "anne.martin@example.org"
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&logs, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })
	cases := []struct {
		name string
		err  error
		code string
	}{
		{"api error", apiError{"MessageRejected", "Email address is not verified. The following identities failed the check: " + to}, "MessageRejected"},
		{"other error", errors.New("dial tcp: lookup for " + to), "unknown"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			logs.Reset()
			m := mail.New(failingSES{c.err}, "portail-famille@laigneville.fr")
			err := m.Send(context.Background(), mail.Message{To: to, Subject: "s", Text: "t"})
			if !errors.Is(err, mail.ErrNotSent) {
				t.Fatalf("err %v, want ErrNotSent", err)
			}
			if strings.Contains(err.Error(), to) || strings.Contains(logs.String(), to) {
				t.Errorf("address leaked: err %q, logs %s", err, logs.String())
			}
			if !strings.Contains(err.Error(), c.code) || !strings.Contains(logs.String(), c.code) {
				t.Errorf("code %q missing: err %q, logs %s", c.code, err, logs.String())
			}
		})
	}
}
