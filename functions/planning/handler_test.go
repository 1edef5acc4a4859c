package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/reservations/reservationstest"
	"github.com/preau/preau/shared/web"
)

// parents are the shared test sessions plus family A's second member (added to the family by
// the tests that need one).
var parents = func() reservationstest.Sessions {
	s := maps.Clone(reservationstest.Parents)
	s["parent-a2"] = &web.Viewer{Email: "a2@example.fr", FirstName: "Alix", FamilyID: "f_a"}
	return s
}()

type fixture struct{ *reservationstest.Served }

func setup(t testing.TB) *fixture {
	t.Helper()
	return &fixture{reservationstest.Serve(t, func(env *reservationstest.Env) (http.Handler, error) {
		return New(Deps{Commune: "Laigneville", BaseURL: "https://portail.example.fr",
			Service: env.Service, Feeds: env.Feeds, Sessions: parents, Cookies: web.Cookies{Insecure: true}})
	})}
}

func (f *fixture) book(t *testing.T, child, site, day string) {
	t.Helper()
	sl := reservations.Slot{Activity: calendar.Canteen, Site: site, Day: date.MustParse(day)}
	if _, err := f.Store.BookDay(context.Background(), sl, child, 0, reservations.Change{Who: "a@example.fr", At: reservationstest.Deadline.Add(-24 * time.Hour),
		Channel: reservations.ChannelWeb, Action: reservations.ActionBook, ChildID: child}); err != nil {
		t.Fatal(err)
	}
}

func TestPlanningAPI(t *testing.T) {
	f := setup(t)
	f.book(t, "c_lea", "jules-ferry", "2026-12-07")
	w := f.Do(t, "parent-a", http.MethodGet, "/api/v1/children/c_lea/planning?from=2026-12-03&to=2026-12-11", nil)
	if w.Code != 200 {
		t.Fatalf("status %d %s", w.Code, w.Body)
	}
	var p struct {
		Days []struct {
			Date       string
			Activities []struct {
				Activity   string
				Open       bool
				Booked     bool
				Deadline   *string
				Changeable bool
				Reason     *string
			}
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Days) != 9 {
		t.Fatalf("%d days, want 9", len(p.Days))
	}
	str := func(s *string) string {
		if s == nil {
			return "null"
		}
		return *s
	}
	want := map[string]string{ // date → open booked changeable deadline reason
		"2026-12-03": "true false false 2026-12-01T10:00:00+01:00 deadline-passed",
		"2026-12-05": "false false false null weekend",
		"2026-12-07": "true true true 2026-12-03T10:00:00+01:00 null",
		"2026-12-08": "true false true 2026-12-04T10:00:00+01:00 null",
		"2026-12-09": "false false false null wednesday",
		"2026-12-10": "false false false null closure",
	}
	for _, d := range p.Days {
		if len(d.Activities) != 1 || d.Activities[0].Activity != "cantine" {
			t.Fatalf("day %s: %+v", d.Date, d.Activities)
		}
		c := d.Activities[0]
		got := fmt.Sprintf("%v %v %v %s %s", c.Open, c.Booked, c.Changeable, str(c.Deadline), str(c.Reason))
		if w, ok := want[d.Date]; ok && got != w {
			t.Errorf("%s: %s, want %s", d.Date, got, w)
		}
	}
}

// TestParentAReachesNoneOfFamilyB runs every Planning route as parent A against family B's child.
func TestParentAReachesNoneOfFamilyB(t *testing.T) {
	f := setup(t)
	f.book(t, "c_zoe", "jules-ferry", "2026-12-07")
	tests := []struct {
		name, who, path string
		status          int
	}{
		{"B's child", "parent-a", "/api/v1/children/c_zoe/planning?from=2026-12-01&to=2026-12-31", 404},
		{"unknown child", "parent-a", "/api/v1/children/c_x/planning?from=2026-12-01&to=2026-12-31", 404},
		{"unlinked", "unlinked", "/api/v1/children/c_zoe/planning?from=2026-12-01&to=2026-12-31", 404},
		{"no longer a member", "left", "/api/v1/children/c_lea/planning?from=2026-12-01&to=2026-12-31", 404},
		{"anonymous", "", "/api/v1/children/c_zoe/planning?from=2026-12-01&to=2026-12-31", 401},
		{"bad date", "parent-b", "/api/v1/children/c_zoe/planning?from=2026-12-01&to=demain", 400},
		{"reversed", "parent-b", "/api/v1/children/c_zoe/planning?from=2026-12-31&to=2026-12-01", 400},
		{"too long", "parent-b", "/api/v1/children/c_zoe/planning?from=2026-01-01&to=2026-12-31", 400},
		{"B's own child", "parent-b", "/api/v1/children/c_zoe/planning?from=2026-12-01&to=2026-12-31", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.Do(t, tt.who, http.MethodGet, tt.path, nil)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if tt.status == 404 && strings.Contains(w.Body.String(), "zoe") {
				t.Fatal("the refusal names the child")
			}
		})
	}
	w := f.Do(t, "parent-a", http.MethodGet, "/espace-famille/planning?mois=2026-12", nil)
	if w.Code != 200 || strings.Contains(w.Body.String(), "c_zoe") || strings.Contains(w.Body.String(), "zoe") {
		t.Fatalf("parent A's page shows family B: %d", w.Code)
	}
}

