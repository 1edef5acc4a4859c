package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/accounts/accountstest"
	"github.com/preau/preau/shared/messages"
	"github.com/preau/preau/shared/messages/messagestest"
)

// lastThreads is the store of the last newMessages, which the test reading it made.
var lastThreads *messagestest.Memory

func newMessages() *messages.Service {
	lastThreads = messagestest.NewMemory()
	return &messages.Service{Store: lastThreads, Notifier: &messagestest.Mails{}, Contact: "enfance@mairie.test",
		Link: func(p string) string { return "https://portail.test" + p }}
}

func TestMesMessages(t *testing.T) {
	f := setup(t)
	threads := lastThreads
	ctx := context.Background()
	anne, bruno := accountstest.Email("anne"), accountstest.Email("bruno")
	f.ConfirmedAccount(t, anne)
	f.ConfirmedAccount(t, bruno)
	at := f.Clock.Now().Add(-2 * time.Hour)
	for _, th := range []messages.Thread{
		{ID: "000000000000000a", Subject: "Repas d'Anne", Name: "Anne", Email: anne, Account: anne, CreatedAt: at, UpdatedAt: at},
		{ID: "000000000000000b", Subject: "Question de Bruno", Name: "Bruno", Email: bruno, Account: bruno, CreatedAt: at, UpdatedAt: at},
		{ID: "000000000000000c", Subject: "Sans compte", Name: "Anne", Email: anne, CreatedAt: at, UpdatedAt: at},
	} {
		th.Messages = []messages.Message{{ID: "a000000000000001", At: at, Author: th.Name, Body: "Bonjour " + th.Subject}}
		if err := threads.CreateThread(ctx, th); err != nil {
			t.Fatal(err)
		}
	}
	_, _, _ = threads.AddMessage(ctx, "000000000000000a", messages.Message{ID: "b000000000000001", At: at.Add(time.Hour), Staff: true,
		Author: "agent@mairie.fr", Body: "Réponse de la mairie"}, messages.MaxMessages)
	tok := f.login(t, anne, accountstest.Password)

	w := f.req(t, "GET", "/mon-espace/messages", tok, nil)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "Repas d&#39;Anne") || !strings.Contains(w.Body.String(), "la mairie a répondu") ||
		strings.Contains(w.Body.String(), "Bruno") || strings.Contains(w.Body.String(), "Sans compte") {
		t.Fatalf("Mes messages: %d\n%s", w.Code, w.Body)
	}
	w = f.req(t, "GET", "/mon-espace/messages/000000000000000a", tok, nil)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "Réponse de la mairie") {
		t.Fatalf("thread: %d\n%s", w.Code, w.Body)
	}
	for _, other := range []string{"000000000000000b", "000000000000000c", "nope"} {
		if w := f.req(t, "GET", "/mon-espace/messages/"+other, tok, nil); w.Code != http.StatusNotFound {
			t.Errorf("thread %s of someone else or written signed out: %d", other, w.Code)
		}
	}
	token := regexp.MustCompile(`name="cle" value="([0-9a-f]{16})"`).FindStringSubmatch(f.req(t, "GET", "/mon-espace/messages/000000000000000a", tok, nil).Body.String())[1]
	w = f.req(t, "POST", "/mon-espace/messages/000000000000000a", tok, url.Values{"cle": {token}, "body": {"Merci beaucoup."}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("reply: %d\n%s", w.Code, w.Body)
	}
	if th, _ := threads.Thread(ctx, "000000000000000a"); len(th.Messages) != 3 || th.Messages[2].Body != "Merci beaucoup." || th.Messages[2].Staff {
		t.Fatalf("thread after the reply = %+v", th)
	}
	if w := f.req(t, "POST", "/mon-espace/messages/000000000000000b", tok, url.Values{"cle": {token}, "body": {"Intrus"}}); w.Code != http.StatusNotFound {
		t.Errorf("reply in another parent's thread: %d", w.Code)
	}
	if w := f.req(t, "GET", "/mon-espace/messages", "", nil); w.Code != http.StatusSeeOther {
		t.Errorf("signed out: %d", w.Code)
	}
}
