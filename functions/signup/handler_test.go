package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/accounts/accountstest"
	"github.com/preau/preau/shared/secret"
	"github.com/preau/preau/shared/web"
)

type fixture struct {
	*accountstest.Env
	h http.Handler
}

func setup(t testing.TB) *fixture {
	t.Helper()
	env := accountstest.New(t, accountstest.NewMemory(), true)
	h, err := New(Deps{Signups: env.Service.Signups, Confirmations: env.Service.Confirmations, Sessions: accounts.NewSessionResolver(env.Store, env.Clock),
		Cookies: web.Cookies{Insecure: true}, Commune: accountstest.Commune, CodePrefix: accountstest.CodePrefix})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{Env: env, h: h}
}

func (f *fixture) json(t *testing.T, method, target string, body any, addr ...string) *httptest.ResponseRecorder {
	t.Helper()
	if in, ok := body.(accounts.SignupInput); ok {
		body = signupJSON{Civility: in.Civility, LastName: in.LastName, FirstName: in.FirstName, Email: in.Email,
			Password: in.Password, PasswordConfirmation: in.PasswordConfirmation, SubscriberCode: in.SubscriberCode,
			AcceptTerms: in.AcceptTerms, AntiRobotChallenge: in.AntiRobotChallenge, AntiRobotSolution: in.AntiRobotSolution}
	}
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(method, target, strings.NewReader(string(b)))
	r.Header.Set("Content-Type", "application/json")
	if len(addr) > 0 {
		r.RemoteAddr = addr[0] + ":4242"
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}

func (f *fixture) form(t *testing.T, target string, v url.Values, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}

func (f *fixture) get(t *testing.T, target string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	return w
}

func problem(t *testing.T, w *httptest.ResponseRecorder) web.Problem {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q, body %s", ct, w.Body)
	}
	var p web.Problem
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// noAccount checks that nothing was stored for email and no mail was sent to it.
func (f *fixture) noAccount(t *testing.T, email string) {
	t.Helper()
	if _, err := f.Store.Account(context.Background(), accounts.NormaliseEmail(email)); !errors.Is(err, accounts.ErrNotFound) {
		t.Errorf("account stored for %s (err %v)", email, err)
	}
	time.Sleep(100 * time.Millisecond)
	if msgs := f.Box.Messages(email); len(msgs) != 0 {
		t.Errorf("%d mails sent to %s", len(msgs), email)
	}
}

func TestSignupRefusesBadInput(t *testing.T) {
	f := setup(t)
	_, revokedCode := f.Family(t, "Revoquee", true)
	spent := f.Input("x@example.org")
	if err := f.Service.Signup(context.Background(), spent); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		field string
		edit  func(*accounts.SignupInput)
	}{
		{"no civility", "civility", func(i *accounts.SignupInput) { i.Civility = "" }},
		{"bad civility", "civility", func(i *accounts.SignupInput) { i.Civility = "Mlle" }},
		{"no last name", "lastName", func(i *accounts.SignupInput) { i.LastName = " " }},
		{"no first name", "firstName", func(i *accounts.SignupInput) { i.FirstName = "" }},
		{"bad e-mail", "email", func(i *accounts.SignupInput) { i.Email = "anne.example.org" }},
		{"weak password", "password", func(i *accounts.SignupInput) { i.Password, i.PasswordConfirmation = "abcdefgh", "abcdefgh" }},
		{"short password", "password", func(i *accounts.SignupInput) { i.Password, i.PasswordConfirmation = "Ab1", "Ab1" }},
		{"common password", "password", func(i *accounts.SignupInput) { i.Password, i.PasswordConfirmation = "Azerty123", "Azerty123" }},
		{"mismatched confirmation", "passwordConfirmation", func(i *accounts.SignupInput) { i.PasswordConfirmation = "Autre-chose-42" }},
		{"malformed code", "subscriberCode", func(i *accounts.SignupInput) { i.SubscriberCode = "12087" }},
		{"unknown code", "subscriberCode", func(i *accounts.SignupInput) { i.SubscriberCode = "BLENFANCE-12087-ZZZZ-ZZZZ" }},
		{"revoked code", "subscriberCode", func(i *accounts.SignupInput) { i.SubscriberCode = revokedCode }},
		{"terms not accepted", "acceptTerms", func(i *accounts.SignupInput) { i.AcceptTerms = false }},
		{"no proof", "antiRobot", func(i *accounts.SignupInput) { i.AntiRobotChallenge, i.AntiRobotSolution = "", "" }},
		{"no solution", "antiRobot", func(i *accounts.SignupInput) { i.AntiRobotSolution = "" }},
		{"wrong solution", "antiRobot", func(i *accounts.SignupInput) { i.AntiRobotSolution = accountstest.NotASolution(i.AntiRobotChallenge) }},
		{"forged challenge", "antiRobot", func(i *accounts.SignupInput) {
			c, _ := accounts.NewAntiRobot(secret.Fixed([]byte("someone-elses-key-someone-elses-key")), 8).Issue(context.Background(), accountstest.Start)
			i.AntiRobotChallenge, i.AntiRobotSolution = c.Token, accounts.Solve(c.Token, 8)
		}},
		{"replayed proof", "antiRobot", func(i *accounts.SignupInput) {
			i.AntiRobotChallenge, i.AntiRobotSolution = spent.AntiRobotChallenge, spent.AntiRobotSolution
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := f.Input(accountstest.Email("bad"))
			c.edit(&in)
			w := f.json(t, http.MethodPost, "/api/v1/signup", in)
			if w.Code != http.StatusBadRequest {
				t.Fatalf("status %d, body %s", w.Code, w.Body)
			}
			p := problem(t, w)
			if p.Type != "/problems/invalid-fields" || len(p.Errors) != 1 || p.Errors[0].Field != c.field || p.Errors[0].Detail == "" {
				t.Errorf("problem %+v, want one error on %s", p, c.field)
			}
			f.noAccount(t, in.Email)
		})
	}
	t.Run("expired proof", func(t *testing.T) {
		in := f.Input(accountstest.Email("late"))
		f.Clock.Add(accounts.ChallengeLifetime)
		defer f.Clock.Set(accountstest.Start)
		w := f.json(t, http.MethodPost, "/api/v1/signup", in)
		if p := problem(t, w); w.Code != 400 || p.Errors[0].Field != "antiRobot" || !strings.Contains(p.Errors[0].Detail, "expiré") {
			t.Errorf("status %d problem %+v", w.Code, p)
		}
		f.noAccount(t, in.Email)
	})
	t.Run("malformed JSON", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/signup", strings.NewReader(`{"email": "a@b.fr", "unknown": 1}`))
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, r)
		if w.Code != 400 || problem(t, w).Type != "/problems/malformed-json" {
			t.Errorf("status %d body %s", w.Code, w.Body)
		}
	})
}

