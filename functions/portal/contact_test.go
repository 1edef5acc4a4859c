package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/accounts/accountstest"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/messages"
	"github.com/preau/preau/shared/messages/messagestest"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/secret"
	"github.com/preau/preau/shared/web"
)

// contactFixture is the portal with the real anti-robot check of sign-up over in-memory stores.
type contactFixture struct {
	h       http.Handler
	threads *messagestest.Memory
	mails   *messagestest.Mails
}

func newContact(t *testing.T) *contactFixture {
	t.Helper()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	key := secret.Fixed([]byte(strings.Repeat("k", 32)))
	human := &accounts.HumanCheck{Config: accounts.NewConfig(clock.NewFixed(now), func(p string) string { return "https://portail.test" + p },
		"T-", accounts.NewAntiRobot(key, 4), key, nil), Store: accountstest.NewMemory()}
	f := &contactFixture{threads: messagestest.NewMemory(), mails: &messagestest.Mails{}}
	r := newRepo(t, fakeClosures{})
	h, err := New(testDeps(Deps{Commune: "Laigneville", MailFrom: "portail-famille@laigneville.fr",
		Schedule: reservations.New(r, clock.NewFixed(now), calendar.Default(), cutoff.DefaultPolicy(), reservations.Options{}),
		Sessions: fakeSessions{token: sessionToken}, Cookies: web.Cookies{Insecure: true},
		Contact: &messages.Service{Store: f.threads, Notifier: f.mails, Human: human, Contact: "enfance@laigneville.fr",
			Link: func(p string) string { return "https://portail.test" + p }},
		AntiRobot: human}))
	if err != nil {
		t.Fatal(err)
	}
	f.h = h
	return f
}

func (f *contactFixture) post(t *testing.T, form url.Values, cookies ...*http.Cookie) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/nous-contacter", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Result(), string(b)
}

// challenge reads the form's anti-robot challenge and solves its proof of work, as pow.js does.
func challenge(t *testing.T, body string) (token, solution string) {
	t.Helper()
	m := regexp.MustCompile(`name="antiRobotChallenge" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no anti-robot challenge on the page:\n%.3000s", body)
	}
	token = strings.ReplaceAll(m[1], "&#43;", "+")
	return token, accounts.Solve(token, 4)
}

func TestContactFormSignedOut(t *testing.T) {
	f := newContact(t)
	res, body := get(t, f.h, "/nous-contacter")
	if res.StatusCode != 200 || !strings.Contains(body, `<form method="post" action="/nous-contacter"`) || !strings.Contains(body, "Je ne suis pas un robot") {
		t.Fatalf("contact page: %d\n%.3000s", res.StatusCode, body)
	}
	tok, sol := challenge(t, body)
	form := url.Values{"name": {"Anne Martin"}, "email": {"anne@example.org"}, "subject": {"Code abonné"},
		"body": {"Bonjour, je n'ai pas reçu mon code."}, "antiRobotChallenge": {tok}}
	// Without the proof: refused, nothing stored.
	res, body = f.post(t, form)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "robot") {
		t.Fatalf("without the proof: %d\n%.2000s", res.StatusCode, body)
	}
	if all, _ := f.threads.Threads(context.Background()); len(all) != 0 {
		t.Fatalf("a refused message was stored: %+v", all)
	}
	form.Set("antiRobotSolution", sol)
	res, _ = f.post(t, form)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/nous-contacter" {
		t.Fatalf("message: %d", res.StatusCode)
	}
	// The same proof again (a replayed post): refused, as at sign-up.
	res, body = f.post(t, form)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "déjà servi") {
		t.Fatalf("a spent challenge: %d\n%.2000s", res.StatusCode, body)
	}
	all, _ := f.threads.Threads(context.Background())
	if len(all) != 1 || all[0].Account != "" || all[0].Email != "anne@example.org" || all[0].Subject != "Code abonné" {
		t.Fatalf("threads = %+v", all)
	}
	if n, _ := f.mails.Counts(); n != 1 || !strings.HasPrefix(f.mails.Received[0], "enfance@laigneville.fr | Code abonné") {
		t.Errorf("town hall told = %q", f.mails.Received)
	}
}

func TestContactFormSignedIn(t *testing.T) {
	f := newContact(t)
	session := &http.Cookie{Name: "preau_session", Value: sessionToken}
	_, body := get(t, f.h, "/nous-contacter", session)
	if !strings.Contains(body, "Vous écrivez en tant que <strong>Camille Martin</strong>") || strings.Contains(body, `id="email"`) {
		t.Fatalf("signed-in form:\n%.3000s", body)
	}
	tok, sol := challenge(t, body)
	form := url.Values{"email": {"someone.else@example.org"}, "subject": {"Facture"}, "body": {"Une question."},
		"antiRobotChallenge": {tok}, "antiRobotSolution": {sol}}
	if res, _ := f.post(t, form, session); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("message: %d", res.StatusCode)
	}
	mine, _ := f.threads.AccountThreads(context.Background(), "camille.martin@example.fr")
	if len(mine) != 1 || mine[0].Email != "camille.martin@example.fr" || mine[0].FamilyID != "f1" || mine[0].Name != "Camille Martin" {
		t.Fatalf("the signed-in parent's threads = %+v", mine)
	}
}
