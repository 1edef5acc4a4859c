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

	"github.com/preau/preau/infra/eventstest"
	"github.com/preau/preau/shared/accounts/argon2id"
	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/billing/billingtest"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/headcount"
	"github.com/preau/preau/shared/messages"
	"github.com/preau/preau/shared/messages/messagestest"
	"github.com/preau/preau/shared/registry"
	"github.com/preau/preau/shared/registry/registrytest"
	"github.com/preau/preau/shared/secret"
	"github.com/preau/preau/shared/staff"
	"github.com/preau/preau/shared/staff/stafftest"
	"github.com/preau/preau/shared/staff/totp"
	"github.com/preau/preau/shared/web"
)

var december1 = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

// testBox seals the fixture's second factors.
var testBox, _ = staff.NewSecretBox(secret.Fixed([]byte(strings.Repeat("k", 32))))

const (
	agentEmail    = "agent@mairie.fr"
	agentPassword = "Gestion-2026x"
	agentSecret   = "PREAUDEMOGESTIONLAIGNEVILLEDEMOA"
)

// fixture is the handler over in-memory stores, with one enrolled staff member.
type fixture struct {
	h       http.Handler
	mem     *stafftest.Memory
	reg     *registrytest.Memory
	days    fakeDays
	clk     *clock.Fixed
	auth    *staff.Service
	ledger  *billingtest.Ledger
	threads *messagestest.Memory
	mails   *messagestest.Mails
	th      *townhallFixture
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	mem := stafftest.NewMemory()
	clk := clock.NewFixed(december1)
	auth := &staff.Service{Members: mem, Sessions: mem, Attempts: mem, Issuer: "Préau Testville", Box: testBox, Journal: mem,
		Passwords: argon2id.Hasher{Params: argon2id.Params{MemoryKiB: 64, Time: 1, Threads: 1}}, TOTP: totp.Authenticator{}}
	if _, err := auth.NewMember(context.Background(), agentEmail, "Claire Agent", agentPassword, december1); err != nil {
		t.Fatal(err)
	}
	m, _ := mem.Member(context.Background(), agentEmail)
	if err := mem.EnrolSecondFactor(context.Background(), agentEmail, m.Stamp, agentSecret, 1, december1); err != nil {
		t.Fatal(err)
	}
	prices := map[string]int64{"A": 100, "B": 200}
	reg := registrytest.NewMemory(
		family.Activity{Activity: calendar.Canteen, Site: "jules-ferry", SiteName: "École Jules Ferry", PriceCents: prices},
		family.Activity{Activity: calendar.Canteen, Site: "louise-michel", SiteName: "École Louise Michel", PriceCents: prices})
	ctx := context.Background()
	_ = reg.PutFamily(ctx, family.Family{ID: "f_e9s741y99c", Name: "Famille Martin", SubscriberCode: "T-7KQ4-M2XD", QuotientBracket: "B"})
	_ = reg.CreateCode(ctx, family.SubscriberCode{Code: "T-7KQ4-M2XD", FamilyID: "f_e9s741y99c"})
	_ = reg.PutChild(ctx, family.Child{ID: "c_1", FamilyID: "f_e9s741y99c", FirstName: "Léa", LastName: "Martin",
		BirthDate: date.New(2017, time.March, 14), School: "jules-ferry", Diet: "standard"})
	reg.AddMember("f_e9s741y99c", "parent@example.org")
	days := fakeDays{}
	ledger := billingtest.NewLedger()
	_, _ = ledger.PutInvoice(ctx, billing.Invoice{Number: "2026009999", FamilyID: "f_e9s741y99c", FamilyName: "Famille Martin",
		Month: date.New(2026, time.October, 1), TotalCents: 5750, IssuedOn: date.New(2026, time.November, 1), DueOn: date.New(2026, time.December, 1)})
	office := &billing.Office{Invoices: ledger, Desk: ledger, Journal: staff.Recorder{Journal: mem},
		Runner: &billing.Runner{Books: billingtest.Commune(2), Ledger: ledger, Notifier: &billingtest.Notifier{},
			Link: func(p string) string { return "https://portail.test" + p }}}
	threads, mails := messagestest.NewMemory(), &messagestest.Mails{}
	_ = threads.CreateThread(ctx, messages.Thread{ID: "0123456789abcdef", Subject: "Repas de Léa", Name: "Paul Martin",
		Email: "parent@example.org", Account: "parent@example.org", FamilyID: "f_e9s741y99c", CreatedAt: december1, UpdatedAt: december1,
		Messages: []messages.Message{{ID: "a000000000000001", At: december1, Author: "Paul Martin", Body: "Léa mange sans porc."}}})
	desk := &messages.Service{Store: threads, Notifier: mails, Journal: staff.Recorder{Journal: mem},
		Link: func(p string) string { return "https://portail.test" + p }}
	th := newTownhallFixture(t, clk, mem)
	h, err := New(Deps{Billing: office, Messages: desk, Townhall: th.svc, Settings: th.svc, Holidays: th.svc, OnBehalf: th.svc, Commune: "Testville", Auth: auth, Journal: mem, Clock: clk, Cookies: web.Cookies{Insecure: true},
		Registry: &registry.Service{Store: reg, Journal: mem, Prefix: "T-"},
		Headcounts: &headcount.Counter{Days: days, Families: reg, Settings: reg, Calendars: defaultCalendar{},
			Policy: cutoff.Policy{WorkingDaysBefore: 2, Hour: 10}}})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{h: h, mem: mem, reg: reg, clk: clk, auth: auth, days: days, ledger: ledger, th: th, threads: threads, mails: mails}
}

