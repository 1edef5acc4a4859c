package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/accounts/accountstest"
	"github.com/preau/preau/shared/secret"
	"github.com/preau/preau/shared/web"
)

// setupKey is setup with the secret key key, which may still be being read, as in Lambda.
func setupKey(t *testing.T, key *secret.Key) *fixture {
	t.Helper()
	env := accountstest.New(t, accountstest.NewMemory(), true)
	env.Config.AntiRobot = accounts.NewAntiRobot(key, 8)
	env.Config.Secret = key
	env.Anti = env.Config.AntiRobot
	env.Service = accountstest.Build(env.Config, env.Store, env.Mailer)
	h, err := New(Deps{Signups: env.Service.Signups, Confirmations: env.Service.Confirmations, Sessions: accounts.NewSessionResolver(env.Store, env.Clock),
		Cookies: web.Cookies{Insecure: true}, Commune: accountstest.Commune, CodePrefix: accountstest.CodePrefix})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{Env: env, h: h}
}

// TestFirstRequestsWaitForTheKey: requests arriving, several at once, while the key is still
// read get challenges signed with it once it is there; a request that ends first gets a 503.
func TestFirstRequestsWaitForTheKey(t *testing.T) {
	release := make(chan struct{})
	f := setupKey(t, secret.Load(func() ([]byte, error) { <-release; return accountstest.Secret, nil }))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/v1/signup/challenge", nil).WithContext(ctx))
	if w.Code != http.StatusServiceUnavailable || problem(t, w).Type != "/problems/service-unavailable" {
		t.Fatalf("request ended before the key: %d %s", w.Code, w.Body)
	}

	const first = 8
	answers := make([]*httptest.ResponseRecorder, 2*first)
	var wg sync.WaitGroup
	for i := range answers {
		target := "/api/v1/signup/challenge"
		if i%2 == 1 {
			target = "/creer-un-compte"
		}
		wg.Go(func() { answers[i] = f.get(t, target) })
	}
	time.Sleep(10 * time.Millisecond)
	close(release)
	wg.Wait()
	genuine := accounts.NewAntiRobot(secret.Fixed(accountstest.Secret), 8)
	for i, w := range answers {
		if w.Code != http.StatusOK {
			t.Fatalf("answer %d: %d %.300s", i, w.Code, w.Body)
		}
		tok := between(w.Body.String(), `name="antiRobotChallenge" value="`, `"`)
		if i%2 == 0 {
			var c struct{ Challenge string }
			if err := json.Unmarshal(w.Body.Bytes(), &c); err != nil {
				t.Fatal(err)
			}
			tok = c.Challenge
		}
		if genuine.QuestionOf(context.Background(), tok) == "" {
			t.Fatalf("answer %d: challenge %q not signed with the key", i, tok)
		}
	}
	// And a sign-up goes through with it.
	email := accountstest.Email("tot")
	if w := f.json(t, http.MethodPost, "/api/v1/signup", f.Input(email)); w.Code != http.StatusAccepted && w.Code != http.StatusCreated {
		t.Fatalf("sign-up: %d %s", w.Code, w.Body)
	}
}

// TestKeyThatFailedAnswers503: when the key's read failed (a missing parameter), every request
// that needs it gets a 503 without the cause, pages and API alike, and nothing is stored or sent.
func TestKeyThatFailedAnswers503(t *testing.T) {
	f := setupKey(t, secret.Load(func() ([]byte, error) {
		return nil, errors.New("configuration: SECRET_KEY_PARAMETER /preau/absent: ssm: GetParameter: ParameterNotFound")
	}))
	for _, target := range []string{"/api/v1/signup/challenge", "/creer-un-compte"} {
		w := f.get(t, target)
		if w.Code != http.StatusServiceUnavailable || strings.Contains(w.Body.String(), "ParameterNotFound") ||
			strings.Contains(w.Body.String(), "antiRobotChallenge") {
			t.Errorf("GET %s: %d %.300s", target, w.Code, w.Body)
		}
	}
	email := accountstest.Email("nokey")
	in := accountstest.New(t, accountstest.NewMemory(), true).Input(email) // a proof made with another key
	w := f.json(t, http.MethodPost, "/api/v1/signup", in)
	if w.Code != http.StatusServiceUnavailable || problem(t, w).Type != "/problems/service-unavailable" ||
		strings.Contains(w.Body.String(), "ParameterNotFound") {
		t.Fatalf("sign-up: %d %s", w.Code, w.Body)
	}
	f.noAccount(t, email)
}
