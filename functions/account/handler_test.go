package main

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/accounts/accountstest"
	"github.com/preau/preau/shared/web"
)

type fixture struct {
	*accountstest.Env
	h       http.Handler
	cookies web.Cookies
}

func setup(t testing.TB) *fixture {
	t.Helper()
	env := accountstest.New(t, accountstest.NewMemory(), true)
	c := web.Cookies{Insecure: true}
	s := env.Service
	h, err := New(Deps{Logins: s.Logins, Resets: s.Resets, Passwords: s.PasswordChanges, Profiles: s.Profiles, Families: s.FamilyLinks,
		Members: s.Memberships, Deletions: s.Deletions, Messages: newMessages(), Sessions: accounts.NewSessionResolver(env.Store, env.Clock), Cookies: c,
		Clock: env.Clock, Commune: accountstest.Commune, CodePrefix: accountstest.CodePrefix})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{Env: env, h: h, cookies: c}
}

// req sends a request with an optional session token, JSON body (any) or form (url.Values).
func (f *fixture) req(t *testing.T, method, target, session string, body any, addr ...string) *httptest.ResponseRecorder {
	t.Helper()
	var r *http.Request
	switch b := body.(type) {
	case nil:
		r = httptest.NewRequest(method, target, nil)
	case url.Values:
		r = httptest.NewRequest(method, target, strings.NewReader(b.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	default:
		j, _ := json.Marshal(b)
		r = httptest.NewRequest(method, target, strings.NewReader(string(j)))
		r.Header.Set("Content-Type", "application/json")
	}
	if session != "" {
		r.AddCookie(&http.Cookie{Name: "preau_session", Value: session})
	}
	if len(addr) > 0 {
		r.RemoteAddr = addr[0] + ":4242"
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}

func sessionOf(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	for _, c := range w.Result().Cookies() {
		if c.Name == "preau_session" && c.Value != "" {
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
				t.Errorf("session cookie attributes %+v", c)
			}
			return c.Value
		}
	}
	t.Fatalf("no session cookie (status %d, body %.300s)", w.Code, w.Body)
	return ""
}

func problemType(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var p web.Problem
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatalf("not a problem: %s", w.Body)
	}
	return p.Type
}

func (f *fixture) login(t *testing.T, email, password string) string {
	t.Helper()
	w := f.req(t, http.MethodPost, "/api/v1/login", "", map[string]string{"email": email, "password": password})
	if w.Code != http.StatusOK {
		t.Fatalf("login: %d %s", w.Code, w.Body)
	}
	return sessionOf(t, w)
}

func TestLoginNeedsConfirmation(t *testing.T) {
	f := setup(t)
	email := accountstest.Email("unconfirmed")
	if err := f.Service.Signup(context.Background(), f.Input(email)); err != nil {
		t.Fatal(err)
	}
	w := f.req(t, http.MethodPost, "/api/v1/login", "", map[string]string{"email": email, "password": accountstest.Password})
	if w.Code != http.StatusForbidden || problemType(t, w) != "/problems/account-not-confirmed" {
		t.Fatalf("login before confirmation: %d %s", w.Code, w.Body)
	}
	w = f.req(t, http.MethodPost, "/connexion", "", url.Values{"email": {email}, "password": {accountstest.Password}})
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "pas encore activé") || !strings.Contains(w.Body.String(), "/renvoyer-confirmation") {
		t.Errorf("login form before confirmation: %d %.400s", w.Code, w.Body)
	}
}

