package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/accounts/accountstest"
)

type meFull struct {
	CreatedAt string
	Family    *struct{ Name, SubscriberCode string }
	Members   []struct {
		Email, Name, LinkedAt string
		You                   bool
	}
}

func (f *fixture) meFull(t *testing.T, tok string) meFull {
	t.Helper()
	var m meFull
	decode(t, f.req(t, http.MethodGet, "/api/v1/me", tok, nil), &m)
	return m
}

// TestStolenSessionGivesNoLastingAccess replays the attack: with parent A's session, an
// attacker reads the code, links it from their own account, and hopes to keep reading A's
// family after A changes password. Now the code is masked, A is told of the new member by
// e-mail, removes them from Mon espace (recorded; the attacker is told and loses access at
// once), and the password change closes the attacker's copy of A's session.
func TestStolenSessionGivesNoLastingAccess(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	famID, code := f.Family(t, "Martin", false)
	anne, eve := accountstest.Email("anne"), accountstest.Email("eve")
	f.ConfirmedAccount(t, anne)
	f.ConfirmedAccount(t, eve)
	ta := f.login(t, anne, accountstest.Password)
	if w := f.req(t, http.MethodPut, "/api/v1/me/family", ta, map[string]string{"subscriberCode": code}); w.Code != 200 {
		t.Fatalf("link: %d %s", w.Code, w.Body)
	}
	stolen := f.login(t, anne, accountstest.Password) // the attacker's copy of Anne's session

	// The code is masked, in the API and on the page.
	m := f.meFull(t, stolen)
	if m.Family == nil || strings.Contains(m.Family.SubscriberCode, code[len(code)-9:len(code)-2]) ||
		m.Family.SubscriberCode != accounts.MaskCode(code) || !strings.HasSuffix(m.CreatedAt, "+02:00") {
		t.Fatalf("me shows %+v", m)
	}
	if page := f.req(t, http.MethodGet, "/mon-espace", stolen, nil).Body.String(); strings.Contains(page, code) {
		t.Fatal("Mon espace shows the full code")
	}

	// Suppose the code leaked anyway: linking it tells every existing member.
	te := f.login(t, eve, accountstest.Password)
	if w := f.req(t, http.MethodPut, "/api/v1/me/family", te, map[string]string{"subscriberCode": code}); w.Code != 200 {
		t.Fatalf("attacker links: %d %s", w.Code, w.Body)
	}
	notice := f.Box.WaitFor(anne, "Un nouveau parent a été relié", 0)
	if !strings.Contains(notice.Text, accountstest.BaseURL+"/mon-espace") || !strings.Contains(notice.Text, "Bonjour Mme Martin") {
		t.Errorf("notice %s", notice.Text)
	}
	if len(f.Box.Messages(eve)) != 1 { // the confirmation only: a new member is not told of themselves
		t.Errorf("the new member got %d mails", len(f.Box.Messages(eve)))
	}
	m = f.meFull(t, ta)
	if len(m.Members) != 2 || m.Members[0].Email != anne || !m.Members[0].You || m.Members[1].Email != eve || m.Members[1].You {
		t.Fatalf("members %+v", m.Members)
	}

	// Anne removes the stranger from Mon espace: recorded, told, and cut off at once.
	w := f.req(t, http.MethodPost, "/mon-espace/retirer", ta, url.Values{"email": {eve}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("remove: %d %.300s", w.Code, w.Body)
	}
	if me := f.meFull(t, te); me.Family != nil {
		t.Errorf("the removed parent still sees %+v", me.Family)
	}
	if v, _ := accounts.NewSessionResolver(f.Store, f.Clock).ResolveSession(ctx, te); v == nil || v.FamilyID != "" {
		t.Errorf("removed parent's viewer %+v", v)
	}
	events, err := f.Store.FamilyEvents(ctx, famID)
	if err != nil || len(events) != 3 {
		t.Fatalf("events %+v %v", events, err)
	}
	if e := events[2]; e.Action != accounts.MemberRemoved || e.By != anne || e.Member != eve || !e.At.Equal(f.Clock.Now()) {
		t.Errorf("removal recorded as %+v", e)
	}
	if told := f.Box.WaitFor(eve, "plus relié", 0); !strings.Contains(told.Text, "Mme Martin vous a retiré") {
		t.Errorf("removed parent told %s", told.Text)
	}
	// Nobody removes a stranger to their family, nor themselves.
	for _, who := range []string{anne, accountstest.Email("stranger")} {
		if w := f.req(t, http.MethodDelete, "/api/v1/me/family/members", ta, map[string]string{"email": who}); w.Code != http.StatusNotFound {
			t.Errorf("remove %s: %d %s", who, w.Code, w.Body)
		}
	}

	// Anne changes her password: by default, every other session ends, the stolen one too.
	w = f.req(t, http.MethodPost, "/mon-espace/mot-de-passe", ta, url.Values{"currentPassword": {accountstest.Password},
		"password": {"Nouveau-Mot-2026"}, "passwordConfirmation": {"Nouveau-Mot-2026"}, "closeOtherSessions": {"0", "1"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("change: %d %.300s", w.Code, w.Body)
	}
	if w := f.req(t, http.MethodGet, "/api/v1/me", stolen, nil); w.Code != http.StatusUnauthorized {
		t.Errorf("stolen session after the change: %d", w.Code)
	}
}

// TestChangePasswordMayKeepOtherSessions: unticking "Fermer mes autres connexions" keeps
// them; the API's closeOtherSessions false does the same; leaving it out closes them.
func TestChangePasswordMayKeepOtherSessions(t *testing.T) {
	f := setup(t)
	email := accountstest.Email("keep")
	f.ConfirmedAccount(t, email)
	phone, laptop := f.login(t, email, accountstest.Password), f.login(t, email, accountstest.Password)
	w := f.req(t, http.MethodPost, "/mon-espace/mot-de-passe", laptop, url.Values{"currentPassword": {accountstest.Password},
		"password": {"Nouveau-Mot-2026"}, "passwordConfirmation": {"Nouveau-Mot-2026"}, "closeOtherSessions": {"0"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("change: %d %.300s", w.Code, w.Body)
	}
	laptop = sessionOf(t, w)
	if w := f.req(t, http.MethodGet, "/api/v1/me", phone, nil); w.Code != 200 {
		t.Errorf("kept session: %d", w.Code)
	}
	no := false
	w = f.req(t, http.MethodPut, "/api/v1/me/password", laptop, map[string]any{"currentPassword": "Nouveau-Mot-2026",
		"password": "Troisieme-Mot-2026", "passwordConfirmation": "Troisieme-Mot-2026", "closeOtherSessions": no})
	if w.Code != http.StatusNoContent {
		t.Fatalf("API change keeping sessions: %d %s", w.Code, w.Body)
	}
	laptop = sessionOf(t, w)
	if w := f.req(t, http.MethodGet, "/api/v1/me", phone, nil); w.Code != 200 {
		t.Errorf("session kept twice: %d", w.Code)
	}
	w = f.req(t, http.MethodPut, "/api/v1/me/password", laptop, map[string]any{"currentPassword": "Troisieme-Mot-2026",
		"password": "Quatrieme-Mot-2026", "passwordConfirmation": "Quatrieme-Mot-2026"})
	if w.Code != http.StatusNoContent {
		t.Fatalf("API change: %d %s", w.Code, w.Body)
	}
	if w := f.req(t, http.MethodGet, "/api/v1/me", phone, nil); w.Code != http.StatusUnauthorized {
		t.Errorf("other session after a default change: %d", w.Code)
	}
}

// TestAccountInputsCheckedBeforeStorage: inputs DynamoDB would refuse (a 3,000-character
// e-mail as a key) are refused as bad input, never reach storage, and give a 400, not a 500.
func TestAccountInputsCheckedBeforeStorage(t *testing.T) {
	f := setup(t)
	long := strings.Repeat("a", 3000) + "@example.org"
	for _, c := range []struct {
		name, method, target string
		body                 any
	}{
		{"login API", http.MethodPost, "/api/v1/login", map[string]string{"email": long, "password": "x"}},
		{"login form", http.MethodPost, "/connexion", url.Values{"email": {long}, "password": {"x"}}},
		{"login with a huge proof", http.MethodPost, "/api/v1/login", map[string]string{"email": "a@example.org", "password": "x",
			"antiRobotChallenge": strings.Repeat("x", 5000), "antiRobotSolution": "1"}},
		{"reset API", http.MethodPost, "/api/v1/password-reset", map[string]string{"email": long}},
		{"reset form", http.MethodPost, "/mot-de-passe-oublie", url.Values{"email": {long}}},
		{"reset confirm", http.MethodPost, "/api/v1/password-reset/confirm", map[string]string{"token": strings.Repeat("t", 3000),
			"password": "Nouveau-Mot-2026", "passwordConfirmation": "Nouveau-Mot-2026"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := f.req(t, c.method, c.target, "", c.body, accountstest.NewAddr())
			if w.Code >= 500 || (w.Code != http.StatusBadRequest && w.Code != http.StatusNotFound) {
				t.Errorf("%d %.300s", w.Code, w.Body)
			}
		})
	}
	email := accountstest.Email("inputs")
	f.ConfirmedAccount(t, email)
	tok := f.login(t, email, accountstest.Password)
	for _, c := range []struct {
		name, method, target string
		body                 any
	}{
		{"empty profile change", http.MethodPatch, "/api/v1/me", map[string]any{}},
		{"huge name", http.MethodPatch, "/api/v1/me", map[string]any{"lastName": strings.Repeat("a", 5000)}},
		{"huge code", http.MethodPut, "/api/v1/me/family", map[string]any{"subscriberCode": strings.Repeat("A", 5000)}},
		{"huge member", http.MethodDelete, "/api/v1/me/family/members", map[string]any{"email": long}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := f.req(t, c.method, c.target, tok, c.body)
			if w.Code != http.StatusBadRequest && w.Code != http.StatusNotFound {
				t.Errorf("%d %.300s", w.Code, w.Body)
			}
			if !strings.HasPrefix(w.Header().Get("Content-Type"), "application/problem+json") {
				t.Errorf("content type %q", w.Header().Get("Content-Type"))
			}
		})
	}
}

// TestLinkRequestsLimitedPerAddress: "forgot my password" requests are limited per client
// address (many addresses probed from one connection), whatever the e-mail asked for.
func TestLinkRequestsLimitedPerAddress(t *testing.T) {
	f := setup(t)
	addr := accountstest.NewAddr()
	for i := range accounts.MaxLinkRequestsPerAddress {
		if w := f.req(t, http.MethodPost, "/api/v1/password-reset", "", map[string]string{"email": accountstest.Email("probe")}, addr); w.Code != http.StatusAccepted {
			t.Fatalf("request %d: %d %s", i, w.Code, w.Body)
		}
	}
	w := f.req(t, http.MethodPost, "/api/v1/password-reset", "", map[string]string{"email": accountstest.Email("probe")}, addr)
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Errorf("21st request: %d %s", w.Code, w.Body)
	}
	if w := f.req(t, http.MethodPost, "/mot-de-passe-oublie", "", url.Values{"email": {accountstest.Email("probe")}}, addr); w.Code != http.StatusTooManyRequests ||
		!strings.Contains(w.Body.String(), "Trop de demandes") {
		t.Errorf("form past the limit: %d %.300s", w.Code, w.Body)
	}
}

func decode(t *testing.T, w *httptest.ResponseRecorder, v any) {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatal(err)
	}
}