func TestSignupFormShowsErrorsAccessibly(t *testing.T) {
	f := setup(t)
	w := f.get(t, "/creer-un-compte")
	body := w.Body.String()
	for _, want := range []string{`name="antiRobotChallenge"`, `autocomplete="new-password"`, `href="/conditions-utilisation"`,
		"Je ne suis pas un robot", "Combien font", accountstest.CodePrefix, `src="/static/pow.js"`, "Valider"} {
		if !strings.Contains(body, want) {
			t.Errorf("sign-up page lacks %q", want)
		}
	}
	email := accountstest.Email("form")
	w = f.form(t, "/creer-un-compte", url.Values{"civility": {"Mme"}, "lastName": {"Martin"}, "firstName": {""}, "email": {email},
		"password": {"faible"}, "passwordConfirmation": {"faible"}})
	body = w.Body.String()
	if w.Code != http.StatusBadRequest {
		t.Fatalf("status %d", w.Code)
	}
	for _, want := range []string{`class="error-summary"`, `href="#firstName"`, `id="firstName-error"`,
		`aria-describedby="firstName-error"`, `aria-invalid="true"`, "conditions d&#39;utilisation", "robot", `value="Martin"`} {
		if !strings.Contains(body, want) {
			t.Errorf("re-rendered form lacks %q", want)
		}
	}
	if strings.Contains(body, `value="faible"`) {
		t.Error("the password is sent back in the page")
	}
	f.noAccount(t, email)
}

