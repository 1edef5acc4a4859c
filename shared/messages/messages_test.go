package messages_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/messages"
	"github.com/preau/preau/shared/messages/messagestest"
)

var now = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

type journal struct{ entries []string }

func (j *journal) Record(_ context.Context, who string, _ time.Time, action, target, before, after string) error {
	j.entries = append(j.entries, who+" | "+action+" | "+target+" | "+before+" → "+after)
	return nil
}

func newService() (*messages.Service, *messagestest.Mails, *journal) {
	mails, j := &messagestest.Mails{}, &journal{}
	return &messages.Service{Store: messagestest.NewMemory(), Notifier: mails, Human: messagestest.Human{}, Journal: j,
		Contact: "enfance@mairie.fr", Link: func(p string) string { return "https://portail.test" + p }}, mails, j
}

func TestWriteChecksTheFormThenTheRobot(t *testing.T) {
	s, mails, _ := newService()
	ctx := context.Background()
	in := messages.Input{Name: "Anne Martin", Email: "Anne@Example.org", Subject: "Repas de Léa", Body: "Bonjour,\r\nLéa est allergique.", Answer: "ok"}
	for field, change := range map[string]func(*messages.Input){
		"email":   func(i *messages.Input) { i.Email = "pas une adresse" },
		"subject": func(i *messages.Input) { i.Subject = "deux\nlignes" },
		"body":    func(i *messages.Input) { i.Body = strings.Repeat("x", messages.MaxBody+1) },
		"name":    func(i *messages.Input) { i.Name = " " },
	} {
		bad := in
		change(&bad)
		_, err := s.Write(ctx, bad, nil, now)
		if f, ok := fault.As(err); !ok || len(f.Fields) != 1 || f.Fields[0].Field != field {
			t.Errorf("%s wrong: %v", field, err)
		}
	}
	robot := in
	robot.Answer = "12"
	if _, err := s.Write(ctx, robot, nil, now); err == nil || !isAntiRobot(err) {
		t.Errorf("robot: %v", err)
	}
	th, err := s.Write(ctx, in, nil, now)
	if err != nil || th.Email != "anne@example.org" || th.Account != "" || th.Messages[0].Body != "Bonjour,\nLéa est allergique." {
		t.Fatalf("signed-out message = %+v, %v", th, err)
	}
	if got, _ := mails.Counts(); got != 1 || !strings.HasPrefix(mails.Received[0], "enfance@mairie.fr | Repas de Léa") {
		t.Errorf("town hall told = %q", mails.Received)
	}
	// Signed in: the account's own name and address, whatever the form says.
	who := &messages.Sender{Email: "parent@example.org", Name: "Paul Martin", FamilyID: "f_1"}
	mine, err := s.Write(ctx, in, who, now.Add(time.Minute))
	if err != nil || mine.Email != "parent@example.org" || mine.Name != "Paul Martin" || mine.Account != "parent@example.org" || mine.FamilyID != "f_1" {
		t.Fatalf("signed-in message = %+v, %v", mine, err)
	}
	if _, err := s.Mine(ctx, "parent@example.org", th.ID); !errors.Is(err, messages.ErrThreadNotFound) {
		t.Errorf("a signed-out thread shows in Mon espace: %v", err)
	}
	if _, err := s.Mine(ctx, "other@example.org", mine.ID); !errors.Is(err, messages.ErrThreadNotFound) {
		t.Errorf("another parent's thread: %v", err)
	}
	list, _ := s.AccountThreads(ctx, "parent@example.org")
	if len(list) != 1 || list[0].ID != mine.ID {
		t.Errorf("Mon espace lists %+v", list)
	}
}

func TestAnswerOnceByEmailAndJournal(t *testing.T) {
	s, mails, j := newService()
	ctx := context.Background()
	who := &messages.Sender{Email: "parent@example.org", Name: "Paul Martin"}
	th, err := s.Write(ctx, messages.Input{Subject: "Facture", Body: "Question", Answer: "ok"}, who, now)
	if err != nil {
		t.Fatal(err)
	}
	token := messages.NewID()
	for range 2 { // a double submit
		if _, err := s.Answer(ctx, "agent@mairie.fr", th.ID, token, "Voici la réponse.", now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := s.Thread(ctx, th.ID)
	if len(got.Messages) != 2 || !got.Answered() || got.Messages[1].Author != "agent@mairie.fr" {
		t.Fatalf("thread = %+v", got)
	}
	if _, answers := mails.Counts(); answers != 1 || mails.Answers[0] != "parent@example.org | Facture | Voici la réponse. | https://portail.test/mon-espace/messages/"+th.ID {
		t.Errorf("answers sent = %q", mails.Answers)
	}
	if len(j.entries) != 1 || !strings.Contains(j.entries[0], "agent@mairie.fr | Réponse à un message | « Facture » de Paul Martin | sans réponse → réponse envoyée") {
		t.Errorf("journal = %q", j.entries)
	}
	// The parent writes again in the thread; the town hall is told.
	if _, err := s.Reply(ctx, *who, th.ID, messages.NewID(), "Merci !", now.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reply(ctx, messages.Sender{Email: "x@example.org", Name: "X"}, th.ID, messages.NewID(), "Intrus", now); !errors.Is(err, messages.ErrThreadNotFound) {
		t.Errorf("another parent replies: %v", err)
	}
	if received, _ := mails.Counts(); received != 2 {
		t.Errorf("%d notices to the town hall, want 2", received)
	}
	if _, err := s.Answer(ctx, "agent@mairie.fr", "nope", token, "x", now); !errors.Is(err, messages.ErrThreadNotFound) {
		t.Errorf("answer to no thread: %v", err)
	}
}

func isAntiRobot(err error) bool {
	f, ok := fault.As(err)
	return ok && len(f.Fields) == 1 && f.Fields[0].Field == "antiRobot"
}
