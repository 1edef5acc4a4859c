package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/preau/preau/shared/accounts/accountstest"
)

// TestWrongAnswerSpendsChallenge: a wrong answer to the question spends the challenge, so a
// robot cannot retry one challenge until a guess passes; the page asks a new question.
func TestWrongAnswerSpendsChallenge(t *testing.T) {
	f := setup(t)
	email := accountstest.Email("guess")
	page := f.get(t, "/creer-un-compte").Body.String()
	challenge := between(page, `name="antiRobotChallenge" value="`, `"`)
	right := solveQuestion(t, f.Anti.QuestionOf(context.Background(), challenge))
	wrong := "0" // the answer is a sum of two numbers from 1 to 9
	post := func(answer, code string) (int, string) {
		w := f.form(t, "/creer-un-compte", url.Values{"civility": {"Mme"}, "lastName": {"Martin"}, "firstName": {"Anne"},
			"email": {email}, "password": {accountstest.Password}, "passwordConfirmation": {accountstest.Password},
			"subscriberCode": {code}, "acceptTerms": {"1"}, "antiRobotChallenge": {challenge}, "antiRobotAnswer": {answer}})
		return w.Code, w.Body.String()
	}
	code, body := post(wrong, "")
	if code != http.StatusBadRequest || !strings.Contains(body, "incorrecte") {
		t.Fatalf("wrong answer: %d %.300s", code, body)
	}
	if next := between(body, `name="antiRobotChallenge" value="`, `"`); next == "" || next == challenge {
		t.Errorf("the page does not ask a new question (challenge %q)", next)
	}
	code, body = post(right, "")
	if code != http.StatusBadRequest || !strings.Contains(body, "déjà servi") {
		t.Errorf("right answer on a spent challenge: %d %.300s", code, body)
	}
	f.noAccount(t, email)
}

// TestCodeNotCheckedWithoutProof: a sign-up that fails the anti-robot check learns nothing
// about the subscriber code it carries.
func TestCodeNotCheckedWithoutProof(t *testing.T) {
	f := setup(t)
	_, revoked := f.Family(t, "Revoquee", true)
	for _, code := range []string{"BLENFANCE-12087-ZZZZ-ZZZZ", revoked} {
		in := f.Input(accountstest.Email("oracle"))
		in.SubscriberCode, in.AntiRobotSolution = code, accountstest.NotASolution(in.AntiRobotChallenge)
		w := f.json(t, http.MethodPost, "/api/v1/signup", in)
		p := problem(t, w)
		if w.Code != http.StatusBadRequest || len(p.Errors) != 1 || p.Errors[0].Field != "antiRobot" {
			t.Errorf("code %s: %d %+v, want only the anti-robot error", code, w.Code, p.Errors)
		}
	}
}