func TestSignupConfirmLoginFlow(t *testing.T) {
	f := setup(t)
	famID, code := f.Family(t, "Martin", false)
	email := accountstest.Email("flow")
	in := f.Input(strings.ToUpper(email))
	in.SubscriberCode = strings.ToLower(code)
	// The page's form, without JavaScript: the question is answered instead of the work.
	page := f.get(t, "/creer-un-compte").Body.String()
	challenge := between(page, `name="antiRobotChallenge" value="`, `"`)
	answer := solveQuestion(t, f.Anti.QuestionOf(context.Background(), challenge))
	w := f.form(t, "/creer-un-compte", url.Values{"civility": {"Mme"}, "lastName": {"Martin"}, "firstName": {"Anne"}, "email": {in.Email},
		"password": {in.Password}, "passwordConfirmation": {in.Password}, "subscriberCode": {in.SubscriberCode}, "acceptTerms": {"1"},
		"antiRobotChallenge": {challenge}, "antiRobotAnswer": {answer}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/creer-un-compte?etape=verifiez" {
		t.Fatalf("status %d location %q body %.500s", w.Code, w.Header().Get("Location"), w.Body)
	}
	msg := f.Box.WaitFor(email, "Confirmez", 5*time.Second)
	if !strings.Contains(msg.Text, "Laigneville") || !strings.Contains(msg.HTML, "Activer mon compte") {
		t.Errorf("mail %+v", msg)
	}
	path, token := accountstest.LinkIn(t, msg.Text)
	if path != "/confirm" {
		t.Fatalf("link path %q", path)
	}
	acc, err := f.Store.Account(context.Background(), email)
	if err != nil || acc.Confirmed() || acc.FamilyID != "" || acc.PendingCode != code || acc.PasswordHash == in.Password {
		t.Fatalf("account before confirmation %+v %v", acc, err)
	}
	// Opening the link (as a mail scanner would) confirms nothing: the page asks for a button.
	w = f.get(t, "/confirm?token="+url.QueryEscape(token))
	if w.Code != 200 || !strings.Contains(w.Body.String(), "Confirmer mon compte") || !strings.Contains(w.Body.String(), `action="/confirm"`) {
		t.Fatalf("confirm page: %d %.300s", w.Code, w.Body)
	}
	if acc, _ := f.Store.Account(context.Background(), email); acc.Confirmed() {
		t.Fatal("opening the link confirmed the account")
	}
	w = f.form(t, "/confirm", url.Values{"token": {between(w.Body.String(), `name="token" value="`, `"`)}})
	if w.Code != 200 || !strings.Contains(w.Body.String(), "votre compte est activé") {
		t.Fatalf("confirm: %d %.300s", w.Code, w.Body)
	}
	acc, _ = f.Store.Account(context.Background(), email)
	if !acc.Confirmed() || acc.FamilyID != famID {
		t.Errorf("after confirmation %+v", acc)
	}
	w = f.get(t, "/confirm?token="+url.QueryEscape(token))
	if w.Code != 200 || !strings.Contains(w.Body.String(), "déjà activé") {
		t.Errorf("second confirmation: %d %.300s", w.Code, w.Body)
	}
	w = f.json(t, http.MethodPost, "/api/v1/confirm", map[string]string{"token": token})
	if w.Code != http.StatusConflict || problem(t, w).Type != "/problems/already-confirmed" {
		t.Errorf("API second confirmation: %d %s", w.Code, w.Body)
	}
	w = f.get(t, "/confirm?token="+strings.Repeat("A", 43))
	if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "pas valable") {
		t.Errorf("unknown link: %d", w.Code)
	}
	// Signing up again with the address: same answer, and an "already registered" e-mail.
	again := f.Input(email)
	w = f.json(t, http.MethodPost, "/api/v1/signup", again)
	if w.Code != http.StatusAccepted {
		t.Fatalf("second sign-up: %d %s", w.Code, w.Body)
	}
	fresh := f.json(t, http.MethodPost, "/api/v1/signup", f.Input(accountstest.Email("fresh")))
	if fresh.Code != w.Code || fresh.Body.String() != w.Body.String() {
		t.Errorf("answers differ: %s vs %s", fresh.Body, w.Body)
	}
	f.Box.WaitFor(email, "déjà un compte", 5*time.Second)
	if acc2, _ := f.Store.Account(context.Background(), email); acc2.PasswordHash != acc.PasswordHash {
		t.Error("second sign-up changed the account")
	}
}

