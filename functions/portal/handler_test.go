package main

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/config"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/reservations/reservationstest"
	"github.com/preau/preau/shared/retention"
	"github.com/preau/preau/shared/web"
)

// fakeClosures is the commune's closure list, or the store's failure to read it.
type fakeClosures struct {
	list []calendar.Closure
	err  error
}

// repo is the in-memory store with reads that can fail and that count the settings reads.
type repo struct {
	*reservationstest.Memory
	err   error
	reads *int
}

func (r repo) Closures(ctx context.Context) ([]calendar.Closure, error) {
	if r.err != nil {
		return nil, r.err
	}
	return r.Memory.Closures(ctx)
}

func (r repo) Activities(ctx context.Context) ([]family.Activity, error) {
	if r.reads != nil {
		*r.reads++
	}
	return r.Memory.Activities(ctx)
}

// newRepo holds the closures and settings given (the failure of fc too).
func newRepo(t *testing.T, fc fakeClosures, settings ...family.Activity) repo {
	t.Helper()
	m := reservationstest.NewMemory()
	for _, c := range fc.list {
		if err := m.PutClosure(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range settings {
		if err := m.PutActivity(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	return repo{Memory: m, err: fc.err}
}

// fakeSessions knows one session token.
type fakeSessions struct{ token string }

func (f fakeSessions) ResolveSession(_ context.Context, token string) (*web.Viewer, error) {
	if token == f.token {
		return &web.Viewer{Email: "camille.martin@example.fr", Civility: "Mme", FirstName: "Camille", LastName: "Martin", FamilyID: "f1"}, nil
	}
	return nil, nil
}

const sessionToken = "tok-123"

// newTestHandler serves the portal at now with the given closures, under the commune's rule.
func newTestHandler(t *testing.T, now time.Time, closures fakeClosures) http.Handler {
	t.Helper()
	// The canteen at one school keeps the commune's rule (no override), and an activity set
	// without any cutoff is the commune's too.
	r := newRepo(t, closures, family.Activity{Activity: calendar.Canteen, Site: "jules-ferry", Capacity: 120})
	return newHandler(t, reservations.New(r, clock.NewFixed(now), calendar.Default(), cutoff.DefaultPolicy(), reservations.Options{}))
}

func newHandler(t *testing.T, s Schedule) http.Handler {
	t.Helper()
	h, err := New(testDeps(Deps{
		Commune:  "Laigneville",
		MailFrom: "portail-famille@laigneville.fr",
		Schedule: s,
		Sessions: fakeSessions{token: sessionToken},
		Cookies:  web.Cookies{Insecure: true},
	}))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// paris parses an RFC 3339 instant.
func paris(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func get(t *testing.T, h http.Handler, target string, cookies ...*http.Cookie) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// text strips tags and decodes entities, and collapses white space, so tests read what a parent reads.
func text(page string) string {
	page = regexp.MustCompile(`(?s)<[^>]*>`).ReplaceAllString(page, " ")
	return strings.Join(strings.Fields(html.UnescapeString(page)), " ")
}

var december1 = "2026-12-01T12:00:00+01:00"

func TestPages(t *testing.T) {
	h := newTestHandler(t, paris(t, december1), fakeClosures{})
	tests := []struct {
		path  string
		title string
		want  []string
	}{
		{"/", "Accueil", []string{"Connectez-vous au Portail", "Email (identifiant)", "Mot de passe", "Se connecter",
			"Créer un compte", "Mot de passe oublié ?",
			"Toute demande de réservation ou d'annulation doit intervenir 2 jours ouvrés avant le jour concerné, avant 10h00.",
			"Nous vous recommandons d'effectuer vos réservations sur une longue durée"}},
		{"/informations-utiles", "Informations utiles", []string{
			"mardi 1er décembre : délai dépassé",
			"lundi 7 décembre : réserver ou annuler avant le jeudi 3 décembre à 10h00",
			"mardi 8 décembre : réserver ou annuler avant le vendredi 4 décembre à 10h00",
			"mercredi 9 décembre : réserver ou annuler avant le lundi 7 décembre à 10h00",
			"Ouvert : Accueil de loisirs du mercredi",
			"vendredi 25 décembre : aucun accueil, jour férié (Noël)",
			"Ouvert : Accueil de loisirs des vacances – vacances scolaires (Vacances de Noël)",
			"Vacances de Noël : du samedi 19 décembre 2026 au dimanche 3 janvier 2027",
			"Année scolaire 2026-2027",
			"Jour de l'an",
			"2 jours ouvrés avant le jour concerné, avant 10h00"}},
		{"/conditions-utilisation", "Conditions d'utilisation", []string{"Responsable du traitement", "mairie de Laigneville",
			"RGPD", "cookie de session", "portail-famille@laigneville.fr", "CNIL"}},
		{"/nous-contacter", "Nous contacter", []string{"mairie de Laigneville", "portail-famille@laigneville.fr"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res, body := get(t, h, tt.path)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d, body %s", res.StatusCode, body)
			}
			if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if !strings.Contains(body, `<html lang="fr">`) {
				t.Error("page is not declared French")
			}
			if !strings.Contains(body, "<title>"+html.EscapeString(tt.title)+" – Portail famille de Laigneville</title>") &&
				!strings.Contains(body, "<title>"+strings.ReplaceAll(tt.title, "'", "&#39;")+" – Portail famille de Laigneville</title>") {
				t.Errorf("title %q not found", tt.title)
			}
			got := text(body)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			checkSecurityHeaders(t, res)
		})
	}
}

func checkSecurityHeaders(t *testing.T, res *http.Response) {
	t.Helper()
	csp := res.Header.Get("Content-Security-Policy")
	if csp == "" || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") ||
		!strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	if v := res.Header.Get("X-Content-Type-Options"); v != "nosniff" {
		t.Errorf("X-Content-Type-Options %q", v)
	}
	if v := res.Header.Get("X-Frame-Options"); v != "DENY" {
		t.Errorf("X-Frame-Options %q", v)
	}
}

func TestHomeLoginForm(t *testing.T) {
	h := newTestHandler(t, paris(t, december1), fakeClosures{})
	t.Run("posts to /connexion with email and password", func(t *testing.T) {
		_, body := get(t, h, "/")
		for _, w := range []string{`action="/connexion"`, `method="post"`, `name="email"`, `type="email"`,
			`autocomplete="username"`, `name="password"`, `type="password"`, `autocomplete="current-password"`,
			`<label for="email">`, `<label for="password">`, `href="/creer-un-compte"`, `href="/mot-de-passe-oublie"`} {
			if !strings.Contains(body, w) {
				t.Errorf("form lacks %s", w)
			}
		}
		if strings.Contains(body, `name="suivant"`) {
			t.Error("no suivant asked, none expected")
		}
	})
	tests := []struct {
		name, query, want string
	}{
		{"local path kept", "/?suivant=%2Fespace-famille%2Fplanning%3Fmois%3D2026-12", `name="suivant" value="/espace-famille/planning?mois=2026-12"`},
		{"other site dropped", "/?suivant=https%3A%2F%2Fevil.example%2F", ""},
		{"protocol-relative dropped", "/?suivant=%2F%2Fevil.example", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, body := get(t, h, tt.query)
			if tt.want == "" {
				if strings.Contains(body, `name="suivant"`) {
					t.Error("unsafe suivant kept")
				}
				return
			}
			if !strings.Contains(body, tt.want) {
				t.Errorf("want %s", tt.want)
			}
		})
	}
	t.Run("signed-in parent gets shortcuts", func(t *testing.T) {
		res, body := get(t, h, "/", &http.Cookie{Name: "preau_session", Value: sessionToken})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		got := text(body)
		for _, w := range []string{"Bonjour Camille", "Planning des activités", "Mon espace citoyen", "Se déconnecter", "2 jours ouvrés avant le jour concerné, avant 10h00"} {
			if !strings.Contains(got, w) {
				t.Errorf("page lacks %q", w)
			}
		}
		if strings.Contains(body, `action="/connexion"`) {
			t.Error("signed-in parent still sees the login form")
		}
	})
	t.Run("unknown session is anonymous", func(t *testing.T) {
		_, body := get(t, h, "/", &http.Cookie{Name: "preau_session", Value: "stale"})
		if !strings.Contains(body, `action="/connexion"`) {
			t.Error("login form missing")
		}
	})
}

// TestHomeFollowsTheCommunePolicy: the home page and the API state the commune's own policy, in
// the one phrasing of shared/fr.
func TestHomeFollowsTheCommunePolicy(t *testing.T) {
	svc := reservations.New(newRepo(t, fakeClosures{}), clock.NewFixed(paris(t, december1)), calendar.Default(),
		cutoff.Policy{WorkingDaysBefore: 3, Hour: 9}, reservations.Options{})
	h := newHandler(t, svc)
	want := "Toute demande de réservation ou d'annulation doit intervenir 3 jours ouvrés avant le jour concerné, avant 9h00."
	if _, body := get(t, h, "/"); !strings.Contains(text(body), want) {
		t.Error("home page does not show the commune's policy")
	}
	if out := fetchDeadlines(t, h, "2026-12-07", "2026-12-07"); out.Policy.Rule != want || out.Policy.WorkingDaysBefore != 3 || out.Policy.Hour != 9 {
		t.Errorf("API policy %+v", out.Policy)
	}
}

// deadlinesJSON mirrors the API's answer.
type deadlinesJSON struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Policy struct {
		WorkingDaysBefore int    `json:"workingDaysBefore"`
		Hour              int    `json:"hour"`
		Rule              string `json:"rule"`
	} `json:"policy"`
	Days []struct {
		Date       string `json:"date"`
		Activities []struct {
			Activity    string  `json:"activity"`
			Open        bool    `json:"open"`
			Deadline    *string `json:"deadline"`
			Reason      string  `json:"reason"`
			Explanation string  `json:"explanation"`
		} `json:"activities"`
	} `json:"days"`
}

func fetchDeadlines(t *testing.T, h http.Handler, from, to string) deadlinesJSON {
	t.Helper()
	res, body := get(t, h, "/api/v1/deadlines?from="+from+"&to="+to)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	var out deadlinesJSON
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// activityOn returns what the API says of activity a on day d.
func activityOn(t *testing.T, out deadlinesJSON, d, a string) (open bool, deadline, reason, explanation string) {
	t.Helper()
	for _, day := range out.Days {
		if day.Date != d {
			continue
		}
		for _, x := range day.Activities {
			if x.Activity == a {
				if x.Deadline != nil {
					deadline = *x.Deadline
				}
				return x.Open, deadline, x.Reason, x.Explanation
			}
		}
	}
	t.Fatalf("no %s on %s", a, d)
	return
}

func TestDeadlinesAPI(t *testing.T) {
	closures := fakeClosures{list: []calendar.Closure{
		{Day: date.MustParse("2027-01-14"), Label: "Journée pédagogique"},                                                               // whole commune, a Thursday
		{Day: date.MustParse("2027-01-13"), Label: "Formation des animateurs", Activities: []calendar.Activity{"mercredi"}},             // one activity
		{Day: date.MustParse("2027-01-12"), Label: "Grève", Activities: []calendar.Activity{"cantine"}, Sites: []string{"jules-ferry"}}, // one school
	}}
	h := newTestHandler(t, paris(t, december1), closures)

	tests := []struct {
		name, day, activity string
		open                bool
		deadline, reason    string
		explanation         string
	}{
		// DESIGN.md's examples.
		{"Monday meal", "2026-12-07", "cantine", true, "2026-12-03T10:00:00+01:00", "", ""},
		{"Tuesday meal", "2026-12-08", "cantine", true, "2026-12-04T10:00:00+01:00", "", ""},
		{"Monday after Ascension, summer time", "2027-05-10", "cantine", true, "2027-05-05T10:00:00+02:00", "", ""},
		// Holidays and DST.
		{"Christmas", "2026-12-25", "vacances", false, "", "public-holiday", "jour férié (Noël)"},
		{"canteen shut in school holidays", "2026-12-21", "cantine", false, "", "school-holiday", "vacances scolaires (Vacances de Noël)"},
		{"holiday centre open in school holidays", "2026-12-21", "vacances", true, "2026-12-17T10:00:00+01:00", "", ""},
		{"Wednesday centre", "2026-12-09", "mercredi", true, "2026-12-07T10:00:00+01:00", "", ""},
		{"no canteen on Wednesdays", "2026-12-09", "cantine", false, "", "wednesday", "pas d'école le mercredi"},
		{"weekend", "2026-12-12", "cantine", false, "", "weekend", "week-end"},
		{"after New Year's Day", "2027-01-04", "cantine", true, "2026-12-30T10:00:00+01:00", "", ""},
		{"holiday centre on Monday after DST ends (deadline in summer time)", "2026-10-26", "vacances", true, "2026-10-22T10:00:00+02:00", "", ""},
		{"holiday centre on Wednesday after DST ends (deadline in winter time)", "2026-10-28", "vacances", true, "2026-10-26T10:00:00+01:00", "", ""},
		{"Easter Monday, the day after DST starts", "2027-03-29", "cantine", false, "", "public-holiday", "jour férié (Lundi de Pâques)"},
		{"Tuesday after Easter Monday and DST (deadline in winter time)", "2027-03-30", "cantine", true, "2027-03-25T10:00:00+01:00", "", ""},
		{"Wednesday after Easter Monday", "2027-03-31", "mercredi", true, "2027-03-26T10:00:00+01:00", "", ""},
		{"Thursday after DST starts (deadline in summer time)", "2027-04-01", "cantine", true, "2027-03-30T10:00:00+02:00", "", ""},
		{"Tuesday after Easter Monday 2026", "2026-04-07", "cantine", true, "2026-04-02T10:00:00+02:00", "", ""},
		{"Whit Monday", "2027-05-17", "cantine", false, "", "public-holiday", "jour férié (Lundi de Pentecôte)"},
		{"Tuesday after Whit Monday", "2027-05-18", "cantine", true, "2027-05-13T10:00:00+02:00", "", ""},
		// Commune closures from the store.
		{"whole-commune closure", "2027-01-14", "cantine", false, "", "closure", "fermeture exceptionnelle (Journée pédagogique)"},
		{"closure day is no working day", "2027-01-18", "cantine", true, "2027-01-13T10:00:00+01:00", "", ""},
		{"one-activity closure", "2027-01-13", "mercredi", false, "", "closure", "fermeture exceptionnelle (Formation des animateurs)"},
		// Its deadline counts back over 14 January (closed) to 13 and 12 January, working days
		// although one activity (13) and one school (12) are closed.
		{"one-activity closure leaves a working day", "2027-01-15", "cantine", true, "2027-01-12T10:00:00+01:00", "", ""},
		{"one-school closure leaves the commune's day open", "2027-01-12", "cantine", true, "2027-01-08T10:00:00+01:00", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := fetchDeadlines(t, h, tt.day, tt.day)
			if len(out.Days) != 1 || out.Days[0].Date != tt.day || len(out.Days[0].Activities) != 5 {
				t.Fatalf("want one day %s with 5 activities, got %+v", tt.day, out.Days)
			}
			open, deadline, reason, explanation := activityOn(t, out, tt.day, tt.activity)
			if open != tt.open || deadline != tt.deadline || reason != tt.reason || explanation != tt.explanation {
				t.Errorf("got open=%v deadline=%q reason=%q explanation=%q\nwant open=%v deadline=%q reason=%q explanation=%q",
					open, deadline, reason, explanation, tt.open, tt.deadline, tt.reason, tt.explanation)
			}
		})
	}

	t.Run("a range has every day in order with the policy", func(t *testing.T) {
		out := fetchDeadlines(t, h, "2026-12-07", "2026-12-13")
		if out.From != "2026-12-07" || out.To != "2026-12-13" || out.Policy.WorkingDaysBefore != 2 || out.Policy.Hour != 10 ||
			!strings.Contains(out.Policy.Rule, "2 jours ouvrés avant le jour concerné, avant 10h00") {
			t.Errorf("header %+v", out)
		}
		if len(out.Days) != 7 {
			t.Fatalf("%d days", len(out.Days))
		}
		for i, d := range out.Days {
			if want := date.MustParse("2026-12-07").AddDays(i).String(); d.Date != want {
				t.Errorf("day %d is %s, want %s", i, d.Date, want)
			}
		}
	})
	t.Run("366 days are allowed", func(t *testing.T) {
		out := fetchDeadlines(t, h, "2026-09-01", "2027-09-01")
		if len(out.Days) != 366 {
			t.Errorf("%d days", len(out.Days))
		}
	})
	t.Run("uncovered school year is closed, never guessed", func(t *testing.T) {
		out := fetchDeadlines(t, h, "2030-01-07", "2030-01-07")
		open, _, reason, _ := activityOn(t, out, "2030-01-07", "cantine")
		if open || reason != "calendar-unknown" {
			t.Errorf("open=%v reason=%q", open, reason)
		}
	})
	t.Run("the raw JSON has the contract's shape", func(t *testing.T) {
		_, body := get(t, h, "/api/v1/deadlines?from=2026-12-07&to=2026-12-07")
		want := `{"activity":"cantine","open":true,"deadline":"2026-12-03T10:00:00+01:00"}`
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %s:\n%s", want, body)
		}
		if !strings.Contains(body, `{"activity":"mercredi","open":false,"reason":"not-wednesday",`) {
			t.Errorf("closed activity shape: %s", body)
		}
	})
}

func TestDeadlinesRefusals(t *testing.T) {
	h := newTestHandler(t, paris(t, december1), fakeClosures{})
	tests := []struct {
		name, query, typ string
		fields           []string
	}{
		{"no parameters", "", "/problems/invalid-date", []string{"from", "to"}},
		{"missing to", "from=2026-12-07", "/problems/invalid-date", []string{"to"}},
		{"French date", "from=07/12/2026&to=2026-12-13", "/problems/invalid-date", []string{"from"}},
		{"impossible date", "from=2026-12-07&to=2026-02-30", "/problems/invalid-date", []string{"to"}},
		{"date with time", "from=2026-12-07T00:00:00Z&to=2026-12-08", "/problems/invalid-date", []string{"from"}},
		{"twice the same parameter", "from=2026-12-07&from=2026-12-08&to=2026-12-09", "/problems/invalid-date", []string{"from"}},
		{"from after to", "from=2026-12-08&to=2026-12-07", "/problems/invalid-range", nil},
		{"367 days", "from=2026-09-01&to=2027-09-02", "/problems/invalid-range", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := get(t, h, "/api/v1/deadlines?"+tt.query)
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d", res.StatusCode)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q", ct)
			}
			var p struct {
				Type, Title, Detail string
				Status              int
				Errors              []struct{ Field, Detail string }
			}
			if err := json.Unmarshal([]byte(body), &p); err != nil {
				t.Fatal(err)
			}
			if p.Type != tt.typ || p.Status != 400 || p.Title == "" || p.Detail == "" {
				t.Errorf("problem %+v", p)
			}
			var fields []string
			for _, e := range p.Errors {
				fields = append(fields, e.Field)
				if e.Detail == "" {
					t.Errorf("field %s without detail", e.Field)
				}
			}
			if strings.Join(fields, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("fields %v, want %v", fields, tt.fields)
			}
		})
	}
}

