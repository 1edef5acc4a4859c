// Package reservationstest is the reservation rules' test kit: Memory, an in-memory Store of
// everything the rules and the calendar feeds keep; StoreContract, the behaviour shared/store's
// DynamoDB store and Memory both keep; and the booking functions' fixture: a Memory holding two
// families, their enrolled children and a commune closure, a fixed clock an hour before a
// deadline, fake sessions named by the cookie's value, a function's handler served over it
// (Serve), and helpers that send requests and read problem+json answers and flash messages. It needs no emulator. Only _test.go files import it.
//
// The data:
//
//   - family f_a: Léa (c_lea, canteen at jules-ferry) and Tom (c_tom, canteen at petit-prince,
//     one seat a day); parent-a signs in for it;
//   - family f_b: Zoé (c_zoe, canteen at jules-ferry); parent-b signs in for it;
//   - 2026-12-10: the canteen is closed ("Formation des agents").
package reservationstest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/secret"
	"github.com/preau/preau/shared/web"
)

// Sessions is a fake session resolver: the cookie's value names the parent.
type Sessions map[string]*web.Viewer

// ResolveSession returns the parent token names, nil when none.
func (s Sessions) ResolveSession(_ context.Context, token string) (*web.Viewer, error) {
	return s[token], nil
}

// Parents are the session cookies the tests sign in with.
var Parents = Sessions{
	"parent-a": {Email: "a@example.fr", FirstName: "Anne", FamilyID: "f_a"},
	"parent-b": {Email: "b@example.fr", FirstName: "Bruno", FamilyID: "f_b"},
	"unlinked": {Email: "u@example.fr", FirstName: "Ugo"},
	// left's account still names family A, but the family no longer lists it as a member.
	"left": {Email: "gone@example.fr", FirstName: "Gaston", FamilyID: "f_a"},
}

// Deadline is the deadline of Monday 2026-12-07 under the commune's rule.
var Deadline = time.Date(2026, 12, 3, 10, 0, 0, 0, date.Paris)

// FeedKey is the secret key the fixture's feeds derive their tokens with.
var FeedKey = []byte("reservationstest feed key, 32+ bytes long")

// Env is one test's booking stack.
type Env struct {
	Store   *Memory
	Clock   *clock.Fixed // starts an hour before Deadline
	Service *reservations.Service
	Feeds   *reservations.Feeds
}

// New makes a fresh Memory holding the families above and the booking rules over it, under the
// default cutoff policy.
func New(t testing.TB) *Env {
	t.Helper()
	st := NewMemory()
	ctx := context.Background()
	from := date.MustParse("2026-09-01")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []struct{ fam, child, site string }{{"f_a", "c_lea", "jules-ferry"}, {"f_b", "c_zoe", "jules-ferry"}, {"f_a", "c_tom", "petit-prince"}} {
		must(st.PutFamily(ctx, family.Family{ID: f.fam, Name: "Famille " + f.fam}))
		must(st.AddMember(ctx, f.fam, strings.TrimPrefix(f.fam, "f_")+"@example.fr", from.At(9, 0, date.Paris)))
		must(st.PutChild(ctx, family.Child{ID: f.child, FamilyID: f.fam, FirstName: strings.TrimPrefix(f.child, "c_")}))
		must(st.PutEnrolment(ctx, f.fam, family.Enrolment{ChildID: f.child, Activity: calendar.Canteen, Site: f.site, From: from}))
	}
	must(st.PutActivity(ctx, family.Activity{Activity: calendar.Canteen, Site: "petit-prince", Capacity: 1}))
	must(st.PutClosure(ctx, calendar.Closure{Day: date.MustParse("2026-12-10"), Label: "Formation des agents", Activities: []calendar.Activity{calendar.Canteen}}))
	clk := clock.NewFixed(Deadline.Add(-time.Hour))
	svc := reservations.New(st, clk, calendar.Default(), cutoff.DefaultPolicy(), reservations.Options{})
	feeds, err := reservations.NewFeeds(st, svc, secret.Fixed(FeedKey))
	must(err)
	return &Env{Store: st, Clock: clk, Service: svc, Feeds: feeds}
}

// Do sends method target to h as the parent who ("" for nobody), with form as the body when
// it is not nil.
func Do(t testing.TB, h http.Handler, who, method, target string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	body := ""
	if form != nil {
		body = form.Encode()
	}
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if who != "" {
		r.AddCookie(&http.Cookie{Name: "preau_session", Value: who})
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// Served is a booking function's handler over a fresh Env: what its handler tests send requests
// to, with the Env's store and clock at hand.
type Served struct {
	*Env
	Handler http.Handler
}

// Serve builds a function's handler over a fresh Env with build, and fails the test if build
// refuses.
func Serve(t testing.TB, build func(*Env) (http.Handler, error)) *Served {
	t.Helper()
	env := New(t)
	h, err := build(env)
	if err != nil {
		t.Fatal(err)
	}
	return &Served{Env: env, Handler: h}
}

// Do sends method target to the handler as the parent who, as the package's Do does.
func (s *Served) Do(t testing.TB, who, method, target string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	return Do(t, s.Handler, who, method, target, form)
}

// ProblemType is the problem+json answer's type without web.ProblemBase ("deadline-passed").
func ProblemType(t testing.TB, w *httptest.ResponseRecorder) string {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatalf("body %q: %v", w.Body.String(), err)
	}
	s, _ := p["type"].(string)
	return strings.TrimPrefix(s, web.ProblemBase)
}

// Flash is the message w left for the next page, read back as that page would read it.
func Flash(t testing.TB, w *httptest.ResponseRecorder) string {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/espace-famille/planning", nil)
	for _, c := range w.Result().Cookies() {
		r.AddCookie(c)
	}
	return web.Cookies{Insecure: true}.TakeFlash(httptest.NewRecorder(), r)
}

// ServiceWith returns the booking rules over repo (the fixture's Memory, or a wrapper of it) on
// the fixture's clock and policy, with o.
func (e *Env) ServiceWith(repo reservations.Repository, o reservations.Options) *reservations.Service {
	return reservations.New(repo, e.Clock, calendar.Default(), cutoff.DefaultPolicy(), o)
}
