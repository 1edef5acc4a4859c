package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/infra/demo"
	"github.com/preau/preau/infra/localaws"
	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/staff"
	"github.com/preau/preau/shared/store"
)

// concreteGestion lists, for the back-office's greedy routes, the pages and forms that stand
// for them (GestionPages and GestionForms serve every path under /gestion/).
var concreteGestion = map[string][]string{
	"GET /gestion/{path+}": {"/gestion/accueil", "/gestion/journal", "/gestion/familles", "/gestion/familles/" + demo.Families[0].ID, "/gestion/import",
		"/gestion/effectifs?jour=2026-12-07", "/gestion/effectifs/semaine", "/gestion/effectifs.csv"},
	"POST /gestion/{path+}": {"/gestion/familles", "/gestion/familles/" + demo.Families[0].ID + "/code", "/gestion/import"},
}

// concretePath fills a template route's path parameters with values of the demo commune.
func concretePath(p string) string {
	return strings.NewReplacer("{childId}", demo.Families[0].Children[0].ID, "{date}", "2026-12-07",
		"{activity}", "cantine", "{token}", strings.Repeat("A", 43), "{file+}", "preau.css", "{action}", "profil").Replace(p)
}

// testSessionsStayOnTheirSide checks, on every route of template.yaml, that a parent's session
// opens no back-office route (it is treated as no session at all) and that a staff session,
// verified or not, is nobody outside /gestion/ (the answer is the anonymous one, so no family's
// data). It runs inside TestRealFunctions, on its stack of real binaries.
func testSessionsStayOnTheirSide(t *testing.T, stack *Stack, base string, client *http.Client) {
	ctx := context.Background()
	st := store.New(localaws.DynamoDB(stack.opts.DynamoDB),
		store.Tables{Data: stack.opts.TableNames["DataTable"], Session: stack.opts.TableNames["SessionTable"]})
	now := stack.Now()

	parentToken, parentHash := accounts.NewSecret()
	acc, err := st.Account(ctx, demo.ParentEmail)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutSession(ctx, accounts.Session{Hash: parentHash, Email: acc.Email, Stamp: acc.SessionStamp,
		CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	member, err := st.Member(ctx, demo.StaffEmail)
	if err != nil {
		t.Fatal(err)
	}
	staffCookies := map[string]string{}
	for _, verified := range []bool{true, false} {
		tok, hash := accounts.NewSecret() // the same shape as staff tokens
		if err := st.PutStaffSession(ctx, staff.Session{Hash: hash, Email: member.Email, Stamp: member.Stamp, Verified: verified,
			CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		name := map[bool]string{true: "staff", false: "staff-pending"}[verified]
		staffCookies[name] = "preau_staff=" + tok
	}
	parent := "preau_session=" + parentToken

	var send func(t *testing.T, method, path, cookie string) (int, string, string)
	sendOnce := func(t *testing.T, method, path, cookie string) (int, string, string) {
		t.Helper()
		var body *strings.Reader
		if method == http.MethodGet || method == http.MethodDelete {
			body = strings.NewReader("")
		} else {
			body = strings.NewReader(url.Values{"x": {"1"}}.Encode())
		}
		req, _ := http.NewRequest(method, base+path, body)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if method != http.MethodGet {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if strings.HasPrefix(path, "/api/") {
				req.Header.Set("Content-Type", "application/json")
			}
		}
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var sb strings.Builder
		buf := make([]byte, 32<<10)
		for {
			n, err := res.Body.Read(buf)
			sb.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return res.StatusCode, res.Header.Get("Location"), sb.String()
	}
	// A cold start on a loaded machine may pass a function's timeout (a 500 from the local
	// gateway): the second try finds the instance warm.
	send = func(t *testing.T, method, path, cookie string) (int, string, string) {
		t.Helper()
		code, loc, body := sendOnce(t, method, path, cookie)
		if code >= 500 {
			code, loc, body = sendOnce(t, method, path, cookie)
		}
		return code, loc, body
	}

	// Sanity: the parent's session is live (the planning shows the family's child).
	code, _, body := send(t, "GET", "/espace-famille/planning", parent)
	if code != 200 || !strings.Contains(body, "Léa") {
		t.Fatalf("the parent's session does not work: %d", code)
	}
	family := []string{"Léa", "Hugo", demo.Families[0].Children[0].ID}
	routes := 0
	for _, f := range stack.tpl.Functions {
		for _, r := range f.Routes {
			if r.Path == "$default" {
				continue // no path of its own: unmatched requests, checked by the $default 404 test
			}
			paths := concreteGestion[r.RouteKey()]
			if paths == nil {
				paths = []string{concretePath(r.Path)}
			}
			for _, p := range paths {
				routes++
				gestion := p == "/gestion" || strings.HasPrefix(p, "/gestion/")
				t.Run(r.Method+" "+p, func(t *testing.T) {
					anonCode, anonLoc, _ := send(t, r.Method, p, "")
					if gestion {
						for _, who := range []string{"parent", "staff-pending"} {
							cookie := map[string]string{"parent": parent, "staff-pending": staffCookies["staff-pending"]}[who]
							code, loc, _ := send(t, r.Method, p, cookie)
							if code == 200 || (who == "parent" && (code != anonCode || loc != anonLoc)) {
								t.Errorf("%s: %d %s, anonymous gets %d %s", who, code, loc, anonCode, anonLoc)
							}
						}
						if p != "/gestion" && r.Method == "GET" {
							if code, loc, _ := send(t, r.Method, p, staffCookies["staff"]); code != 200 {
								t.Errorf("verified staff: %d %s", code, loc)
							}
						}
						return
					}
					for _, who := range []string{"staff", "staff-pending"} {
						code, loc, body := send(t, r.Method, p, staffCookies[who])
						if code != anonCode || loc != anonLoc {
							t.Errorf("%s: %d %s, anonymous gets %d %s", who, code, loc, anonCode, anonLoc)
						}
						for _, s := range family {
							if strings.Contains(body, s) {
								t.Errorf("%s sees %q", who, s)
							}
						}
					}
				})
			}
		}
	}
	if routes < 40 {
		t.Errorf("only %d routes checked", routes)
	}
}
