package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/tmpl"
	"github.com/preau/preau/shared/tmpl/tmplgen"
	"sync"
)

func TestSafeNext(t *testing.T) {
	cases := []struct{ next, want string }{
		{"/espace-famille/planning?mois=2026-12", "/espace-famille/planning?mois=2026-12"},
		{"/", "/"},
		{"", "/mon-espace"},
		{"//evil.example/x", "/mon-espace"},
		{"/\\evil.example", "/mon-espace"},
		{"https://evil.example/", "/mon-espace"},
		{"javascript:alert(1)", "/mon-espace"},
		{"mon-espace", "/mon-espace"},
		{"%2F%2Fevil.example", "/mon-espace"},
	}
	for _, c := range cases {
		t.Run(c.next, func(t *testing.T) {
			if got := SafeNext(c.next, "/mon-espace"); got != c.want {
				t.Errorf("SafeNext(%q) = %q, want %q", c.next, got, c.want)
			}
		})
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for _, insecure := range []bool{false, true} {
		w := httptest.NewRecorder()
		Cookies{Insecure: insecure}.SetSession(w, "tok", now.Add(12*time.Hour), now)
		res := w.Result()
		cs := res.Cookies()
		if len(cs) != 1 {
			t.Fatalf("insecure=%v: %d cookies", insecure, len(cs))
		}
		c := cs[0]
		wantName := "__Host-preau_session"
		if insecure {
			wantName = "preau_session"
		}
		if c.Name != wantName || c.Value != "tok" || c.Path != "/" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
			t.Errorf("insecure=%v: cookie %+v", insecure, c)
		}
		if c.Secure == insecure {
			t.Errorf("insecure=%v: Secure=%v", insecure, c.Secure)
		}
		if c.MaxAge != 12*3600 {
			t.Errorf("insecure=%v: MaxAge=%d, want %d", insecure, c.MaxAge, 12*3600)
		}
		if c.Domain != "" {
			t.Errorf("__Host- cookies must not have a Domain, got %q", c.Domain)
		}
	}
}

func TestFlashRoundTrip(t *testing.T) {
	c := Cookies{}
	w := httptest.NewRecorder()
	c.SetFlash(w, "Réservation enregistrée pour le lundi 7 décembre.")
	r := httptest.NewRequest("GET", "/", nil)
	for _, ck := range w.Result().Cookies() {
		r.AddCookie(ck)
	}
	w2 := httptest.NewRecorder()
	if got := c.TakeFlash(w2, r); got != "Réservation enregistrée pour le lundi 7 décembre." {
		t.Fatalf("flash = %q", got)
	}
	cleared := w2.Result().Cookies()
	if len(cleared) != 1 || cleared[0].MaxAge >= 0 {
		t.Fatalf("flash not cleared: %+v", cleared)
	}
}

func TestProblemMapping(t *testing.T) {
	cases := []struct {
		kind   fault.Kind
		status int
	}{
		{fault.Invalid, 400}, {fault.Unauthenticated, 401}, {fault.Forbidden, 403}, {fault.NotFound, 404},
		{fault.Conflict, 409}, {fault.Gone, 410}, {fault.TooManyRequests, 429}, {fault.Unavailable, 503},
	}
	for _, c := range cases {
		p := ProblemFor(fmt.Errorf("wrapped: %w", fault.New(c.kind, "some-type", "Titre", "Détail")))
		if p.Status != c.status || p.Type != ProblemBase+"some-type" || p.Detail != "Détail" {
			t.Errorf("kind %d: %+v", c.kind, p)
		}
	}
}

func TestInternalErrorsAreMasked(t *testing.T) {
	var logs bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&logs, nil)))
	defer slog.SetDefault(old)

	w := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/api/v1/deadlines", nil)
	Error(w, r, errors.New("dynamodb: table preau-data secret detail"))
	if w.Code != 500 || w.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("status %d, type %q", w.Code, w.Header().Get("Content-Type"))
	}
	if strings.Contains(w.Body.String(), "secret detail") {
		t.Fatalf("internal text leaked: %s", w.Body.String())
	}
	var p map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || p["type"] != ProblemBase+"internal" {
		t.Fatalf("problem %s (%v)", w.Body.String(), err)
	}
	if !strings.Contains(logs.String(), "secret detail") {
		t.Fatalf("the log must keep the cause for operators: %s", logs.String())
	}

	// Pages get an HTML error page, still without the internal text.
	w = httptest.NewRecorder()
	Error(w, httptest.NewRequest("GET", "/mon-espace", nil), errors.New("secret detail"))
	if w.Code != 500 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") || strings.Contains(w.Body.String(), "secret detail") {
		t.Fatalf("page error: %d %q", w.Code, w.Body.String())
	}
}