func TestExpiredLinkOffersResend(t *testing.T) {
	f := setup(t)
	email := accountstest.Email("late")
	w := f.json(t, http.MethodPost, "/api/v1/signup", f.Input(email))
	if w.Code != http.StatusAccepted {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	_, token := accountstest.LinkIn(t, f.Box.WaitFor(email, "Confirmez", 5*time.Second).Text)
	f.Clock.Add(accounts.ConfirmLinkLifetime)
	w = f.get(t, "/confirm?token="+url.QueryEscape(token))
	body := w.Body.String()
	if w.Code != http.StatusGone || !strings.Contains(body, "a expiré") || !strings.Contains(body, `action="/renvoyer-confirmation"`) {
		t.Fatalf("expired link: %d %.500s", w.Code, body)
	}
	w = f.form(t, "/renvoyer-confirmation", url.Values{"token": {token}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("resend: %d", w.Code)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(f.Box.Messages(email)) < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	msgs := f.Box.Messages(email)
	if len(msgs) != 2 {
		t.Fatalf("%d mails", len(msgs))
	}
	_, token2 := accountstest.LinkIn(t, msgs[1].Text)
	if token2 == token {
		t.Fatal("same link sent again")
	}
	if w := f.form(t, "/confirm", url.Values{"token": {token2}}); w.Code != 200 || !strings.Contains(w.Body.String(), "votre compte est activé") {
		t.Errorf("new link: %d", w.Code)
	}
	// Resending to an unknown address answers the same and sends nothing.
	unknown := accountstest.Email("nobody")
	w = f.json(t, http.MethodPost, "/api/v1/signup/resend", map[string]string{"email": unknown})
	if w.Code != http.StatusAccepted {
		t.Errorf("resend unknown: %d", w.Code)
	}
	f.noAccount(t, unknown)
}

func TestConcurrentSignupsMakeOneAccount(t *testing.T) {
	f := setup(t)
	email := accountstest.Email("race")
	const n = 20
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		in := f.Input(email)
		in.FirstName = "Anne" + strings.Repeat("a", i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = f.json(t, http.MethodPost, "/api/v1/signup", in, accountstest.NewAddr()).Code
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusAccepted {
			t.Errorf("sign-up %d: %d", i, c)
		}
	}
	acc, err := f.Store.Account(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	// Exactly one account: every confirmation link sent points at it (each sign-up replaced the
	// unconfirmed one before, so one of the names is kept).
	if !strings.HasPrefix(acc.FirstName, "Anne") {
		t.Errorf("account %+v", acc)
	}
	msgs := f.Box.Messages(email)
	if len(msgs) == 0 || len(msgs) > n {
		t.Errorf("%d mails", len(msgs))
	}
}

func TestChallengeAndCrossSite(t *testing.T) {
	f := setup(t)
	w := f.get(t, "/api/v1/signup/challenge")
	var c map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &c); err != nil || c["challenge"] == "" || c["algorithm"] != accounts.Algorithm || c["difficulty"] != 8.0 {
		t.Fatalf("challenge %s", w.Body)
	}
	// The API gets the proof of work only: the question is for pages without JavaScript, and
	// its expiry is in Paris time like every time of the API.
	if _, ok := c["question"]; ok || !strings.HasSuffix(c["expiresAt"].(string), "+02:00") {
		t.Errorf("challenge %s", w.Body)
	}
	email := accountstest.Email("xsite")
	w = f.form(t, "/creer-un-compte", url.Values{"email": {email}}, "Sec-Fetch-Site", "cross-site")
	if w.Code != http.StatusForbidden {
		t.Errorf("cross-site form post: %d", w.Code)
	}
	f.noAccount(t, email)
}

// TestAPISignupNeedsTheWork: the answer to the page's question does not sign up through the
// API (it has no such field: a script made accounts that way without any proof of work), and
// sign-ups are limited per client address.
func TestAPISignupNeedsTheWork(t *testing.T) {
	f := setup(t)
	in := f.Input(accountstest.Email("script"))
	right := solveQuestion(t, f.Anti.QuestionOf(context.Background(), in.AntiRobotChallenge))
	body := map[string]any{"civility": in.Civility, "lastName": in.LastName, "firstName": in.FirstName, "email": in.Email,
		"password": in.Password, "passwordConfirmation": in.Password, "acceptTerms": true,
		"antiRobotChallenge": in.AntiRobotChallenge, "antiRobotAnswer": right}
	if w := f.json(t, http.MethodPost, "/api/v1/signup", body); w.Code != http.StatusBadRequest {
		t.Errorf("API sign-up with the question's answer: %d %s", w.Code, w.Body)
	}
	delete(body, "antiRobotAnswer")
	if w := f.json(t, http.MethodPost, "/api/v1/signup", body); w.Code != http.StatusBadRequest || problem(t, w).Errors[0].Field != "antiRobot" {
		t.Errorf("API sign-up without the work: %d %s", w.Code, w.Body)
	}
	f.noAccount(t, in.Email)

	addr := accountstest.NewAddr()
	for i := range accounts.MaxSignupsPerAddress {
		if w := f.json(t, http.MethodPost, "/api/v1/signup", f.Input(accountstest.Email("many")), addr); w.Code != http.StatusAccepted {
			t.Fatalf("sign-up %d: %d %s", i, w.Code, w.Body)
		}
	}
	last := f.Input(accountstest.Email("many"))
	w := f.json(t, http.MethodPost, "/api/v1/signup", last, addr)
	if w.Code != http.StatusTooManyRequests || problem(t, w).Type != "/problems/too-many-attempts" || w.Header().Get("Retry-After") == "" {
		t.Errorf("sign-up past the limit from one address: %d %s", w.Code, w.Body)
	}
	f.noAccount(t, last.Email)
	// X-Forwarded-For is not the client's address: it cannot buy another allowance.
	b, _ := json.Marshal(map[string]any{"civility": "M", "lastName": "Dupont", "firstName": "Jean", "email": accountstest.Email("xff"),
		"password": accountstest.Password, "passwordConfirmation": accountstest.Password, "acceptTerms": true})
	r := httptest.NewRequest(http.MethodPost, "/api/v1/signup", strings.NewReader(string(b)))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Forwarded-For", accountstest.NewAddr())
	r.RemoteAddr = addr + ":4242"
	w = httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	if w.Code != http.StatusTooManyRequests {
		t.Errorf("X-Forwarded-For changed the address counted: %d %s", w.Code, w.Body)
	}
	if w := f.json(t, http.MethodPost, "/api/v1/signup", f.Input(accountstest.Email("other")), accountstest.NewAddr()); w.Code != http.StatusAccepted {
		t.Errorf("another address: %d %s", w.Code, w.Body)
	}
}

func between(s, start, end string) string {
	_, after, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(after, end)
	return v
}

// solveQuestion answers "Combien font trois plus quatre ?" as a parent would.
func solveQuestion(t *testing.T, q string) string {
	t.Helper()
	words := map[string]int{"un": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9}
	var x, y int
	fields := strings.Fields(q)
	for i, w := range fields {
		if w == "font" && i+3 < len(fields) {
			x, y = words[fields[i+1]], words[fields[i+3]]
		}
	}
	if x == 0 || y == 0 {
		t.Fatalf("question %q", q)
	}
	return string(rune('0'+(x+y)/10)) + string(rune('0'+(x+y)%10))
}

// Pages are parsed when first shown: every one of them must parse.
func TestPagesParse(t *testing.T) {
	if err := web.CheckPages(escaped); err != nil {
		t.Fatal(err)
	}
}
