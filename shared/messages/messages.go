// Package messages holds the rules of "Nous contacter": a parent writes to the town hall (signed
// in or not, behind sign-up's anti-robot check), the message is stored as a thread, the town
// hall is told by e-mail at its contact address, staff answer from the back-office, the answer
// goes to the parent by e-mail, and a parent who wrote while signed in finds the thread in Mon
// espace citoyen, where they may write again in it.
//
// # Decisions, and why
//
//   - A thread is one item (THREAD#<id>) holding its messages in a map keyed by a random id: a
//     message is added by one conditional write (attribute_not_exists(messages.#id) and fewer
//     than MaxMessages), so a form submitted twice adds it once and a thread cannot grow toward
//     DynamoDB's item limit (MaxMessages × MaxBody stays far below 400 KB).
//   - A thread shows in Mon espace only when it was written while signed in: an anonymous
//     sender's address is not proven, so their thread is answered by e-mail only, and nobody can
//     put words in another parent's Mon espace by typing their address. The signed-in parent's
//     account keeps a pointer to each of its threads (ACCOUNT#<email> / THREAD#<id>).
//   - Staff read every thread; answering is journaled (who, when, which thread).
//
// The package imports no AWS package: Store and Notifier are implemented by shared/store and
// shared/mail; messagestest has an in-memory Store and the contract suite both pass.
package messages

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/preau/preau/shared/fault"
)

// Limits of a message and a thread.
const (
	MaxSubject  = 120  // characters
	MaxBody     = 4000 // characters
	MaxName     = 100
	MaxMessages = 40 // messages in one thread (about 160 KB at most)
)

// Message is one message of a thread.
type Message struct {
	ID     string
	At     time.Time
	Staff  bool   // written by the town hall
	Author string // staff: the member's e-mail; parent: the sender's name
	Body   string
}

// Thread is a parent's conversation with the town hall.
type Thread struct {
	ID        string
	Subject   string
	Name      string // the sender's name, as typed
	Email     string // where answers go
	Account   string // the signed-in account that wrote it ("" when written signed out)
	FamilyID  string // that account's family, if any (staff see it)
	CreatedAt time.Time
	UpdatedAt time.Time
	Messages  []Message // oldest first
}

// Answered reports whether the town hall wrote last.
func (t Thread) Answered() bool {
	return len(t.Messages) > 0 && t.Messages[len(t.Messages)-1].Staff
}

// Errors of storage the rules read.
var (
	ErrNotFound = errors.New("messages: not found")
	ErrFull     = errors.New("messages: thread full")
)

// Refusals a parent or staff member may see.
var (
	ErrThreadNotFound = fault.New(fault.NotFound, "thread-not-found", "Message introuvable",
		"Cet échange n'existe pas ou ne vous concerne pas.")
	ErrThreadFull = fault.New(fault.Conflict, "thread-full", "Échange trop long",
		"Cet échange a atteint sa longueur maximale : écrivez un nouveau message depuis « Nous contacter ».")
)

// Store keeps threads.
type Store interface {
	// CreateThread stores a new thread with its first message, and the account's pointer to it
	// when t.Account is set.
	CreateThread(ctx context.Context, t Thread) error
	// Thread reads a thread; ErrNotFound when there is none.
	Thread(ctx context.Context, id string) (Thread, error)
	// AddMessage adds m to the thread unless a message with its ID is there (added false), in one
	// conditional write; ErrFull at MaxMessages, ErrNotFound without the thread. It returns the
	// thread as stored after it.
	AddMessage(ctx context.Context, threadID string, m Message, max int) (t Thread, added bool, err error)
	// Threads lists every thread, the most recently active first.
	Threads(ctx context.Context) ([]Thread, error)
	// AccountThreads lists the threads written by the signed-in account email, newest first.
	AccountThreads(ctx context.Context, email string) ([]Thread, error)
}

// Notifier sends the e-mails of a conversation (shared/mail).
type Notifier interface {
	// SendContactReceived tells the town hall's contact address that a parent wrote.
	SendContactReceived(ctx context.Context, to, subject, name, email, body, link string) error
	// SendContactAnswer sends the town hall's answer to the parent.
	SendContactAnswer(ctx context.Context, to, name, subject, body, link string) error
}