func TestProblemExtensionsAndFields(t *testing.T) {
	var f fault.Fields
	f.Add("email", "Saisissez une adresse e-mail valide.")
	err := f.Err().(*fault.Error).With("deadline", "2026-12-03T10:00:00+01:00")
	w := httptest.NewRecorder()
	WriteProblem(w, ProblemFor(err))
	var p map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if p["status"].(float64) != 400 || p["deadline"] != "2026-12-03T10:00:00+01:00" {
		t.Fatalf("problem %v", p)
	}
	errs := p["errors"].([]any)
	if len(errs) != 1 || errs[0].(map[string]any)["field"] != "email" {
		t.Fatalf("field errors %v", errs)
	}
}

func TestDecodeJSON(t *testing.T) {
	type body struct {
		Name string `json:"name"`
	}
	cases := []struct {
		name, ctype, body string
		ok                bool
	}{
		{"good", "application/json", `{"name":"Léa"}`, true},
		{"no content type", "", `{"name":"Léa"}`, true},
		{"unknown field", "application/json", `{"name":"Léa","admin":true}`, false},
		{"trailing data", "application/json", `{"name":"Léa"} {}`, false},
		{"not json", "application/json", `name=Léa`, false},
		{"form content type", "application/x-www-form-urlencoded", `{"name":"Léa"}`, false},
		{"too big", "application/json", `{"name":"` + strings.Repeat("a", MaxBody) + `"}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/api/v1/x", strings.NewReader(c.body))
			if c.ctype != "" {
				r.Header.Set("Content-Type", c.ctype)
			}
			var b body
			err := DecodeJSON(httptest.NewRecorder(), r, &b)
			if (err == nil) != c.ok {
				t.Fatalf("err = %v, want ok=%v", err, c.ok)
			}
			if err != nil && ProblemFor(err).Status != 400 {
				t.Fatalf("status %d", ProblemFor(err).Status)
			}
		})
	}
}

func TestHandlerChain(t *testing.T) {
	mux := NewRouter()
	mux.HandleFunc("GET /page", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	mux.HandleFunc("POST /api/v1/thing", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	mux.HandleFunc("GET /boom", func(w http.ResponseWriter, r *http.Request) { panic("kaboom") })

	var logs bytes.Buffer
	old := slog.Default()
	slog.SetDefault(NewLogger(&logs))
	defer slog.SetDefault(old)
	h := Handler(mux, Options{Function: "Test", HSTS: true})

	t.Run("security headers", func(t *testing.T) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/page", nil))
		csp := w.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("CSP %q", csp)
		}
		if w.Header().Get("X-Content-Type-Options") != "nosniff" || w.Header().Get("Strict-Transport-Security") == "" {
			t.Errorf("headers %v", w.Header())
		}
	})
	t.Run("cross-site post refused", func(t *testing.T) {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/api/v1/thing", nil)
		r.Header.Set("Sec-Fetch-Site", "cross-site")
		h.ServeHTTP(w, r)
		if w.Code != 403 || !strings.Contains(w.Body.String(), "cross-origin") {
			t.Errorf("cross-site: %d %s", w.Code, w.Body.String())
		}
		w = httptest.NewRecorder()
		r = httptest.NewRequest("POST", "/api/v1/thing", nil)
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		h.ServeHTTP(w, r)
		if w.Code != 204 {
			t.Errorf("same-origin: %d", w.Code)
		}
	})
	t.Run("panic becomes a masked 500", func(t *testing.T) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/boom", nil))
		if w.Code != 500 || strings.Contains(w.Body.String(), "kaboom") {
			t.Errorf("panic: %d %s", w.Code, w.Body.String())
		}
	})
	t.Run("one log line per request with route and status", func(t *testing.T) {
		logs.Reset()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/page?email=parent@example.fr", nil))
		var line map[string]any
		if err := json.Unmarshal(bytes.TrimSpace(logs.Bytes()), &line); err != nil {
			t.Fatalf("log %q: %v", logs.String(), err)
		}
		if line["route"] != "GET /page" || line["status"].(float64) != 200 || line["request_id"] == nil || line["request_id"] == "" || line["function"] != "Test" {
			t.Errorf("log line %v", line)
		}
		if strings.Contains(logs.String(), "parent@example.fr") {
			t.Errorf("the query string (personal data) was logged: %s", logs.String())
		}
	})
}

// escapedPage is page (a template defining "content") escaped with the shared layout, as go
// generate writes a function's escaped/<page>.html.
func escapedPage(t *testing.T, page string) []byte {
	t.Helper()
	text, err := tmplgen.Escape([]string{"layout.html"},
		tmplgen.Source{FS: os.DirFS("templates"), Patterns: []string{"*.html"}},
		tmplgen.Source{FS: fstest.MapFS{"page.html": {Data: []byte(page)}}, Patterns: []string{"page.html"}})
	if err != nil {
		t.Fatal(err)
	}
	return []byte(text)
}

// TestLoadRenderer: a function's embedded escaped folder gives one page per file, inside the
// layout, parsed when first shown; CheckPages, which each function's tests run, refuses a page
// calling a function the program lacks, and a broken page shown anyway is a clean error page
// rather than half a page.
func TestLoadRenderer(t *testing.T) {
	tests := []struct {
		name     string
		files    fstest.MapFS
		page     string
		wantCode int
		want     string
	}{
		{"pages under escaped/", fstest.MapFS{"escaped/bonjour.html": {Data: escapedPage(t, `{{define "content"}}<p>Bonjour {{.Data}} &lt;3</p>{{end}}`)}},
			"bonjour", http.StatusOK, "<p>Bonjour Léa &lt;3</p>"},
		{"broken page", fstest.MapFS{"escaped/casse.html": {Data: []byte(`{{define "layout.html"}}{{inconnue}}{{end}}`)}},
			"casse", http.StatusInternalServerError, ""},
		{"no such page", fstest.MapFS{"escaped/bonjour.html": {Data: escapedPage(t, `{{define "content"}}<p>Bonjour</p>{{end}}`)}},
			"absente", http.StatusInternalServerError, ""},
		{"a name outside the folder", fstest.MapFS{"escaped/bonjour.html": {Data: escapedPage(t, `{{define "content"}}<p>Bonjour</p>{{end}}`)},
			"escaped/sous/bonjour.html": {Data: escapedPage(t, `{{define "content"}}<p>Bonjour</p>{{end}}`)}},
			"sous/bonjour", http.StatusInternalServerError, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd, err := LoadRenderer("Préau", Cookies{}, tt.files)
			if err != nil {
				t.Fatal(err)
			}
			checkErr := CheckPages(tt.files)
			if broken := tt.page == "casse"; broken != (checkErr != nil) {
				t.Fatalf("CheckPages = %v", checkErr)
			}
			w := httptest.NewRecorder()
			rd.Render(w, httptest.NewRequest(http.MethodGet, "/", nil), http.StatusOK, tt.page, Page{Title: "Essai", Data: "Léa"})
			if w.Code != tt.wantCode || !strings.Contains(w.Body.String(), tt.want) {
				t.Fatalf("status %d body %s", w.Code, w.Body)
			}
			if tt.wantCode == http.StatusOK && !strings.Contains(w.Body.String(), "Essai") {
				t.Fatalf("no title in %s", w.Body)
			}
			if tt.wantCode != http.StatusOK && strings.Contains(w.Body.String(), "Bonjour") {
				t.Fatalf("half a page: %s", w.Body)
			}
		})
	}
}

// TestPagesParsedOnceUnderConcurrentFirstUse: pages are looked up by name when first shown, so
// many requests showing the same pages at once on a cold container each get the one parsed set.
func TestPagesParsedOnceUnderConcurrentFirstUse(t *testing.T) {
	files := fstest.MapFS{
		"un.html":   {Data: escapedPage(t, `{{define "content"}}<p>Un</p>{{end}}`)},
		"deux.html": {Data: escapedPage(t, `{{define "content"}}<p>Deux</p>{{end}}`)},
	}
	p := NewPages(files, layout)
	var wg sync.WaitGroup
	sets := make([]map[string]*tmpl.Set, 8)
	for i := range sets {
		sets[i] = map[string]*tmpl.Set{}
		wg.Go(func() {
			for _, name := range []string{"un", "deux", "un"} {
				s, err := p.Lookup(name)
				if err != nil {
					t.Error(err)
					return
				}
				sets[i][name] = s
			}
		})
	}
	wg.Wait()
	for _, name := range []string{"un", "deux"} {
		for i := range sets {
			if sets[i][name] == nil || sets[i][name] != sets[0][name] {
				t.Fatalf("page %s: goroutine %d got another set", name, i)
			}
		}
	}
	if sets[0]["un"] == sets[0]["deux"] {
		t.Fatal("two pages share a set")
	}
}
