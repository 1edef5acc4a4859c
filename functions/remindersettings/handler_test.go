package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/reminders"
	"github.com/preau/preau/shared/reminders/reminderstest"
	"github.com/preau/preau/shared/secret"
	"github.com/preau/preau/shared/web"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

// sessions are the fixture's signed-in parents, by session cookie.
type sessions map[string]*web.Viewer

func (s sessions) ResolveSession(_ context.Context, token string) (*web.Viewer, error) {
	return s[token], nil
}

type fixture struct {
	st *reminderstest.Store
	h  http.Handler
}

func setup(t testing.TB) fixture {
	t.Helper()
	st := reminderstest.New()
	for _, e := range []string{"lea@example.fr", "hugo@example.fr"} {
		st.PutAccount(reminderstest.Account{Email: e, Greeting: "Mme Martin", FamilyID: "f_martin", Confirmed: true})
	}
	h, err := New(Deps{Commune: "Laigneville", Prefs: st, Secret: secret.Fixed(testKey), Cookies: web.Cookies{Insecure: true},
		Sessions: sessions{"parent-a": {Email: "lea@example.fr", FamilyID: "f_martin"}}})
	if err != nil {
		t.Fatal(err)
	}
	return fixture{st: st, h: h}
}

func (f fixture) do(t *testing.T, who, method, target, contentType, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if who != "" {
		r.AddCookie(&http.Cookie{Name: "preau_session", Value: who})
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}

func (f fixture) prefs(t *testing.T, email string) reminders.Preferences {
	t.Helper()
	p, err := f.st.ReminderParent(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return p.Preferences
}

func TestAPIReadsAndWritesPreferences(t *testing.T) {
	f := setup(t)
	w := f.do(t, "parent-a", "GET", "/api/v1/me/reminders", "", "")
	if w.Code != 200 || strings.TrimSpace(w.Body.String()) != `{"enabled":true,"activities":["cantine"],"weekdays":[1,2,3,4,5],"weeklySummary":false}` {
		t.Fatalf("defaults: %d %s", w.Code, w.Body)
	}
	w = f.do(t, "parent-a", "PUT", "/api/v1/me/reminders", "application/json",
		`{"enabled":true,"activities":["mercredi","cantine"],"weekdays":[4,1,2],"weeklySummary":true}`)
	if w.Code != 200 || strings.TrimSpace(w.Body.String()) != `{"enabled":true,"activities":["cantine","mercredi"],"weekdays":[1,2,4],"weeklySummary":true}` {
		t.Fatalf("put: %d %s", w.Code, w.Body)
	}
	p := f.prefs(t, "lea@example.fr")
	if !slices.Equal(p.Weekdays, []time.Weekday{time.Monday, time.Tuesday, time.Thursday}) || !p.WeeklySummary {
		t.Errorf("stored %+v", p)
	}
	for _, bad := range []string{
		`{"enabled":true,"activities":["piscine"],"weekdays":[1],"weeklySummary":false}`,
		`{"enabled":true,"activities":[],"weekdays":[6],"weeklySummary":false}`,
		`{"activities":[],"weekdays":[]}`,
		`{"enabled":true,"activities":[],"weekdays":[],"weeklySummary":false,"extra":1}`,
	} {
		w := f.do(t, "parent-a", "PUT", "/api/v1/me/reminders", "application/json", bad)
		if w.Code != 400 || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s: %d %s", bad, w.Code, w.Body)
		}
	}
	if w := f.do(t, "", "GET", "/api/v1/me/reminders", "", ""); w.Code != 401 {
		t.Errorf("anonymous: %d", w.Code)
	}
}

func TestPageSavesChoices(t *testing.T) {
	f := setup(t)
	w := f.do(t, "parent-a", "GET", "/mon-espace/rappels", "", "")
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, `id="activite-cantine" name="activite" value="cantine" checked`) ||
		!strings.Contains(body, `id="jour-5" name="jour" value="5" checked`) || strings.Contains(body, `name="resume" value="oui" checked`) {
		t.Fatalf("page %d:\n%s", w.Code, body)
	}
	// Hugo never eats at the canteen on Friday.
	form := url.Values{"rappels": {"oui"}, "activite": {"cantine"}, "jour": {"1", "2", "4"}, "resume": {"oui"}}
	w = f.do(t, "parent-a", "POST", "/mon-espace/rappels", "application/x-www-form-urlencoded", form.Encode())
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/mon-espace/rappels" {
		t.Fatalf("post: %d %s", w.Code, w.Header().Get("Location"))
	}
	p := f.prefs(t, "lea@example.fr")
	if !p.Enabled || !p.WeeklySummary || !slices.Equal(p.Weekdays, []time.Weekday{time.Monday, time.Tuesday, time.Thursday}) ||
		!slices.Equal(p.Activities, []calendar.Activity{calendar.Canteen}) {
		t.Errorf("stored %+v", p)
	}
	// Everything unticked: reminders off.
	w = f.do(t, "parent-a", "POST", "/mon-espace/rappels", "application/x-www-form-urlencoded", "")
	if w.Code != http.StatusSeeOther || f.prefs(t, "lea@example.fr").Enabled {
		t.Errorf("off: %d %+v", w.Code, f.prefs(t, "lea@example.fr"))
	}
	w = f.do(t, "parent-a", "POST", "/mon-espace/rappels", "application/x-www-form-urlencoded", "jour=7")
	if w.Code != 400 || !strings.Contains(w.Body.String(), "Choisissez des jours du lundi au vendredi.") {
		t.Errorf("bad day: %d\n%s", w.Code, w.Body)
	}
	if w := f.do(t, "", "GET", "/mon-espace/rappels", "", ""); w.Code != http.StatusSeeOther {
		t.Errorf("anonymous page: %d", w.Code)
	}
}