// HumanCheck is sign-up's anti-robot check (*accounts.HumanCheck): a field error on
// "antiRobot" when refused.
type HumanCheck interface {
	Check(ctx context.Context, challenge, solution, answer, clientAddr string, now time.Time) error
}

// Recorder writes the journal of staff actions (staff.Recorder).
type Recorder interface {
	Record(ctx context.Context, who string, now time.Time, action, target, before, after string) error
}

// Service holds the use cases of "Nous contacter".
type Service struct {
	Store    Store
	Notifier Notifier
	Human    HumanCheck
	Journal  Recorder
	Contact  string                   // the town hall's contact address, told of each message
	Link     func(path string) string // absolute URL of a portal path
}

// Input is what the "Nous contacter" form sends.
type Input struct {
	Name, Email, Subject, Body string
	// The anti-robot proof, as sign-up's form sends it.
	Challenge, Solution, Answer string
	ClientAddr                  string
}

// Sender is the signed-in parent writing (nil: signed out).
type Sender struct {
	Email    string
	Name     string
	FamilyID string
}

// NewID draws the id of a thread or message (64 random bits, hex).
func NewID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ValidID reports whether s has NewID's shape, so junk never reaches storage.
func ValidID(s string) bool {
	if len(s) != 16 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

func clean(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }

func checkBody(f *fault.Fields, body string) {
	switch n := utf8.RuneCountInString(body); {
	case n == 0:
		f.Add("body", "Écrivez votre message.")
	case n > MaxBody:
		f.Add("body", fmt.Sprintf("Votre message tient en %d caractères au plus.", MaxBody))
	}
}

// checkFollowUp cleans and checks a message added to a thread, a parent's or the town hall's:
// its body, and the form's token that makes a double submit add it once.
func checkFollowUp(body, token string) (string, error) {
	body = clean(body)
	var f fault.Fields
	checkBody(&f, body)
	if !ValidID(token) {
		f.Add("body", "Le formulaire a expiré : rechargez la page.")
	}
	return body, f.Err()
}

// Validate checks the form (the signed-in sender's name and address are theirs, not the form's).
func Validate(in Input, who *Sender) (Input, error) {
	in.Name, in.Email, in.Subject, in.Body = clean(in.Name), strings.ToLower(clean(in.Email)), clean(in.Subject), clean(in.Body)
	if who != nil {
		in.Name, in.Email = who.Name, who.Email
	}
	var f fault.Fields
	if in.Name == "" || utf8.RuneCountInString(in.Name) > MaxName {
		f.Add("name", "Saisissez votre nom (100 caractères au plus).")
	}
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > 254 {
		f.Add("email", "Saisissez l'adresse e-mail à laquelle vous répondre.")
	}
	if in.Subject == "" || utf8.RuneCountInString(in.Subject) > MaxSubject || strings.ContainsAny(in.Subject, "\n\r") {
		f.Add("subject", fmt.Sprintf("Saisissez l'objet de votre message (%d caractères au plus, sur une ligne).", MaxSubject))
	}
	checkBody(&f, in.Body)
	return in, f.Err()
}

// Write stores a parent's message as a new thread and tells the town hall. The form is
// checked, then the anti-robot proof (spent once, as at sign-up), then the thread is stored.
// A failed e-mail to the town hall is logged: the message is stored and listed in the
// back-office all the same.
func (s *Service) Write(ctx context.Context, in Input, who *Sender, now time.Time) (Thread, error) {
	in, err := Validate(in, who)
	if err != nil {
		return Thread{}, err
	}
	if err := s.Human.Check(ctx, in.Challenge, in.Solution, in.Answer, in.ClientAddr, now); err != nil {
		return Thread{}, err
	}
	t := Thread{ID: NewID(), Subject: in.Subject, Name: in.Name, Email: in.Email, CreatedAt: now, UpdatedAt: now,
		Messages: []Message{{ID: NewID(), At: now, Author: in.Name, Body: in.Body}}}
	if who != nil {
		t.Account, t.FamilyID = who.Email, who.FamilyID
	}
	if err := s.Store.CreateThread(ctx, t); err != nil {
		return Thread{}, fmt.Errorf("new thread: %w", err)
	}
	s.tellTownHall(ctx, t, in.Body)
	return t, nil
}

func (s *Service) tellTownHall(ctx context.Context, t Thread, body string) {
	if s.Contact == "" {
		return
	}
	if err := s.Notifier.SendContactReceived(ctx, s.Contact, t.Subject, t.Name, t.Email, body, s.Link(StaffPath(t.ID))); err != nil {
		slog.ErrorContext(ctx, "contact notice not sent", "err", err.Error(), "thread", t.ID)
	}
}

// StaffPath is a thread's page in the back-office.
func StaffPath(id string) string { return "/gestion/messages/" + id }

// ParentPath is a thread's page in Mon espace citoyen.
func ParentPath(id string) string { return "/mon-espace/messages/" + id }

// Mine returns the thread id if the signed-in parent email wrote it; ErrThreadNotFound else
// (another parent's thread, or one written signed out).
func (s *Service) Mine(ctx context.Context, email, id string) (Thread, error) {
	if !ValidID(id) {
		return Thread{}, ErrThreadNotFound
	}
	t, err := s.Store.Thread(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && (t.Account == "" || t.Account != email)) {
		return Thread{}, ErrThreadNotFound
	}
	return t, err
}

// Reply adds a signed-in parent's message to one of their threads (token: the form's, so a
// double submit adds it once) and tells the town hall.
func (s *Service) Reply(ctx context.Context, who Sender, id, token, body string, now time.Time) (Thread, error) {
	t, err := s.Mine(ctx, who.Email, id)
	if err != nil {
		return Thread{}, err
	}
	body, err = checkFollowUp(body, token)
	if err != nil {
		return t, err
	}
	t, added, err := s.add(ctx, id, Message{ID: token, At: now, Author: who.Name, Body: body})
	if err != nil || !added {
		return t, err
	}
	s.tellTownHall(ctx, t, body)
	return t, nil
}

func (s *Service) add(ctx context.Context, id string, m Message) (Thread, bool, error) {
	t, added, err := s.Store.AddMessage(ctx, id, m, MaxMessages)
	switch {
	case errors.Is(err, ErrNotFound):
		return Thread{}, false, ErrThreadNotFound
	case errors.Is(err, ErrFull):
		return t, false, ErrThreadFull
	case err != nil:
		return t, false, fmt.Errorf("add message: %w", err)
	}
	return t, added, nil
}

// Thread reads any thread (staff).
func (s *Service) Thread(ctx context.Context, id string) (Thread, error) {
	if !ValidID(id) {
		return Thread{}, ErrThreadNotFound
	}
	t, err := s.Store.Thread(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Thread{}, ErrThreadNotFound
	}
	return t, err
}

// Threads lists every thread, the most recently active first (staff).
func (s *Service) Threads(ctx context.Context) ([]Thread, error) { return s.Store.Threads(ctx) }

// AccountThreads lists the threads the signed-in parent email wrote.
func (s *Service) AccountThreads(ctx context.Context, email string) ([]Thread, error) {
	return s.Store.AccountThreads(ctx, email)
}

// Answer adds the town hall's answer to a thread (token: the form's, so a double submit
// answers once), e-mails it to the parent and journals it. A failed e-mail is returned: the
// answer is recorded and shown, and staff know the parent was not told.
func (s *Service) Answer(ctx context.Context, staffEmail, id, token, body string, now time.Time) (Thread, error) {
	t, err := s.Thread(ctx, id)
	if err != nil {
		return Thread{}, err
	}
	body, err = checkFollowUp(body, token)
	if err != nil {
		return t, err
	}
	t, added, err := s.add(ctx, id, Message{ID: token, At: now, Staff: true, Author: staffEmail, Body: body})
	if err != nil || !added {
		return t, err
	}
	before := "sans réponse"
	if slices.ContainsFunc(t.Messages[:len(t.Messages)-1], func(m Message) bool { return m.Staff }) {
		before = "déjà répondu"
	}
	if err := s.Journal.Record(ctx, staffEmail, now, "Réponse à un message", "« "+t.Subject+" » de "+t.Name, before,
		fmt.Sprintf("réponse envoyée (%d caractères)", utf8.RuneCountInString(body))); err != nil {
		return t, err
	}
	link := s.Link("/nous-contacter")
	if t.Account != "" {
		link = s.Link(ParentPath(t.ID))
	}
	if err := s.Notifier.SendContactAnswer(ctx, t.Email, t.Name, t.Subject, body, link); err != nil {
		return t, fmt.Errorf("answer e-mail: %w", err)
	}
	return t, nil
}