func TestLoginFormAndSession(t *testing.T) {
	f := setup(t)
	email := accountstest.Email("login")
	f.ConfirmedAccount(t, email)
	// Wrong password: the login page again, with the error, the e-mail kept.
	w := f.req(t, http.MethodPost, "/connexion", "", url.Values{"email": {email}, "password": {"Mauvais-1234"}, "suivant": {"/espace-famille/planning"}})
	if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "incorrect") || !strings.Contains(w.Body.String(), `value="/espace-famille/planning"`) {
		t.Fatalf("bad login: %d %.400s", w.Code, w.Body)
	}
	w = f.req(t, http.MethodPost, "/connexion", "", url.Values{"email": {strings.ToUpper(email)}, "password": {accountstest.Password}, "suivant": {"/espace-famille/planning"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/espace-famille/planning" {
		t.Fatalf("login: %d %q", w.Code, w.Header().Get("Location"))
	}
	tok := sessionOf(t, w)
	// Never redirected to another site.
	w = f.req(t, http.MethodPost, "/connexion", "", url.Values{"email": {email}, "password": {accountstest.Password}, "suivant": {"//evil.example/"}})
	if w.Header().Get("Location") != "/mon-espace" {
		t.Errorf("open redirect: %q", w.Header().Get("Location"))
	}
	w = f.req(t, http.MethodGet, "/mon-espace", tok, nil)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "Mon espace citoyen") || !strings.Contains(w.Body.String(), "Supprimer mon compte") {
		t.Fatalf("space: %d", w.Code)
	}
	// The session ends after its lifetime.
	f.Clock.Add(accounts.SessionLifetime - time.Second)
	if w := f.req(t, http.MethodGet, "/api/v1/me", tok, nil); w.Code != 200 {
		t.Errorf("session ended early: %d", w.Code)
	}
	f.Clock.Add(time.Second)
	if w := f.req(t, http.MethodGet, "/api/v1/me", tok, nil); w.Code != http.StatusUnauthorized {
		t.Errorf("expired session: %d", w.Code)
	}
	if w := f.req(t, http.MethodGet, "/mon-espace", tok, nil); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/?suivant=") {
		t.Errorf("expired session page: %d %q", w.Code, w.Header().Get("Location"))
	}
	// Logout ends the session.
	tok = f.login(t, email, accountstest.Password)
	w = f.req(t, http.MethodPost, "/deconnexion", tok, url.Values{})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("logout: %d", w.Code)
	}
	if w := f.req(t, http.MethodGet, "/api/v1/me", tok, nil); w.Code != http.StatusUnauthorized {
		t.Errorf("after logout: %d", w.Code)
	}
}