func TestPlanningPage(t *testing.T) {
	f := setup(t)
	f.book(t, "c_lea", "jules-ferry", "2026-12-07")
	w := f.Do(t, "parent-a", http.MethodGet, "/espace-famille/planning?mois=2026-12", nil)
	if w.Code != 200 {
		t.Fatalf("status %d %s", w.Code, w.Body)
	}
	body := w.Body.String()
	for _, want := range []string{
		"décembre 2026", "?mois=2026-11", "?mois=2027-01", "2 jours ouvrés avant le jour concerné, avant 10h00",
		"Faire une demande sur une longue période", `href="/espace-famille/longue-periode"`,
		"<h3 id=\"enfant-c_lea\">", "<h3 id=\"enfant-c_tom\">", `id="jour-2026-12-07-c_lea"`,
		"réservé", "non réservé", "modifiable jusqu&#39;au jeudi 3 décembre à 10h00", "délai dépassé", "fermé",
		"Formation des agents", `action="/espace-famille/annulations"`, `action="/espace-famille/reservations"`,
		`<span class="visually-hidden"> Restauration scolaire pour lea le lundi 7 décembre</span>`,
		"Historique des modifications", "a@example.fr",
		// The week as a grid for wider screens, and the Christmas holidays said once a week.
		`<th scope="row">Restauration scolaire</th>`, `<span class="visually-hidden">lea – semaine du lundi 7 décembre</span>`,
		`<span class="visually-hidden">pas d'activité ce jour</span>`,
		"Vacances de Noël : pas de restauration scolaire.",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// No line says the canteen is closed on Wednesdays, every Wednesday: parents know.
	for _, noise := range []string{"pas d&#39;école le mercredi", `id="jour-2026-12-09-c_lea"`, `id="jour-2026-12-21-c_lea"`} {
		if strings.Contains(body, noise) {
			t.Errorf("page still has %q", noise)
		}
	}
	tests := []struct {
		name, who, path string
		status          int
		contains        string
	}{
		{"unlinked account", "unlinked", "/espace-famille/planning", 200, "Mon espace citoyen"},
		{"account no longer a member", "left", "/espace-famille/planning?mois=2026-12", 200, "Mon espace citoyen"},
		{"anonymous", "", "/espace-famille/planning?mois=2026-12", 303, ""},
		{"bad month", "parent-a", "/espace-famille/planning?mois=decembre", 400, ""},
		{"current month by default", "parent-a", "/espace-famille/planning", 200, "décembre 2026"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.Do(t, tt.who, http.MethodGet, tt.path, nil)
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.contains) {
				t.Fatalf("status %d, want %d containing %q", w.Code, tt.status, tt.contains)
			}
		})
	}
}

var feedURL = regexp.MustCompile(`https://portail\.example\.fr(/calendrier/[a-z2-7]{32}\.ics)`)

func (f *fixture) feedPath(t *testing.T, who string) string {
	t.Helper()
	m := feedURL.FindStringSubmatch(f.Do(t, who, http.MethodGet, "/espace-famille/planning?mois=2026-12", nil).Body.String())
	if m == nil {
		return ""
	}
	return m[1]
}