func TestStoreFailureIsAGeneric500(t *testing.T) {
	h := newTestHandler(t, paris(t, december1), fakeClosures{err: errors.New("dynamodb: connection refused to 10.0.0.1")})
	for _, path := range []string{"/api/v1/deadlines?from=2026-12-07&to=2026-12-08", "/informations-utiles"} {
		t.Run(path, func(t *testing.T) {
			res, body := get(t, h, path)
			if res.StatusCode != http.StatusInternalServerError {
				t.Errorf("status %d", res.StatusCode)
			}
			if strings.Contains(body, "10.0.0.1") || strings.Contains(body, "dynamodb") {
				t.Errorf("internal error leaked: %s", body)
			}
		})
	}
}

func TestStaticOpenAPIAndNotFound(t *testing.T) {
	h := newTestHandler(t, paris(t, december1), fakeClosures{})
	tests := []struct {
		path, contentType string
		status            int
		want              string
	}{
		{"/static/preau.css", "text/css; charset=utf-8", 200, ":root"},
		{"/static/preau.js", "text/javascript; charset=utf-8", 200, "use strict"},
		{"/static/", "text/html; charset=utf-8", 404, "Page introuvable"},
		{"/static/absent.css", "", 404, ""},
		{"/api/v1/openapi.json", "application/json; charset=utf-8", 200, `"openapi": "3.1.0"`},
		{"/page-absente", "text/html; charset=utf-8", 404, "Page introuvable"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res, body := get(t, h, tt.path)
			if res.StatusCode != tt.status {
				t.Errorf("status %d, want %d", res.StatusCode, tt.status)
			}
			if tt.contentType != "" && res.Header.Get("Content-Type") != tt.contentType {
				t.Errorf("Content-Type %q", res.Header.Get("Content-Type"))
			}
			if !strings.Contains(body, tt.want) {
				t.Errorf("body lacks %q", tt.want)
			}
			checkSecurityHeaders(t, res)
		})
	}
	t.Run("openapi.json is valid JSON documenting the deadlines", func(t *testing.T) {
		_, body := get(t, h, "/api/v1/openapi.json")
		var doc struct {
			Paths map[string]any `json:"paths"`
		}
		if err := json.Unmarshal([]byte(body), &doc); err != nil {
			t.Fatal(err)
		}
		if _, ok := doc.Paths["/api/v1/deadlines"]; !ok {
			t.Error("no /api/v1/deadlines")
		}
	})
}