// TestLoginPastTheLimitAsksForProof: past 5 attempts on an account (or 20 from an address) in
// a window, a login is not refused for good: it needs a proof of work, so a stranger cannot
// lock the owner out, and the owner who knows the password still gets in.
func TestLoginPastTheLimitAsksForProof(t *testing.T) {
	f := setup(t)
	email := accountstest.Email("throttle")
	f.ConfirmedAccount(t, email)
	for i := range accounts.MaxAttemptsAccount {
		w := f.req(t, http.MethodPost, "/api/v1/login", "", map[string]string{"email": email, "password": "Mauvais-1234"}, "192.0.2.1")
		if w.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, w.Code)
		}
	}
	// Even the right password needs a proof now; the refusal carries a challenge, no question.
	w := f.req(t, http.MethodPost, "/api/v1/login", "", map[string]string{"email": email, "password": accountstest.Password}, "192.0.2.2")
	var p struct {
		Type      string `json:"type"`
		Challenge struct {
			Challenge  string `json:"challenge"`
			Difficulty int    `json:"difficulty"`
			Question   string `json:"question"`
			ExpiresAt  string `json:"expiresAt"`
		} `json:"challenge"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || w.Code != http.StatusTooManyRequests || p.Type != "/problems/proof-required" ||
		p.Challenge.Challenge == "" || p.Challenge.Question != "" || !strings.HasSuffix(p.Challenge.ExpiresAt, "+02:00") {
		t.Fatalf("past the limit: %d %s", w.Code, w.Body)
	}
	// A wrong proof does not let the password be tried.
	w = f.req(t, http.MethodPost, "/api/v1/login", "", map[string]string{"email": email, "password": accountstest.Password,
		"antiRobotChallenge": p.Challenge.Challenge, "antiRobotSolution": accountstest.NotASolution(p.Challenge.Challenge)}, "192.0.2.2")
	if w.Code != http.StatusTooManyRequests || problemType(t, w) != "/problems/proof-required" {
		t.Fatalf("wrong proof: %d %s", w.Code, w.Body)
	}
	// A wrong password with a proof is still a wrong password.
	c := f.Challenge(t)
	w = f.req(t, http.MethodPost, "/api/v1/login", "", map[string]string{"email": email, "password": "Mauvais-1234",
		"antiRobotChallenge": c.Token, "antiRobotSolution": accounts.Solve(c.Token, c.Difficulty)}, "192.0.2.2")
	if w.Code != http.StatusUnauthorized {
		t.Fatalf("wrong password with a proof: %d %s", w.Code, w.Body)
	}
	// The owner with a proof gets in; the proof serves once.
	c = f.Challenge(t)
	proof := map[string]string{"email": email, "password": accountstest.Password, "antiRobotChallenge": c.Token, "antiRobotSolution": accounts.Solve(c.Token, c.Difficulty)}
	if w := f.req(t, http.MethodPost, "/api/v1/login", "", proof, "192.0.2.2"); w.Code != http.StatusOK {
		t.Fatalf("owner with a proof: %d %s", w.Code, w.Body)
	}
	if w := f.req(t, http.MethodPost, "/api/v1/login", "", proof, "192.0.2.2"); w.Code != http.StatusTooManyRequests {
		t.Fatalf("replayed proof: %d %s", w.Code, w.Body)
	}
	f.Clock.Add(accounts.ThrottleWindow)
	f.login(t, email, accountstest.Password)

	// Per address: many accounts tried from one address; the form then shows the question.
	for i := range accounts.MaxAttemptsAddress {
		w := f.req(t, http.MethodPost, "/api/v1/login", "", map[string]string{"email": accountstest.Email("guess"), "password": "Mauvais-1234"}, "192.0.2.9")
		if w.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, w.Code)
		}
	}
	w = f.req(t, http.MethodPost, "/connexion", "", url.Values{"email": {email}, "password": {accountstest.Password}}, "192.0.2.9")
	body := w.Body.String()
	if w.Code != http.StatusTooManyRequests || !strings.Contains(body, "pas un robot") || !strings.Contains(body, "Combien font") ||
		!strings.Contains(body, `name="antiRobotChallenge"`) || !strings.Contains(body, "/static/pow.js") {
		t.Fatalf("address past its limit: %d %.600s", w.Code, body)
	}
	// Without JavaScript: the answer to the page's question lets the owner in.
	challenge := between(body, `name="antiRobotChallenge" value="`, `"`)
	answer := solveQuestion(t, f.Anti.QuestionOf(context.Background(), challenge))
	w = f.req(t, http.MethodPost, "/connexion", "", url.Values{"email": {email}, "password": {accountstest.Password},
		"antiRobotChallenge": {challenge}, "antiRobotAnswer": {answer}}, "192.0.2.9")
	if w.Code != http.StatusSeeOther {
		t.Fatalf("owner answering the question: %d %.600s", w.Code, w.Body)
	}
	if w := f.req(t, http.MethodPost, "/api/v1/login", "", map[string]string{"email": email, "password": accountstest.Password}, "192.0.2.10"); w.Code != 200 {
		t.Errorf("another address: %d", w.Code)
	}
}

// between returns the text of s between the first start and the following end.
func between(s, start, end string) string {
	_, after, _ := strings.Cut(s, start)
	v, _, _ := strings.Cut(after, end)
	return html.UnescapeString(v)
}

// solveQuestion answers "Combien font X plus Y ?" as a person would.
func solveQuestion(t *testing.T, q string) string {
	t.Helper()
	words := map[string]int{"un": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9}
	f := strings.Fields(q)
	if len(f) < 5 || words[f[2]] == 0 || words[f[4]] == 0 {
		t.Fatalf("question %q", q)
	}
	return strconv.Itoa(words[f[2]] + words[f[4]])
}

func TestPasswordReset(t *testing.T) {
	f := setup(t)
	email := accountstest.Email("reset")
	f.ConfirmedAccount(t, email)
	other := f.login(t, email, accountstest.Password)

	// Enumeration-safe: the same answer for an unknown address, and no mail to it.
	unknown := accountstest.Email("unknown")
	a := f.req(t, http.MethodPost, "/api/v1/password-reset", "", map[string]string{"email": email})
	b := f.req(t, http.MethodPost, "/api/v1/password-reset", "", map[string]string{"email": unknown})
	if a.Code != http.StatusAccepted || a.Code != b.Code || a.Body.String() != b.Body.String() {
		t.Fatalf("answers differ: %d %s / %d %s", a.Code, a.Body, b.Code, b.Body)
	}
	if bad := f.req(t, http.MethodPost, "/api/v1/password-reset", "", map[string]string{"email": "pas-une-adresse"}); bad.Code != 400 {
		t.Errorf("malformed address: %d", bad.Code)
	}
	msg := f.Box.WaitFor(email, "Réinitialisation", 5*time.Second)
	path, token := accountstest.LinkIn(t, msg.Text)
	if path != "/reinitialiser" {
		t.Fatalf("path %q", path)
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(f.Box.Messages(unknown)); n != 0 {
		t.Errorf("%d mails to an unknown address", n)
	}
	w := f.req(t, http.MethodGet, "/reinitialiser?token="+url.QueryEscape(token), "", nil)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `name="token"`) {
		t.Fatalf("reset page: %d", w.Code)
	}
	// A weak password is refused and the link stays usable.
	w = f.req(t, http.MethodPost, "/reinitialiser", "", url.Values{"token": {token}, "password": {"faible"}, "passwordConfirmation": {"faible"}})
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `aria-invalid="true"`) {
		t.Fatalf("weak: %d", w.Code)
	}
	const newPassword = "Nouveau-Mot-2026"
	w = f.req(t, http.MethodPost, "/reinitialiser", "", url.Values{"token": {token}, "password": {newPassword}, "passwordConfirmation": {newPassword}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/connexion" {
		t.Fatalf("reset: %d %.300s", w.Code, w.Body)
	}
	f.Box.WaitFor(email, "a été modifié", 5*time.Second)
	// Single use.
	w = f.req(t, http.MethodPost, "/api/v1/password-reset/confirm", "", map[string]string{"token": token, "password": "Encore-Autre-77", "passwordConfirmation": "Encore-Autre-77"})
	if w.Code != http.StatusConflict || problemType(t, w) != "/problems/link-used" {
		t.Errorf("reuse: %d %s", w.Code, w.Body)
	}
	// The other session ended; the old password no longer works, the new one does.
	if w := f.req(t, http.MethodGet, "/api/v1/me", other, nil); w.Code != http.StatusUnauthorized {
		t.Errorf("other session still alive: %d", w.Code)
	}
	if w := f.req(t, http.MethodPost, "/api/v1/login", "", map[string]string{"email": email, "password": accountstest.Password}); w.Code != 401 {
		t.Errorf("old password: %d", w.Code)
	}
	f.login(t, email, newPassword)

	// An expired link (1 h) is told apart.
	f.req(t, http.MethodPost, "/api/v1/password-reset", "", map[string]string{"email": email})
	deadline := time.Now().Add(5 * time.Second)
	var msgs []string
	for time.Now().Before(deadline) {
		msgs = msgs[:0]
		for _, m := range f.Box.Messages(email) {
			if strings.Contains(m.Subject, "Réinitialisation") {
				msgs = append(msgs, m.Text)
			}
		}
		if len(msgs) == 2 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(msgs) != 2 {
		t.Fatalf("%d reset mails", len(msgs))
	}
	_, token2 := accountstest.LinkIn(t, msgs[1])
	f.Clock.Add(accounts.ResetLinkLifetime)
	if w := f.req(t, http.MethodGet, "/reinitialiser?token="+url.QueryEscape(token2), "", nil); w.Code != http.StatusGone || !strings.Contains(w.Body.String(), "expiré") {
		t.Errorf("expired reset link: %d", w.Code)
	}
}

func TestChangePasswordEndsOtherSessions(t *testing.T) {
	f := setup(t)
	email := accountstest.Email("change")
	f.ConfirmedAccount(t, email)
	phone, laptop := f.login(t, email, accountstest.Password), f.login(t, email, accountstest.Password)
	w := f.req(t, http.MethodPut, "/api/v1/me/password", laptop, map[string]string{"currentPassword": "Mauvais-1", "password": "Nouveau-Mot-2026", "passwordConfirmation": "Nouveau-Mot-2026"})
	if w.Code != 400 {
		t.Fatalf("wrong current password: %d", w.Code)
	}
	w = f.req(t, http.MethodPost, "/mon-espace/mot-de-passe", laptop, url.Values{"currentPassword": {accountstest.Password}, "password": {"Nouveau-Mot-2026"}, "passwordConfirmation": {"Nouveau-Mot-2026"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("change: %d %.300s", w.Code, w.Body)
	}
	renewed := sessionOf(t, w)
	if w := f.req(t, http.MethodGet, "/api/v1/me", phone, nil); w.Code != 401 {
		t.Errorf("other session alive: %d", w.Code)
	}
	if w := f.req(t, http.MethodGet, "/api/v1/me", laptop, nil); w.Code != 401 {
		t.Errorf("old session of this device alive: %d", w.Code)
	}
	if w := f.req(t, http.MethodGet, "/api/v1/me", renewed, nil); w.Code != 200 {
		t.Errorf("this device signed out: %d", w.Code)
	}
}

type meResponse struct {
	Email    string
	Family   *struct{ Name, SubscriberCode string }
	Children []struct{ ID, FirstName string }
}

func (f *fixture) me(t *testing.T, tok string) meResponse {
	t.Helper()
	w := f.req(t, http.MethodGet, "/api/v1/me", tok, nil)
	if w.Code != 200 {
		t.Fatalf("me: %d %s", w.Code, w.Body)
	}
	var m meResponse
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestFamilyLink(t *testing.T) {
	f := setup(t)
	famID, code := f.Family(t, "Martin", false)
	_, revoked := f.Family(t, "Ancienne", true)
	anne, paul := accountstest.Email("anne"), accountstest.Email("paul")
	f.ConfirmedAccount(t, anne)
	f.ConfirmedAccount(t, paul)
	ta, tp := f.login(t, anne, accountstest.Password), f.login(t, paul, accountstest.Password)
	if m := f.me(t, ta); m.Family != nil || len(m.Children) != 0 || m.Email != anne {
		t.Fatalf("before link %+v", m)
	}
	cases := []struct{ name, code, want string }{
		{"empty", "", "Saisissez"},
		{"malformed", "BLENFANCE-12087-12", "pas la bonne forme"},
		{"unknown", "BLENFANCE-12087-ZZZZ-ZZZZ", "inconnu"},
		{"revoked", revoked, "plus valable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := f.req(t, http.MethodPut, "/api/v1/me/family", ta, map[string]string{"subscriberCode": c.code})
			if w.Code != 400 || !strings.Contains(w.Body.String(), c.want) || !strings.Contains(w.Body.String(), `"field":"subscriberCode"`) {
				t.Errorf("%d %s", w.Code, w.Body)
			}
			if acc, _ := f.Store.Account(context.Background(), anne); acc.FamilyID != "" {
				t.Error("account changed")
			}
		})
	}
	// Both parents link the same code (typed loosely by one of them).
	w := f.req(t, http.MethodPost, "/mon-espace/famille", ta, url.Values{"subscriberCode": {" " + strings.ToLower(code) + " "}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("link form: %d %.300s", w.Code, w.Body)
	}
	if w := f.req(t, http.MethodPut, "/api/v1/me/family", tp, map[string]string{"subscriberCode": code}); w.Code != 200 {
		t.Fatalf("second parent: %d %s", w.Code, w.Body)
	}
	for _, tok := range []string{ta, tp} {
		m := f.me(t, tok)
		if m.Family == nil || m.Family.Name != "Famille Martin" || len(m.Children) != 1 || m.Children[0].FirstName != "Léa" {
			t.Errorf("me %+v", m)
		}
	}
	if members := f.MemberEmails(t, famID); len(members) != 2 {
		t.Errorf("members %v", members)
	}
	// The viewer carries the family from now on.
	v, err := accounts.NewSessionResolver(f.Store, f.Clock).ResolveSession(context.Background(), ta)
	if err != nil || v == nil || v.FamilyID != famID {
		t.Errorf("viewer %+v %v", v, err)
	}
	page := f.req(t, http.MethodGet, "/mon-espace", ta, nil).Body.String()
	if !strings.Contains(page, "Famille Martin") || !strings.Contains(page, "Léa") {
		t.Error("space page lacks the family")
	}
}

func TestProfileAndDeletion(t *testing.T) {
	f := setup(t)
	famID, code := f.Family(t, "Durand", false)
	email := accountstest.Email("delete")
	f.ConfirmedAccount(t, email)
	tok := f.login(t, email, accountstest.Password)
	if w := f.req(t, http.MethodPatch, "/api/v1/me", tok, map[string]string{"firstName": "Paul-Henri", "civility": "M"}); w.Code != 200 || !strings.Contains(w.Body.String(), "Paul-Henri") {
		t.Fatalf("profile: %d %s", w.Code, w.Body)
	}
	if w := f.req(t, http.MethodPatch, "/api/v1/me", tok, map[string]string{"civility": "Dr"}); w.Code != 400 {
		t.Errorf("bad civility: %d", w.Code)
	}
	if w := f.req(t, http.MethodPut, "/api/v1/me/family", tok, map[string]string{"subscriberCode": code}); w.Code != 200 {
		t.Fatal(w.Code)
	}
	if w := f.req(t, http.MethodPost, "/mon-espace/supprimer", tok, url.Values{"password": {"Mauvais-1"}}); w.Code != 400 {
		t.Fatalf("delete with wrong password: %d", w.Code)
	}
	w := f.req(t, http.MethodPost, "/mon-espace/supprimer", tok, url.Values{"password": {accountstest.Password}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("delete: %d %.300s", w.Code, w.Body)
	}
	if _, err := f.Store.Account(context.Background(), email); !errors.Is(err, accounts.ErrNotFound) {
		t.Errorf("account still there: %v", err)
	}
	if members := f.MemberEmails(t, famID); len(members) != 0 {
		t.Errorf("members after deletion %v", members)
	}
	if w := f.req(t, http.MethodGet, "/api/v1/me", tok, nil); w.Code != 401 {
		t.Errorf("session survived deletion: %d", w.Code)
	}
	// Signing up again with the address does not revive old sessions.
	f.ConfirmedAccount(t, email)
	if w := f.req(t, http.MethodGet, "/api/v1/me", tok, nil); w.Code != 401 {
		t.Errorf("old session revived: %d", w.Code)
	}
}

func TestCrossSiteRefused(t *testing.T) {
	f := setup(t)
	email := accountstest.Email("xsite")
	f.ConfirmedAccount(t, email)
	tok := f.login(t, email, accountstest.Password)
	r := httptest.NewRequest(http.MethodPost, "/mon-espace/supprimer", strings.NewReader("password="+accountstest.Password))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	r.AddCookie(&http.Cookie{Name: "preau_session", Value: tok})
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	if w.Code != http.StatusForbidden {
		t.Errorf("cross-site post: %d", w.Code)
	}
	if _, err := f.Store.Account(context.Background(), email); err != nil {
		t.Errorf("account touched: %v", err)
	}
}

// Pages are parsed when first shown: every one of them must parse.
func TestPagesParse(t *testing.T) {
	if err := web.CheckPages(escaped); err != nil {
		t.Fatal(err)
	}
}