// Each open day shows what it costs the family (its bracket's price), and the month's forecast
// follows the bookings: the invoice run's prices, the booked days of the month only.
func TestPlanningShowsPricesAndForecast(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	if err := f.Store.PutFamily(ctx, family.Family{ID: "f_a", Name: "Famille A", QuotientBracket: "B"}); err != nil {
		t.Fatal(err)
	}
	for _, a := range []family.Activity{
		{Activity: calendar.Canteen, Site: "jules-ferry", PriceCents: map[string]int64{"A": 120, "B": 250}},
		{Activity: calendar.Canteen, Site: "petit-prince", Capacity: 1, PriceCents: map[string]int64{"B": 310}},
	} {
		if err := f.Store.PutActivity(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	page := func() string {
		w := f.Do(t, "parent-a", http.MethodGet, "/espace-famille/planning?mois=2026-12", nil)
		if w.Code != 200 {
			t.Fatalf("status %d %s", w.Code, w.Body)
		}
		return html.UnescapeString(w.Body.String())
	}
	if body := page(); !strings.Contains(body, "décembre : aucun jour réservé") || !strings.Contains(body, `<span class="price">2,50`+"\u00a0"+`€</span>`) ||
		!strings.Contains(body, `<span class="price">3,10`+"\u00a0"+`€</span>`) {
		t.Errorf("before booking, the page lacks the prices or the empty forecast")
	}
	f.book(t, "c_lea", "jules-ferry", "2026-12-07")
	f.book(t, "c_lea", "jules-ferry", "2026-11-30") // another month's day: not December's
	if body := page(); !strings.Contains(body, "décembre : 1 jour réservé, 2,50\u00a0€ estimés") {
		t.Errorf("after one booking, the page lacks the forecast")
	}
	f.book(t, "c_tom", "petit-prince", "2026-12-08")
	if body := page(); !strings.Contains(body, "décembre : 2 jours réservés, 5,60\u00a0€ estimés") {
		t.Errorf("after two bookings, the page lacks the forecast")
	}
	w := f.Do(t, "parent-a", http.MethodGet, "/api/v1/children/c_tom/planning?from=2026-12-07&to=2026-12-10", nil)
	var p struct {
		Days []struct {
			Date       string
			Activities []struct {
				Open       bool
				PriceCents int64
			}
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || len(p.Days) != 4 {
		t.Fatalf("%v %s", err, w.Body)
	}
	for _, d := range p.Days {
		want := int64(310)
		if !d.Activities[0].Open {
			want = 0 // Wednesday and the closed 10 December cost nothing
		}
		if d.Activities[0].PriceCents != want {
			t.Errorf("%s: priceCents %d, want %d", d.Date, d.Activities[0].PriceCents, want)
		}
	}
}

func TestCalendarFeed(t *testing.T) {
	f := setup(t)
	f.book(t, "c_lea", "jules-ferry", "2026-12-07")
	f.book(t, "c_zoe", "jules-ferry", "2026-12-08")
	if f.feedPath(t, "parent-a") != "" {
		t.Fatal("a feed before asking for one")
	}
	if w := f.Do(t, "", http.MethodPost, "/espace-famille/calendrier", url.Values{"action": {"creer"}}); w.Code != 401 {
		t.Fatalf("anonymous create: %d", w.Code)
	}
	if w := f.Do(t, "parent-a", http.MethodPost, "/espace-famille/calendrier", url.Values{"action": {"creer"}}); w.Code != 303 {
		t.Fatalf("create: %d", w.Code)
	}
	path := f.feedPath(t, "parent-a")
	if path == "" {
		t.Fatal("no feed address on the page")
	}
	w := f.Do(t, "", http.MethodGet, path, nil)
	if w.Code != 200 || w.Header().Get("Content-Type") != "text/calendar; charset=utf-8" {
		t.Fatalf("feed: %d %q", w.Code, w.Header().Get("Content-Type"))
	}
	ics := w.Body.String()
	checkICS(t, ics)
	for _, want := range []string{
		"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", "UID:2026-12-07-cantine-c_lea@portail.example.fr\r\n",
		"DTSTART;VALUE=DATE:20261207\r\n", "DTEND;VALUE=DATE:20261208\r\n", "SUMMARY:lea : Restauration scolaire\r\n",
		"DTSTAMP:20261203T080000Z\r\n", "BEGIN:VALARM", "TRIGGER:-PT2H", "DTEND:20261204T090000Z\r\n", "END:VCALENDAR\r\n",
	} {
		if !strings.Contains(ics, want) {
			t.Errorf("feed lacks %q", want)
		}
	}
	if strings.Contains(ics, "c_zoe") || strings.Contains(ics, "zoe") {
		t.Fatal("family A's feed shows family B")
	}
	// Regenerate: the old address stops.
	f.Do(t, "parent-a", http.MethodPost, "/espace-famille/calendrier", url.Values{"action": {"creer"}})
	newPath := f.feedPath(t, "parent-a")
	if newPath == path || f.Do(t, "", http.MethodGet, path, nil).Code != 404 || f.Do(t, "", http.MethodGet, newPath, nil).Code != 200 {
		t.Fatal("regenerating did not replace the address")
	}
	// Parent B's revocation does not touch family A's feed.
	f.Do(t, "parent-b", http.MethodPost, "/espace-famille/calendrier", url.Values{"action": {"revoquer"}})
	if f.Do(t, "", http.MethodGet, newPath, nil).Code != 200 {
		t.Fatal("parent B revoked family A's feed")
	}
	f.Do(t, "parent-a", http.MethodPost, "/espace-famille/calendrier", url.Values{"action": {"revoquer"}})
	if f.Do(t, "", http.MethodGet, newPath, nil).Code != 404 {
		t.Fatal("the revoked address still works")
	}
	for _, bad := range []string{"/calendrier/abc.ics", "/calendrier/" + strings.Repeat("a", 32) + ".ics"} {
		if w := f.Do(t, "", http.MethodGet, bad, nil); w.Code != 404 {
			t.Errorf("%s: %d", bad, w.Code)
		}
	}
}

// TestFeedsArePerMember: each parent of a family sees and manages only their own address; a
// parent who leaves the family (another code linked, or the account deleted: the member item
// goes) keeps no window on its planning through the address they saw, whether or not they
// created the family's first one, while the other parent's address keeps working; and a parent
// who is no longer a member cannot create one.
func TestFeedsArePerMember(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.book(t, "c_lea", "jules-ferry", "2026-12-07")
	if err := f.Store.AddMember(ctx, "f_a", "a2@example.fr", reservationstest.Deadline.Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	create := func(who string) {
		t.Helper()
		if w := f.Do(t, who, http.MethodPost, "/espace-famille/calendrier", url.Values{"action": {"creer"}}); w.Code != 303 {
			t.Fatalf("create as %s: %d", who, w.Code)
		}
	}
	create("parent-a")
	if f.feedPath(t, "parent-a2") != "" {
		t.Fatal("the second parent sees the first parent's address")
	}
	create("parent-a2")
	first, second := f.feedPath(t, "parent-a"), f.feedPath(t, "parent-a2")
	if first == "" || second == "" || first == second {
		t.Fatalf("addresses %q and %q, want two distinct ones", first, second)
	}
	for _, p := range []string{first, second} {
		if w := f.Do(t, "", http.MethodGet, p, nil); w.Code != 200 || !strings.Contains(w.Body.String(), "lea") {
			t.Fatalf("%s: %d", p, w.Code)
		}
	}
	// The second parent's revocation ends their address only.
	f.Do(t, "parent-a2", http.MethodPost, "/espace-famille/calendrier", url.Values{"action": {"revoquer"}})
	if f.Do(t, "", http.MethodGet, second, nil).Code != 404 || f.Do(t, "", http.MethodGet, first, nil).Code != 200 {
		t.Fatal("revoking one parent's address did not end it, or ended the other's")
	}
	create("parent-a2")
	second = f.feedPath(t, "parent-a2")
	// The second parent, who did not create the family's first address, leaves.
	if err := f.Store.RemoveMember(ctx, "f_a", "a2@example.fr"); err != nil {
		t.Fatal(err)
	}
	if w := f.Do(t, "", http.MethodGet, second, nil); w.Code != 404 || strings.Contains(w.Body.String(), "lea") {
		t.Fatalf("the address of a parent who left: %d", w.Code)
	}
	if f.Do(t, "", http.MethodGet, first, nil).Code != 200 {
		t.Fatal("the address of the parent who stays stopped")
	}
	if w := f.Do(t, "left", http.MethodPost, "/espace-famille/calendrier", url.Values{"action": {"creer"}}); w.Code != 409 {
		t.Fatalf("feed created by a parent who is no longer a member: %d", w.Code)
	}
	if _, ok, err := f.Store.MemberFeed(ctx, "f_a", "gone@example.fr"); err != nil || ok {
		t.Fatalf("the refused request stored a feed: %v %v", ok, err)
	}
}

// TestPageShowsOnlyLiveFeeds: the page shows the parent's address only when it answers; a feed
// whose lookup is gone (a failed write) is offered to be created again instead of shown as live.
func TestPageShowsOnlyLiveFeeds(t *testing.T) {
	f := setup(t)
	page := func() string {
		t.Helper()
		return f.Do(t, "parent-a", http.MethodGet, "/espace-famille/planning?mois=2026-12", nil).Body.String()
	}
	if w := f.Do(t, "parent-a", http.MethodPost, "/espace-famille/calendrier", url.Values{"action": {"creer"}}); w.Code != 303 {
		t.Fatalf("create: %d", w.Code)
	}
	path := f.feedPath(t, "parent-a")
	if path == "" {
		t.Fatal("the new address is not shown")
	}
	token := strings.TrimSuffix(strings.TrimPrefix(path, "/calendrier/"), ".ics")
	f.Store.ForgetFeedLookup(reservations.HashFeedToken(token))
	if f.Do(t, "", http.MethodGet, path, nil).Code != 404 {
		t.Fatal("the address still answers without its lookup")
	}
	if body := page(); feedURL.MatchString(body) || !strings.Contains(body, "Créer l'adresse de mon agenda") {
		t.Fatal("a feed whose address answers 404 is shown as live")
	}
}

// checkICS checks RFC 5545's physical form: CRLF line ends, lines of at most 75 octets,
// balanced components.
func checkICS(t *testing.T, ics string) {
	t.Helper()
	if !strings.HasSuffix(ics, "\r\n") {
		t.Fatal("no final CRLF")
	}
	depth := 0
	for _, l := range strings.Split(strings.TrimSuffix(ics, "\r\n"), "\r\n") {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("bare CR or LF in %q", l)
		}
		if len(l) > 75 {
			t.Fatalf("line of %d octets: %q", len(l), l)
		}
		switch {
		case strings.HasPrefix(l, "BEGIN:"):
			depth++
		case strings.HasPrefix(l, "END:"):
			depth--
		}
	}
	if depth != 0 {
		t.Fatal("unbalanced BEGIN/END")
	}
}

func TestFoldAndEscape(t *testing.T) {
	var b strings.Builder
	long := "DESCRIPTION:" + escape(strings.Repeat("Réservé; annulable, jusqu'au jeudi\n", 5))
	var buf bytes.Buffer
	writeFolded(&buf, long)
	b.Write(buf.Bytes())
	checkICS(t, b.String())
	unfolded := strings.ReplaceAll(b.String(), "\r\n ", "")
	if strings.TrimSuffix(unfolded, "\r\n") != long {
		t.Fatal("unfolding does not give the line back")
	}
	if !strings.Contains(long, `Réservé\; annulable\, jusqu'au jeudi\n`) {
		t.Fatalf("escaping: %q", long)
	}
}

// TestEscapeDropsControlCharacters: nothing in a value can end its content line.
func TestEscapeDropsControlCharacters(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"line breaks escaped", "a\r\nb\nc", `a\nb\nc`},
		{"lone CR", "Léa\rEND:VEVENT", "LéaEND:VEVENT"},
		{"tab, NUL, DEL, C1", "a\tb\x00c\x7fd\u0085e", "abcde"},
		{"Unicode separators", "a\u2028b\u2029c", "abc"},
		{"specials", `a;b,c\d`, `a\;b\,c\\d`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := escape(tt.in); got != tt.want {
				t.Fatalf("escape(%q) = %q, want %q", tt.in, got, tt.want)
			}
			var buf bytes.Buffer
			writeFolded(&buf, "SUMMARY:"+escape(tt.in))
			checkICS(t, buf.String())
			if strings.Count(buf.String(), "\r\n") != 1 {
				t.Fatalf("a value made several lines: %q", buf.String())
			}
		})
	}
}

// TestWarningStatesActivityCutoffs: an activity with its own cutoff is announced with the rule
// booking enforces.
func TestWarningStatesActivityCutoffs(t *testing.T) {
	f := setup(t)
	one := 1
	if err := f.Store.PutActivity(context.Background(), family.Activity{Activity: calendar.Canteen, Site: "petit-prince", Capacity: 1, CutoffDays: &one}); err != nil {
		t.Fatal(err)
	}
	body := f.Do(t, "parent-a", http.MethodGet, "/espace-famille/planning?mois=2026-12", nil).Body.String()
	if !strings.Contains(body, "doit intervenir 2 jours ouvrés avant le jour concerné, avant 10h00.") ||
		!strings.Contains(body, "Pour « Restauration scolaire » : 1 jour ouvré avant le jour concerné, avant 10h00.") {
		t.Fatal("the warning does not state the canteen's own cutoff")
	}
	if strings.Contains(f.Do(t, "parent-b", http.MethodGet, "/espace-famille/planning?mois=2026-12", nil).Body.String(), "Pour « ") {
		t.Fatal("family B, whose school keeps the commune's rule, is told of another")
	}
}

// TestWarningWithSameDayCutoff: a same-day cutoff is said as such, never also "before the day".
func TestWarningWithSameDayCutoff(t *testing.T) {
	f := setup(t)
	zero, eight := 0, 8
	if err := f.Store.PutActivity(context.Background(), family.Activity{Activity: calendar.Canteen, Site: "petit-prince", CutoffDays: &zero, CutoffHour: &eight}); err != nil {
		t.Fatal(err)
	}
	body := html.UnescapeString(f.Do(t, "parent-a", http.MethodGet, "/espace-famille/planning?mois=2026-12", nil).Body.String())
	if !strings.Contains(body, "Pour « Restauration scolaire » : le jour même avant 8h00.") || strings.Contains(body, "avant le jour de restauration") {
		t.Fatalf("the same-day cutoff is not said right: %.600s", body)
	}
}

// TestFeedParsesAsICalendar reads two families' feeds with an iCalendar parser written
// elsewhere (github.com/emersion/go-ical): both parse, every event has a UID, DTSTAMP and
// DTSTART, and no UID appears in both feeds although both families have a deadline at the same
// instant.
func TestFeedParsesAsICalendar(t *testing.T) {
	f := setup(t)
	f.book(t, "c_lea", "jules-ferry", "2026-12-07")
	f.book(t, "c_zoe", "jules-ferry", "2026-12-08")
	uids := map[string]string{}
	for _, who := range []string{"parent-a", "parent-b"} {
		if w := f.Do(t, who, http.MethodPost, "/espace-famille/calendrier", url.Values{"action": {"creer"}}); w.Code != 303 {
			t.Fatalf("create as %s: %d", who, w.Code)
		}
		w := f.Do(t, "", http.MethodGet, f.feedPath(t, who), nil)
		cal, err := ical.NewDecoder(strings.NewReader(w.Body.String())).Decode()
		if err != nil {
			t.Fatalf("%s's feed does not parse: %v", who, err)
		}
		events := cal.Events()
		deadlines := 0
		for _, ev := range events {
			uid, err := ev.Props.Text(ical.PropUID)
			if err != nil || uid == "" {
				t.Fatalf("%s: an event without UID: %v", who, err)
			}
			if other, seen := uids[uid]; seen {
				t.Fatalf("UID %s is in %s's feed and %s's", uid, other, who)
			}
			uids[uid] = who
			if _, err := ev.DateTimeStart(date.Paris); err != nil {
				t.Fatalf("%s: event %s: DTSTART: %v", who, uid, err)
			}
			if ev.Props.Get(ical.PropDateTimeStamp) == nil {
				t.Fatalf("%s: event %s without DTSTAMP", who, uid)
			}
			if strings.HasPrefix(uid, "deadline-") {
				deadlines++
			}
		}
		if deadlines == 0 || len(events) <= deadlines {
			t.Fatalf("%s's feed: %d events, %d deadlines", who, len(events), deadlines)
		}
	}
}

// Pages are parsed when first shown: every one of them must parse.
func TestPagesParse(t *testing.T) {
	if err := web.CheckPages(escaped); err != nil {
		t.Fatal(err)
	}
}
