// Package mail sends Préau's e-mails through SES; it is the only package that imports SES.
//
// Every e-mail is French, in HTML and plain text, names the commune, and carries absolute links.
// A template is two embedded files, templates/<name>.txt and templates/<name>.html, each defining
// "subject" (in the .txt) and "body"; the HTML body is wrapped in templates/layout.html. Adding
// an e-mail is adding those two files, running go generate ./shared/tmpl (which escapes the HTML
// parts into escaped/mail.html, see package tmpl), and one small function that calls Render (see
// accounts.go).
package mail

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	typesv2 "github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/preau/preau/shared/tmpl"
)

// Message is one e-mail to send.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
	// Headers are added to the message (List-Unsubscribe), as SES v2 SendEmail carries them.
	Headers []Header
}

// Header is one custom header of a message.
type Header struct{ Name, Value string }

// Sender is the part of the SES v2 client the Mailer uses: SendEmail with Simple content, whose
// Headers carry List-Unsubscribe. Every e-mail goes through it; SES v1 is not linked.
type Sender interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// Transport delivers rendered messages some other way than SES (tests keep them in memory).
type Transport interface {
	Deliver(ctx context.Context, from string, msg Message) error
}

// Mailer sends messages from one address, and renders the templates for one commune.
type Mailer struct {
	client    Sender
	transport Transport
	from      string
	commune   string
}

// templates are the e-mails' text parts (templates/*.txt, plain text) and their HTML parts with
// the layout, escaped from templates/*.html by go generate ./shared/tmpl.
//
//go:embed templates/*.txt escaped/mail.html
var templates embed.FS

// New returns a Mailer sending from `from` with client (build it once per cold start).
// The commune's name goes in every e-mail (set it with ForCommune).
func New(client Sender, from string) *Mailer {
	return &Mailer{client: client, from: from, commune: "Préau"}
}

// parsed returns the templates, parsed by the first e-mail rendered rather than at start-up:
// most requests of a function that can send e-mail send none, and a cold start should not wait
// for them. The templates are embedded, and the tests render every one.
var parsed = sync.OnceValues(func() (*tmpl.Set, *tmpl.Set) {
	text, err := tmpl.ParseFS(templates, "templates/*.txt", nil)
	if err != nil {
		panic(err)
	}
	html, err := tmpl.ParseFS(templates, "escaped/mail.html", nil)
	if err != nil {
		panic(err)
	}
	return text, html
})

// NewWithTransport returns a Mailer that hands its messages to t instead of SES.
func NewWithTransport(t Transport, from string) *Mailer {
	m := New(nil, from)
	m.transport = t
	return m
}

// NewFromClient is New with the SES v2 client built from an SDK configuration.
func NewFromClient(cfg aws.Config, from string) *Mailer {
	return New(SenderFunc(sesv2.NewFromConfig(cfg).SendEmail), from)
}

// SenderFunc is a Sender from the SES v2 client's SendEmail method value. Holding the method
// rather than the client links only SendEmail into a function.
type SenderFunc func(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)

// SendEmail calls f.
func (f SenderFunc) SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	return f(ctx, in, opts...)
}

// NewV2 is New (every Mailer sends through SES v2).
func NewV2(client Sender, from string) *Mailer { return New(client, from) }

// NewV2FromConfig is NewFromClient.
func NewV2FromConfig(cfg aws.Config, from string) *Mailer { return NewFromClient(cfg, from) }

// ForCommune returns the mailer with the commune's name for its e-mails.
func (m *Mailer) ForCommune(name string) *Mailer {
	c := *m
	c.commune = name
	return &c
}

// Send sends msg (UTF-8 subject, text and HTML parts, and its headers) with SES v2 SendEmail.
func (m *Mailer) Send(ctx context.Context, msg Message) error {
	if msg.To == "" || msg.Subject == "" || (msg.Text == "" && msg.HTML == "") {
		return errors.New("mail: incomplete message")
	}
	if m.transport != nil {
		return m.transport.Deliver(ctx, m.from, msg)
	}
	utf8 := aws.String("UTF-8")
	body := &typesv2.Body{}
	if msg.Text != "" {
		body.Text = &typesv2.Content{Data: aws.String(msg.Text), Charset: utf8}
	}
	if msg.HTML != "" {
		body.Html = &typesv2.Content{Data: aws.String(msg.HTML), Charset: utf8}
	}
	simple := &typesv2.Message{Subject: &typesv2.Content{Data: aws.String(msg.Subject), Charset: utf8}, Body: body}
	for _, h := range msg.Headers {
		simple.Headers = append(simple.Headers, typesv2.MessageHeader{Name: aws.String(h.Name), Value: aws.String(h.Value)})
	}
	_, err := m.client.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(m.from),
		Destination:      &typesv2.Destination{ToAddresses: []string{msg.To}},
		Content:          &typesv2.EmailContent{Simple: simple},
	})
	if err != nil {
		return redact(ctx, err)
	}
	return nil
}

// ErrNotSent is what a failed send returns, with SES's error code at most: SES's own message
// may name the recipient or sender ("Email address is not verified: …"), and callers log what
// they get.
var ErrNotSent = errors.New("mail: e-mail not sent")

// redact turns an SES failure into ErrNotSent with the error code only (and the context's
// error, so a cancelled request still reads as one), and logs that much.
func redact(ctx context.Context, err error) error {
	code := "unknown"
	var api interface{ ErrorCode() string }
	if errors.As(err, &api) {
		code = api.ErrorCode()
	}
	for _, c := range []error{context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, c) {
			code = c.Error()
			slog.ErrorContext(ctx, "ses send failed", "code", code)
			return fmt.Errorf("send e-mail: %w: %w", ErrNotSent, c)
		}
	}
	slog.ErrorContext(ctx, "ses send failed", "code", code)
	return fmt.Errorf("send e-mail: %w (%s)", ErrNotSent, code)
}

// Data is what every template receives: the commune, and the template's own fields in Data.
type Data struct {
	Commune string
	Name    string // how to greet the recipient
	Data    any
}

// Render builds the message of template name for to.
func (m *Mailer) Render(name, to, greet string, data any) (Message, error) {
	d := Data{Commune: m.commune, Name: greet, Data: data}
	var subj, txt, body, page bytes.Buffer
	text, html := parsed()
	if !text.Has(name + ".subject") {
		return Message{}, fmt.Errorf("mail: no template %q", name)
	}
	if err := text.Execute(&subj, name+".subject", d); err != nil {
		return Message{}, fmt.Errorf("mail %s subject: %w", name, err)
	}
	if err := text.Execute(&txt, name+".text", d); err != nil {
		return Message{}, fmt.Errorf("mail %s text: %w", name, err)
	}
	if err := html.Execute(&body, name+".html", d); err != nil {
		return Message{}, fmt.Errorf("mail %s html: %w", name, err)
	}
	layout := struct {
		Data
		Subject string
		Body    tmpl.HTML
	}{d, strings.TrimSpace(subj.String()), tmpl.HTML(body.String())} // body is escaped HTML already
	if err := html.Execute(&page, "layout.html", layout); err != nil {
		return Message{}, fmt.Errorf("mail %s layout: %w", name, err)
	}
	return Message{To: to, Subject: layout.Subject, Text: strings.TrimSpace(txt.String()) + "\n", HTML: page.String()}, nil
}

func (m *Mailer) renderAndSend(ctx context.Context, name, to, greet string, data any) error {
	msg, err := m.Render(name, to, greet, data)
	if err != nil {
		return err
	}
	return m.Send(ctx, msg)
}