// TestDeadlinesFollowActivityOverrides: an activity with its own cutoff publishes the deadline
// booking enforces; when its sites disagree, the earliest; pages and API read the settings and
// closures once per SettingsTTL.
func TestDeadlinesFollowActivityOverrides(t *testing.T) {
	zero, one, eight, twelve := 0, 1, 8, 12
	reads := 0
	r := newRepo(t, fakeClosures{},
		// The Wednesday centre: same day before 8:00 at one site, the day before at noon at another.
		family.Activity{Activity: calendar.WednesdayCentre, Site: "centre-a", CutoffDays: &zero, CutoffHour: &eight},
		family.Activity{Activity: calendar.WednesdayCentre, Site: "centre-b", CutoffDays: &one, CutoffHour: &twelve},
		// Evening care: 1 working day before, the commune's hour.
		family.Activity{Activity: calendar.EveningCare, Site: "jules-ferry", CutoffDays: &one})
	r.reads = &reads
	clk := clock.NewFixed(paris(t, december1))
	h := newHandler(t, reservations.New(r, clk, calendar.Default(), cutoff.DefaultPolicy(), reservations.Options{SettingsTTL: time.Minute}))
	out := fetchDeadlines(t, h, "2026-12-09", "2026-12-10")
	tests := []struct{ day, activity, deadline string }{
		{"2026-12-09", "mercredi", "2026-12-08T12:00:00+01:00"},           // the earlier of the two sites
		{"2026-12-10", "periscolaire-soir", "2026-12-09T10:00:00+01:00"},  // its own rule
		{"2026-12-10", "cantine", "2026-12-08T10:00:00+01:00"},            // the commune's
		{"2026-12-10", "periscolaire-matin", "2026-12-08T10:00:00+01:00"}, // no settings: the commune's
	}
	for _, tt := range tests {
		t.Run(tt.day+" "+tt.activity, func(t *testing.T) {
			if _, got, _, _ := activityOn(t, out, tt.day, tt.activity); got != tt.deadline {
				t.Fatalf("deadline %s, want %s", got, tt.deadline)
			}
		})
	}
	_, body := get(t, h, "/informations-utiles")
	page := text(body)
	for _, want := range []string{"Accueil périscolaire du soir : jusqu'au mercredi 9 décembre à 10h00"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if reads != 1 {
		t.Fatalf("%d settings reads within the TTL, want 1", reads)
	}
	clk.Add(time.Minute)
	fetchDeadlines(t, h, "2026-12-09", "2026-12-09")
	if reads != 2 {
		t.Fatalf("%d settings reads after the TTL, want 2", reads)
	}
}

// The HTTP API's $default route sends here every request no route takes: each gets the French
// 404, as problem+json or as the page depending on what it asks for, with the security headers.
func TestDefaultRouteNotFound(t *testing.T) {
	h := newTestHandler(t, paris(t, december1), fakeClosures{})
	for _, tc := range []struct {
		method, path, accept, contentType, want string
	}{
		{"GET", "/nope", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html; charset=utf-8", "Page introuvable"},
		{"GET", "/nope", "", "text/html; charset=utf-8", "Page introuvable"},
		{"PATCH", "/connexion", "application/json", "application/problem+json", `"type":"/problems/not-found"`},
		{"PATCH", "/connexion", "application/problem+json, text/html;q=0.5", "application/problem+json", `"title":"Page introuvable"`},
		{"DELETE", "/informations-utiles", "text/html", "text/html; charset=utf-8", "Page introuvable"},
		{"PUT", "/", "*/*", "text/html; charset=utf-8", "Page introuvable"},
		{"GET", "/api/v1/nope", "text/html", "application/problem+json", `"status":404`},
	} {
		t.Run(tc.method+" "+tc.path+" "+tc.accept, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.path, nil)
			if tc.accept != "" {
				r.Header.Set("Accept", tc.accept)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			res := w.Result()
			if res.StatusCode != 404 || res.Header.Get("Content-Type") != tc.contentType || !strings.Contains(w.Body.String(), tc.want) {
				t.Errorf("%d %s, want 404 %s with %q:\n%.300s", res.StatusCode, res.Header.Get("Content-Type"), tc.contentType, tc.want, w.Body)
			}
			checkSecurityHeaders(t, res)
		})
	}
}

// testDeps completes d with the demo commune's legal details and the French retention policy.
func testDeps(d Deps) Deps {
	d.Legal = config.Legal{Address: "Place de la Mairie, 60290 Laigneville", Siret: "00000000000000",
		PublicationDirector: "Le maire de Laigneville", DPOEmail: "dpo@laigneville.fr",
		Host:                "Amazon Web Services EMEA SARL, 38 avenue John F. Kennedy, L-1855 Luxembourg",
		AccessibilityStatus: "non conforme"}
	d.Retention = retention.Default()
	d.LogRetentionDays = 180
	return d
}

// The legal pages state the commune's details from its settings, and every page's footer links
// them.
func TestLegalPages(t *testing.T) {
	h := newTestHandler(t, paris(t, december1), fakeClosures{})
	pages := []struct {
		path string
		want []string
	}{
		{"/politique-de-confidentialite", []string{"Politique de confidentialité", "Responsable du traitement",
			"Place de la Mairie, 60290 Laigneville", "dpo@laigneville.fr", "Sans connexion pendant 3 ans",
			"dans les 30 jours qui suivent", "10 ans après la fin de l'année", "180 jours", "12 heures",
			"Mission d'intérêt public", "Obligation légale", "www.cnil.fr/fr/plaintes", "Télécharger mes données"}},
		{"/mentions-legales", []string{"Mentions légales", "Directeur de la publication", "Le maire de Laigneville",
			"SIRET : 00000000000000", "Amazon Web Services EMEA SARL", "Accessibilité : non conforme"}},
		{"/accessibilite", []string{"Déclaration d'accessibilité", "non conforme", "RGAA", "Aucun audit",
			"axe-core", "Pages vérifiées", "portail-famille@laigneville.fr", "Défenseur des droits"}},
	}
	for _, pg := range pages {
		t.Run(pg.path, func(t *testing.T) {
			res, body := get(t, h, pg.path)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d", res.StatusCode)
			}
			txt := text(body)
			for _, w := range pg.want {
				if !strings.Contains(txt, w) {
					t.Errorf("missing %q", w)
				}
			}
		})
	}
	for _, path := range []string{"/", "/informations-utiles", "/nous-contacter", "/page-absente"} {
		_, body := get(t, h, path)
		for _, link := range []string{`href="/politique-de-confidentialite"`, `href="/mentions-legales"`, `href="/accessibilite"`} {
			if !strings.Contains(body, link) {
				t.Errorf("%s: the footer lacks %s", path, link)
			}
		}
	}
	if _, body := get(t, h, "/"); !strings.Contains(text(body), "Accessibilité : non conforme") {
		t.Error("the home page does not state the accessibility status")
	}
}