func TestOneClickUnsubscribe(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	if err := f.st.SetReminderPreferences(ctx, "hugo@example.fr", reminders.Preferences{Enabled: true,
		Activities: []calendar.Activity{calendar.Canteen}, Weekdays: reminders.Weekdays(), WeeklySummary: true}); err != nil {
		t.Fatal(err)
	}
	tok := reminders.UnsubscribeToken(testKey, "lea@example.fr")
	link := "/rappels/desinscription/" + tok

	// Opening the link (or a scanner fetching it) changes nothing.
	w := f.do(t, "", "GET", link, "", "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `action="`+link+`"`) || !f.prefs(t, "lea@example.fr").Enabled {
		t.Fatalf("GET: %d\n%s", w.Code, w.Body)
	}
	// The mail client's one click (RFC 8058), without any session.
	w = f.do(t, "", "POST", link, "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "vous ne recevrez plus les rappels") {
		t.Fatalf("POST: %d\n%s", w.Code, w.Body)
	}
	if p := f.prefs(t, "lea@example.fr"); p.Enabled || p.WeeklySummary {
		t.Errorf("still subscribed: %+v", p)
	}
	if p := f.prefs(t, "hugo@example.fr"); !p.Enabled || !p.WeeklySummary {
		t.Errorf("another parent was unsubscribed: %+v", p)
	}
	// Twice is harmless.
	if w := f.do(t, "", "POST", link, "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click"); w.Code != 200 {
		t.Errorf("again: %d", w.Code)
	}

	// Forged links: another parent's address under this signature, another key, garbage.
	addr := func(tok string) string { a, _, _ := strings.Cut(tok, "."); return a }
	sig := func(tok string) string { _, s, _ := strings.Cut(tok, "."); return s }
	hugo := reminders.UnsubscribeToken(testKey, "hugo@example.fr")
	for name, bad := range map[string]string{
		"another parent's address": addr(hugo) + "." + sig(tok),
		"another key":              reminders.UnsubscribeToken([]byte("not the commune's key, not at all!"), "hugo@example.fr"),
		"garbage":                  "bonjour",
	} {
		for _, m := range []string{"GET", "POST"} {
			w := f.do(t, "", m, "/rappels/desinscription/"+bad, "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click")
			if w.Code != 404 {
				t.Errorf("%s %s: %d", m, name, w.Code)
			}
		}
	}
	if p := f.prefs(t, "hugo@example.fr"); !p.Enabled || !p.WeeklySummary {
		t.Errorf("a forged link unsubscribed the other parent: %+v", p)
	}
	// A link of an account deleted since: nothing left to stop, still a clear answer.
	gone := reminders.UnsubscribeToken(testKey, "gone@example.fr")
	if w := f.do(t, "", "POST", "/rappels/desinscription/"+gone, "", ""); w.Code != 200 {
		t.Errorf("deleted account: %d", w.Code)
	}
}

// Pages are parsed when first shown: every one of them must parse.
func TestPagesParse(t *testing.T) {
	if err := web.CheckPages(escaped); err != nil {
		t.Fatal(err)
	}
}

// TestUnsubscribeWithoutKey: while the key cannot be had (its read failed), an unsubscribe
// link is neither accepted nor refused as forged: the click gets a 503 and changes nothing.
func TestUnsubscribeWithoutKey(t *testing.T) {
	f := setup(t)
	h, err := New(Deps{Commune: "Laigneville", Prefs: f.st, Cookies: web.Cookies{Insecure: true}, Sessions: sessions{},
		Secret: secret.Load(func() ([]byte, error) { return nil, errors.New("ssm: GetParameter: ParameterNotFound") })})
	if err != nil {
		t.Fatal(err)
	}
	f.h = h
	link := "/rappels/desinscription/" + reminders.UnsubscribeToken(testKey, "lea@example.fr")
	for _, method := range []string{"GET", "POST"} {
		if w := f.do(t, "", method, link, "application/x-www-form-urlencoded", ""); w.Code != http.StatusServiceUnavailable ||
			strings.Contains(w.Body.String(), "ParameterNotFound") {
			t.Fatalf("%s: %d %.300s", method, w.Code, w.Body)
		}
	}
	if !f.prefs(t, "lea@example.fr").Enabled {
		t.Fatal("reminders turned off without a key")
	}
}