// do sends a request with the given cookies (name=value) and returns the response and body.
func (f *fixture) do(t *testing.T, method, target string, form url.Values, cookies ...string) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	for _, c := range cookies {
		if c != "" {
			req.Header.Add("Cookie", c)
		}
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	res := rec.Result()
	return res, rec.Body.String()
}

func staffCookie(t *testing.T, res *http.Response) string {
	t.Helper()
	for _, c := range res.Cookies() {
		if c.Name == "preau_staff" && c.Value != "" {
			if c.SameSite != http.SameSiteStrictMode || !c.HttpOnly {
				t.Errorf("staff cookie not HttpOnly+Strict: %+v", c)
			}
			return c.Name + "=" + c.Value
		}
	}
	t.Fatalf("no staff cookie set (status %d)", res.StatusCode)
	return ""
}

// signIn logs the agent in with password and code and returns the verified cookie.
func (f *fixture) signIn(t *testing.T) string {
	t.Helper()
	pending := f.pending(t)
	f.clk.Add(30 * time.Second) // a code not used yet
	code, _ := totp.CodeAt(agentSecret, f.clk.Now())
	res, _ := f.do(t, "POST", "/gestion/second-facteur", url.Values{"code": {code}}, pending)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/gestion/accueil" {
		t.Fatalf("second factor: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	return staffCookie(t, res)
}

func (f *fixture) pending(t *testing.T) string {
	t.Helper()
	res, _ := f.do(t, "POST", "/gestion/connexion", url.Values{"email": {agentEmail}, "password": {agentPassword}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/gestion/second-facteur") {
		t.Fatalf("login: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	return staffCookie(t, res)
}

func TestSampleEvents(t *testing.T) {
	f := newFixture(t)
	if n := eventstest.Replay(t, "events", func(*testing.T) http.Handler { return f.h }); n < 5 {
		t.Errorf("only %d samples", n)
	}
}

func TestFirstLoginShowsTheQRCodeAndEnrols(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.auth.NewMember(ctx, "new@mairie.fr", "Nouvel Agent", agentPassword, december1); err != nil {
		t.Fatal(err)
	}
	res, _ := f.do(t, "POST", "/gestion/connexion", url.Values{"email": {"new@mairie.fr"}, "password": {agentPassword}})
	pending := staffCookie(t, res)
	res, body := f.do(t, "GET", "/gestion/second-facteur", nil, pending)
	if res.StatusCode != 200 || !strings.Contains(body, `src="data:image/png;base64,`) {
		t.Fatalf("enrolment page: %d\n%.600s", res.StatusCode, body)
	}
	secret := strings.ReplaceAll(regexp.MustCompile(`<code class="secret">([A-Z2-7 ]+)</code>`).FindStringSubmatch(body)[1], " ", "")
	res, body = f.do(t, "POST", "/gestion/second-facteur", url.Values{"code": {"000000"}}, pending)
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "incorrect") {
		t.Fatalf("wrong code: %d", res.StatusCode)
	}
	code, _ := totp.CodeAt(secret, f.clk.Now())
	res, _ = f.do(t, "POST", "/gestion/second-facteur", url.Values{"code": {code[:3] + " " + code[3:]}}, pending)
	full := staffCookie(t, res)
	res, body = f.do(t, "GET", "/gestion/accueil", nil, full)
	if res.StatusCode != 200 || !strings.Contains(body, "Nouvel Agent") {
		t.Fatalf("home after enrolment: %d", res.StatusCode)
	}
	m, _ := f.mem.Member(ctx, "new@mairie.fr")
	if stored, clear, err := testBox.Open(context.Background(), m.Email, m.TOTPSecret); err != nil || clear || stored != secret || strings.Contains(m.TOTPSecret, secret) {
		t.Fatalf("secret not enrolled sealed: %q (%v, %v)", m.TOTPSecret, clear, err)
	}
}

// TestStaffRoutesRefuseEveryoneElse: every page and form of the back-office refuses an anonymous
// caller, a parent's session and a staff session without its second factor.
func TestStaffRoutesRefuseEveryoneElse(t *testing.T) {
	f := newFixture(t)
	full := f.signIn(t)
	pending := f.pending(t)
	parent := "preau_session=" + strings.Repeat("A", 43)
	for _, rt := range Routes {
		target := strings.NewReplacer("{id}", "f_e9s741y99c", "{child}", "c_1", "{action}", "modifier", "{number}", "2026009999", "{$}", "",
			"{activity}", "cantine", "{site}", "jules-ferry", "{thread}", "0123456789abcdef").Replace(rt.Path)
		if rt.Public {
			continue
		}
		for _, who := range []struct{ name, cookie string }{{"anonymous", ""}, {"parent", parent}, {"pending", pending}} {
			t.Run(rt.Method+" "+rt.Path+" "+who.name, func(t *testing.T) {
				var form url.Values
				if rt.Method == "POST" {
					form = url.Values{"x": {"1"}}
				}
				res, body := f.do(t, rt.Method, target, form, who.cookie)
				switch {
				case rt.Method == "GET" && who.name != "pending":
					if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/gestion/connexion") {
						t.Errorf("%d %s", res.StatusCode, res.Header.Get("Location"))
					}
				case rt.Method == "GET":
					if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/gestion/second-facteur" {
						t.Errorf("%d %s", res.StatusCode, res.Header.Get("Location"))
					}
				case who.name != "pending":
					if res.StatusCode != http.StatusUnauthorized {
						t.Errorf("%d\n%.300s", res.StatusCode, body)
					}
				default:
					if res.StatusCode != http.StatusForbidden {
						t.Errorf("%d\n%.300s", res.StatusCode, body)
					}
				}
			})
		}
		t.Run(rt.Method+" "+rt.Path+" staff", func(t *testing.T) {
			if rt.Method != "GET" {
				return // forms are exercised by their own tests
			}
			res, _ := f.do(t, rt.Method, target, nil, full)
			if res.StatusCode != http.StatusOK {
				t.Errorf("verified staff: %d %s", res.StatusCode, res.Header.Get("Location"))
			}
		})
	}
}

func TestLogoutEndsTheSession(t *testing.T) {
	f := newFixture(t)
	full := f.signIn(t)
	res, _ := f.do(t, "POST", "/gestion/deconnexion", url.Values{}, full)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	res, _ = f.do(t, "GET", "/gestion/accueil", nil, full)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("after logout: %d", res.StatusCode)
	}
}

func TestJournalListsTheMonth(t *testing.T) {
	f := newFixture(t)
	full := f.signIn(t)
	rec := staff.Recorder{Journal: f.mem}
	if err := rec.Record(context.Background(), agentEmail, december1.Add(time.Hour), "Code abonné réémis", "Famille Martin",
		"…M2XD révoqué", "…AB12"); err != nil {
		t.Fatal(err)
	}
	res, body := f.do(t, "GET", "/gestion/journal?mois=2026-12", nil, full)
	if res.StatusCode != 200 || !strings.Contains(body, "Code abonné réémis") || !strings.Contains(body, "01/12/2026 10:00") ||
		!strings.Contains(body, "…M2XD révoqué") {
		t.Fatalf("journal: %d\n%.2000s", res.StatusCode, body)
	}
	_, body = f.do(t, "GET", "/gestion/journal?mois=2026-11", nil, full)
	if strings.Contains(body, "Code abonné réémis") {
		t.Fatal("another month's entry listed")
	}
}

// Pages are parsed when first shown: every one of them must parse.
func TestPagesParse(t *testing.T) {
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	if err := pages.ParseAll(); err != nil {
		t.Fatal(err)
	}
}
