package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestAnswerAParentsMessage(t *testing.T) {
	f := newFixture(t)
	full := f.signIn(t)
	res, body := f.do(t, "GET", "/gestion/messages", nil, full)
	if res.StatusCode != 200 || !strings.Contains(body, "Repas de Léa") || !strings.Contains(body, "à répondre") {
		t.Fatalf("messages: %d\n%.3000s", res.StatusCode, body)
	}
	res, body = f.do(t, "GET", "/gestion/messages/0123456789abcdef", nil, full)
	if res.StatusCode != 200 || !strings.Contains(body, "Léa mange sans porc.") {
		t.Fatalf("thread: %d\n%.3000s", res.StatusCode, body)
	}
	token := regexp.MustCompile(`name="cle" value="([0-9a-f]{16})"`).FindStringSubmatch(body)[1]
	res, body = f.do(t, "POST", "/gestion/messages/0123456789abcdef/repondre", url.Values{"cle": {token}, "body": {"  "}}, full)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Écrivez votre message") {
		t.Fatalf("empty answer: %d\n%.2000s", res.StatusCode, body)
	}
	for range 2 { // a double submit answers once
		res, _ = f.do(t, "POST", "/gestion/messages/0123456789abcdef/repondre",
			url.Values{"cle": {token}, "body": {"C'est noté, bonne journée."}}, full)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/gestion/messages/0123456789abcdef" {
			t.Fatalf("answer: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
	}
	th, _ := f.threads.Thread(context.Background(), "0123456789abcdef")
	if len(th.Messages) != 2 || !th.Answered() || th.Messages[1].Author != agentEmail {
		t.Fatalf("thread = %+v", th)
	}
	if _, n := f.mails.Counts(); n != 1 || !strings.HasPrefix(f.mails.Answers[0], "parent@example.org | Repas de Léa | C'est noté") {
		t.Errorf("answers e-mailed = %q", f.mails.Answers)
	}
	if j := journalOf(t, f); strings.Count(j, "Réponse à un message | « Repas de Léa » de Paul Martin") != 1 {
		t.Errorf("journal:\n%s", j)
	}
	_, body = f.do(t, "GET", "/gestion/messages", nil, full)
	if !strings.Contains(body, "répondu") {
		t.Errorf("list after the answer:\n%.2000s", body)
	}
	if res, _ = f.do(t, "GET", "/gestion/messages/ffffffffffffffff", nil, full); res.StatusCode != http.StatusNotFound {
		t.Errorf("absent thread: %d", res.StatusCode)
	}
}