func TestNewRefusesMissingLegalDetails(t *testing.T) {
	d := testDeps(Deps{Commune: "Laigneville", Schedule: reservations.New(newRepo(t, fakeClosures{}), clock.NewFixed(time.Now()),
		calendar.Default(), cutoff.DefaultPolicy(), reservations.Options{})})
	d.Legal.DPOEmail = ""
	if _, err := New(d); err == nil {
		t.Error("New accepted a portal without its DPO contact")
	}
}

// Pages are parsed when first shown: every one of them must parse.
func TestPagesParse(t *testing.T) {
	if err := web.CheckPages(escaped); err != nil {
		t.Fatal(err)
	}
}

// TestUsefulInformationNamesTheSitesOfAClosure: a closure of some schools says which.
func TestUsefulInformationNamesTheSitesOfAClosure(t *testing.T) {
	closures := fakeClosures{list: []calendar.Closure{
		{Day: date.MustParse("2026-12-08"), Label: "Grève", Activities: []calendar.Activity{"cantine"}, Sites: []string{"jules-ferry"}},
		{Day: date.MustParse("2026-12-10"), Label: "Journée pédagogique"},
	}}
	h := newTestHandler(t, paris(t, december1), closures)
	_, body := get(t, h, "/informations-utiles")
	for _, want := range []string{"mardi 8 décembre 2026 : Grève (Restauration scolaire), jules-ferry seulement",
		"jeudi 10 décembre 2026 : Journée pédagogique (toutes les activités)"} {
		if !strings.Contains(text(body), want) {
			t.Errorf("page lacks %q:\n%s", want, text(body))
		}
	}
}
