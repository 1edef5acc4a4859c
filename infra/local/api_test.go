package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"io"
	"math/bits"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/docs"
	"github.com/preau/preau/infra/demo"
	"github.com/preau/preau/infra/openapitest"
	"github.com/preau/preau/infra/sestest"
)

// apiClient calls the JSON API of a running stack as a client would, and checks every exchange
// against docs/openapi.yaml: the request it sends and the response it gets (status, content type,
// body) must be what the document describes.
type apiClient struct {
	t     *testing.T
	base  string
	http  *http.Client
	check *openapitest.Checker
	done  map[string]bool // operationId → answered with a success (shared by the test's clients)
	ids   *[]string       // API Gateway request ids of the calls (shared too)
}

func newAPIClient(t *testing.T, base string, check *openapitest.Checker) *apiClient {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &apiClient{t: t, base: base, http: &http.Client{Jar: jar, Timeout: time.Minute}, check: check, done: map[string]bool{}, ids: new([]string)}
}

// another is a client of another person (its own cookies) whose calls count with c's.
func (c *apiClient) another(t *testing.T) *apiClient {
	o := newAPIClient(t, c.base, c.check)
	o.done, o.ids = c.done, c.ids
	return o
}

// call sends one request of operation op and returns the status and body, after checking the
// exchange against the document. A body that is a string is sent as is, anything else as JSON.
func (c *apiClient) call(t *testing.T, op, method, path string, body any, header ...string) (int, []byte) {
	t.Helper()
	return c.send(t, true, op, method, path, body, header...)
}

// callBroken sends a request that breaks the document on purpose: only the answer is checked.
func (c *apiClient) callBroken(t *testing.T, op, method, path string, body any) (int, []byte) {
	t.Helper()
	return c.send(t, false, op, method, path, body)
}

func (c *apiClient) send(t *testing.T, validRequest bool, op, method, path string, body any, header ...string) (int, []byte) {
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if id := resp.Header.Get("Apigw-Requestid"); id != "" {
		*c.ids = append(*c.ids, id)
	}
	check := c.check.Check
	if !validRequest {
		check = c.check.CheckResponse
	}
	// req carries the jar's cookies: the client added them when sending it.
	if problems := check(req, raw, resp, got); problems != "" {
		t.Errorf("%s (%s %s → %d) differs from docs/openapi.yaml:\n%s\nbody: %.600s", op, method, path, resp.StatusCode, problems, got)
	}
	if resp.StatusCode < 300 {
		c.done[op] = true
	}
	return resp.StatusCode, got
}

// expect fails the test when status is not want.
func expect(t *testing.T, what string, status, want int, body []byte) {
	t.Helper()
	if status != want {
		t.Fatalf("%s: status %d, want %d\n%.600s", what, status, want, body)
	}
}

// solveWork finds the proof of work the challenge asks for ("sha256-leading-zero-bits"): a
// decimal s such that SHA-256(challenge ":" s) starts with difficulty zero bits.
func solveWork(challenge string, difficulty int) string {
	for i := 0; ; i++ {
		s := strconv.Itoa(i)
		sum := sha256.Sum256([]byte(challenge + ":" + s))
		zeros := 0
		for j := 0; j < len(sum); j += 8 {
			w := binary.BigEndian.Uint64(sum[j:])
			zeros += bits.LeadingZeros64(w)
			if w != 0 {
				break
			}
		}
		if zeros >= difficulty {
			return s
		}
	}
}

var linkToken = regexp.MustCompile(`token=([A-Za-z0-9_%-]+)`)

// lastToken is the token of the link in the want-th e-mail to `to` whose subject contains
// subject, once it has arrived.
func lastToken(t *testing.T, box *sestest.Box, to, subject string, want int) string {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		var tokens []string
		for _, m := range box.Messages(to) {
			if sub := linkToken.FindStringSubmatch(m.Text); sub != nil && strings.Contains(m.Subject, subject) {
				token, _ := url.QueryUnescape(sub[1])
				tokens = append(tokens, token)
			}
		}
		if len(tokens) >= want {
			return tokens[want-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d e-mails %q with a link to %s, want %d", len(tokens), subject, to, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// signUp creates and confirms the account of email as a client would (challenge, proof of work,
// sign-up, the link of the confirmation e-mail) and returns the confirmation token.
func signUp(t *testing.T, c *apiClient, email, civility, lastName, firstName, password string) string {
	t.Helper()
	st, body := c.call(t, "getSignupChallenge", "GET", "/api/v1/signup/challenge", nil)
	expect(t, "challenge", st, 200, body)
	var ch struct {
		Challenge  string `json:"challenge"`
		Algorithm  string `json:"algorithm"`
		Difficulty int    `json:"difficulty"`
	}
	if err := json.Unmarshal(body, &ch); err != nil || ch.Algorithm != "sha256-leading-zero-bits" {
		t.Fatalf("challenge %s: %v", body, err)
	}
	st, body = c.call(t, "signup", "POST", "/api/v1/signup", map[string]any{
		"civility": civility, "lastName": lastName, "firstName": firstName, "email": email,
		"password": password, "passwordConfirmation": password, "acceptTerms": true,
		"antiRobotChallenge": ch.Challenge, "antiRobotSolution": solveWork(ch.Challenge, ch.Difficulty),
	})
	expect(t, "sign-up", st, 202, body)
	return lastToken(t, sestest.Mailbox(t), email, "Confirmez", 1)
}

// documentedOperations lists the operationIds of docs/openapi.yaml.
func documentedOperations(t *testing.T) []string {
	b := docs.OpenAPIJSON()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, item := range doc.Paths {
		for _, raw := range item {
			var op struct {
				OperationID string `json:"operationId"`
			}
			if json.Unmarshal(raw, &op) == nil && op.OperationID != "" {
				ops = append(ops, op.OperationID)
			}
		}
	}
	slices.Sort(ops)
	return ops
}

// testAPIAsDocumented walks a parent through every operation of docs/openapi.yaml against the
// stack's real binaries — sign up, confirm, log in, link the family, plan, book, cancel, a long
// period, change and reset the password, delete the account — plus the usual refusals, and
// checks each exchange against the document. It then reads what the functions logged meanwhile:
// every JSON line carries the request id of one of these requests, and none holds the parent's
// e-mail address, name, password or a token.
func testAPIAsDocumented(t *testing.T, base string, logs *testLog) {
	// A function's output reaches the log through a pipe: a line of a request made before this
	// walk can arrive after firstLine. The lines are told apart by the time the function logged.
	firstLine, began := logs.count(), time.Now()
	c := newAPIClient(t, base, openapitest.New(t))
	email := "camille.api-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "@example.org"
	const (
		lastName  = "Vasseur-Doc"
		firstName = "Camille"
		password  = "Api-Preau-2026"
		password2 = "Api-Preau-2027"
		password3 = "Api-Preau-2028"
		code      = "BLENFANCE-12087-R8VN-3HTE" // Famille Benali: Yanis, cantine, mercredi, vacances
	)
	secrets := []string{email, lastName, firstName, password, password2, password3}

	t.Run("public", func(t *testing.T) {
		st, body := c.call(t, "getOpenAPI", "GET", "/api/v1/openapi.json", nil)
		expect(t, "openapi.json", st, 200, body)
		st, body = c.call(t, "getDeadlines", "GET", "/api/v1/deadlines?from=2026-12-07&to=2026-12-11", nil)
		expect(t, "deadlines", st, 200, body)
		st, body = c.callBroken(t, "getDeadlines", "GET", "/api/v1/deadlines?from=2026-12-07", nil)
		expect(t, "deadlines without to", st, 400, body)
	})

	t.Run("sign up, confirm, log in", func(t *testing.T) {
		st, body := c.callBroken(t, "signup", "POST", "/api/v1/signup", map[string]any{"email": "pas-une-adresse"})
		expect(t, "incomplete sign-up", st, 400, body)
		st, body = c.callBroken(t, "signup", "POST", "/api/v1/signup", "{")
		expect(t, "malformed sign-up", st, 400, body)

		signUp(t, c, email, "Mme", lastName, firstName, password)
		st, body = c.call(t, "login", "POST", "/api/v1/login", map[string]any{"email": email, "password": password})
		expect(t, "login before confirmation", st, 403, body)
		st, body = c.call(t, "resendConfirmation", "POST", "/api/v1/signup/resend", map[string]any{"email": email})
		expect(t, "resend", st, 202, body)

		token := lastToken(t, sestest.Mailbox(t), email, "Confirmez", 2) // the resent one
		secrets = append(secrets, token)
		st, body = c.call(t, "confirmAccount", "POST", "/api/v1/confirm", map[string]any{"token": strings.Repeat("A", 43)})
		expect(t, "unknown link", st, 404, body)
		st, body = c.call(t, "confirmAccount", "POST", "/api/v1/confirm", map[string]any{"token": token})
		expect(t, "confirm", st, 200, body)

		st, body = c.callBroken(t, "getMe", "GET", "/api/v1/me", nil) // no session cookie, on purpose
		expect(t, "me before login", st, 401, body)
		st, body = c.call(t, "login", "POST", "/api/v1/login", map[string]any{"email": email, "password": password})
		expect(t, "login", st, 200, body)
	})
	if t.Failed() {
		return
	}

	var childID string
	t.Run("account and family", func(t *testing.T) {
		st, body := c.call(t, "getMe", "GET", "/api/v1/me", nil)
		expect(t, "me", st, 200, body)
		st, body = c.call(t, "updateMe", "PATCH", "/api/v1/me", map[string]any{"firstName": "Camille-Anne"})
		expect(t, "update me", st, 200, body)
		st, body = c.call(t, "linkFamily", "PUT", "/api/v1/me/family", map[string]any{"subscriberCode": "BLENFANCE-12087-ZZZZ-ZZZZ"})
		expect(t, "unknown code", st, 400, body)
		st, body = c.call(t, "linkFamily", "PUT", "/api/v1/me/family", map[string]any{"subscriberCode": code})
		expect(t, "link family", st, 200, body)
		var me struct {
			Children []struct {
				ID        string `json:"id"`
				FirstName string `json:"firstName"`
			} `json:"children"`
		}
		if err := json.Unmarshal(body, &me); err != nil {
			t.Fatal(err)
		}
		for _, ch := range me.Children {
			if ch.FirstName == "Yanis" {
				childID = ch.ID
			}
		}
		if childID == "" {
			t.Fatalf("Yanis is not among the children: %s", body)
		}
	})
	if childID == "" {
		return
	}

	t.Run("planning and reservations", func(t *testing.T) {
		child := "/api/v1/children/" + url.PathEscape(childID)
		st, body := c.call(t, "getPlanning", "GET", child+"/planning?from=2026-12-01&to=2026-12-31", nil)
		expect(t, "planning", st, 200, body)
		st, body = c.call(t, "getPlanning", "GET", "/api/v1/children/personne/planning?from=2026-12-01&to=2026-12-31", nil)
		expect(t, "someone else's child", st, 404, body)
		st, body = c.callBroken(t, "getPlanning", "GET", child+"/planning?from=2026-12-01", nil)
		expect(t, "planning without to", st, 400, body)

		day := child + "/reservations/2026-12-14/cantine"
		st, body = c.call(t, "bookDay", "PUT", day, nil)
		expect(t, "book", st, 201, body)
		st, body = c.call(t, "bookDay", "PUT", day, nil)
		expect(t, "book again", st, 200, body)
		st, body = c.call(t, "bookDay", "PUT", child+"/reservations/2026-12-02/cantine", nil)
		expect(t, "book past the deadline", st, 409, body)
		st, body = c.call(t, "cancelDay", "DELETE", day, nil)
		expect(t, "cancel", st, 204, body)

		st, body = c.call(t, "requestLongPeriod", "POST", "/api/v1/long-period-requests", map[string]any{
			"children": []string{childID}, "activities": []string{"cantine"},
			"from": "2027-01-04", "to": "2027-01-29", "weekdays": []int{1, 2, 4, 5}, "action": "book", "preview": true,
		})
		expect(t, "long period preview", st, 200, body)
		st, body = c.call(t, "requestLongPeriod", "POST", "/api/v1/long-period-requests", map[string]any{
			"children": []string{childID}, "activities": []string{"cantine"},
			"from": "2027-01-04", "to": "2027-01-15", "weekdays": []int{1, 2}, "action": "book",
		})
		expect(t, "long period", st, 200, body)
		sestest.Mailbox(t).WaitFor(email, "longue période", time.Minute)
	})

	// A second parent joins the family with the same code; the first removes them. Each
	// person's logins and re-authentications stay under the account's limit
	// (MaxAttemptsAccount in 15 minutes, right or wrong).
	d := c.another(t)
	demail := "dominique.api-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "@example.org"
	secrets = append(secrets, demail, "Dominique", "Vasseur-Second")
	t.Run("a second parent, removed by the first", func(t *testing.T) {
		token := signUp(t, d, demail, "M", "Vasseur-Second", "Dominique", password2)
		secrets = append(secrets, token)
		st, body := d.call(t, "confirmAccount", "POST", "/api/v1/confirm", map[string]any{"token": token})
		expect(t, "confirm", st, 200, body)
		st, body = d.call(t, "login", "POST", "/api/v1/login", map[string]any{"email": demail, "password": password2 + "x"})
		expect(t, "wrong password", st, 401, body)
		st, body = d.call(t, "login", "POST", "/api/v1/login", map[string]any{"email": demail, "password": password2})
		expect(t, "login", st, 200, body)
		st, body = d.call(t, "linkFamily", "PUT", "/api/v1/me/family", map[string]any{"subscriberCode": code})
		expect(t, "second parent links", st, 200, body)

		st, body = c.call(t, "removeFamilyMember", "DELETE", "/api/v1/me/family/members", map[string]any{"email": "personne@example.org"})
		expect(t, "remove a stranger", st, 404, body)
		st, body = c.call(t, "removeFamilyMember", "DELETE", "/api/v1/me/family/members", map[string]any{"email": demail})
		expect(t, "remove the second parent", st, 200, body)
		st, body = d.call(t, "getPlanning", "GET", "/api/v1/children/"+url.PathEscape(childID)+"/planning?from=2026-12-01&to=2026-12-31", nil)
		expect(t, "the removed parent's planning", st, 404, body)
	})

	t.Run("reminders and export", func(t *testing.T) {
		st, body := c.call(t, "getReminderPreferences", "GET", "/api/v1/me/reminders", nil)
		expect(t, "reminder preferences", st, 200, body)
		st, body = c.call(t, "setReminderPreferences", "PUT", "/api/v1/me/reminders", map[string]any{
			"enabled": true, "activities": []string{"cantine"}, "weekdays": []int{1, 2, 4}, "weeklySummary": true,
		})
		expect(t, "set reminder preferences", st, 200, body)
		st, body = c.callBroken(t, "setReminderPreferences", "PUT", "/api/v1/me/reminders", map[string]any{"enabled": true})
		expect(t, "incomplete reminder preferences", st, 400, body)
		st, body = c.call(t, "exportMe", "GET", "/api/v1/me/export", nil)
		expect(t, "export", st, 200, body)
		if !strings.Contains(string(body), "Yanis") {
			t.Errorf("the export lacks the family's child: %.300s", body)
		}
		st, body = c.call(t, "exportMe", "GET", "/api/v1/me/export?format=csv", nil)
		expect(t, "export as CSV", st, 200, body)
	})

	// The demo parent's family has last month's invoice to pay.
	t.Run("invoices and payment", func(t *testing.T) {
		m := c.another(t)
		st, body := m.call(t, "login", "POST", "/api/v1/login", map[string]any{"email": demo.ParentEmail, "password": demo.ParentPassword})
		expect(t, "demo parent's login", st, 200, body)
		st, body = m.call(t, "listInvoices", "GET", "/api/v1/invoices", nil)
		expect(t, "invoices", st, 200, body)
		var list struct {
			Invoices []struct {
				ID string `json:"id"`
			} `json:"invoices"`
		}
		if err := json.Unmarshal(body, &list); err != nil || len(list.Invoices) == 0 {
			t.Fatalf("no invoice for the demo family: %v %s", err, body)
		}
		inv := "/api/v1/invoices/" + list.Invoices[0].ID
		st, body = m.call(t, "getInvoice", "GET", inv, nil)
		expect(t, "invoice", st, 200, body)
		st, body = m.call(t, "getInvoicePdf", "GET", inv+"/pdf", nil)
		expect(t, "invoice PDF", st, 200, body)
		if !bytes.HasPrefix(body, []byte("%PDF-")) {
			t.Errorf("not a PDF: %.20q", body)
		}
		st, body = c.call(t, "getInvoice", "GET", inv, nil) // another family's invoice
		expect(t, "another family's invoice", st, 404, body)
		st, body = m.call(t, "startPayment", "POST", inv+"/payments", nil)
		expect(t, "start a payment", st, 201, body)
		if !strings.Contains(string(body), "paiementws.web?idop=") {
			t.Errorf("the redirect is not PayFiP's payment page: %s", body)
		}
	})

	t.Run("passwords, logout, deletion", func(t *testing.T) {
		st, body := c.call(t, "changePassword", "PUT", "/api/v1/me/password", map[string]any{
			"currentPassword": password, "password": password2, "passwordConfirmation": password2,
		})
		expect(t, "change password", st, 204, body)
		st, body = c.call(t, "logout", "POST", "/api/v1/logout", nil, "Origin", "https://ailleurs.example", "Sec-Fetch-Site", "cross-site")
		expect(t, "cross-site logout", st, 403, body)
		st, body = c.call(t, "logout", "POST", "/api/v1/logout", nil)
		expect(t, "logout", st, 204, body)

		st, body = c.call(t, "requestPasswordReset", "POST", "/api/v1/password-reset", map[string]any{"email": email})
		expect(t, "reset request", st, 202, body)
		token := lastToken(t, sestest.Mailbox(t), email, "Réinitialisation", 1)
		secrets = append(secrets, token)
		st, body = c.call(t, "confirmPasswordReset", "POST", "/api/v1/password-reset/confirm", map[string]any{
			"token": token, "password": password3, "passwordConfirmation": password3,
		})
		expect(t, "reset", st, 204, body)

		st, body = c.call(t, "login", "POST", "/api/v1/login", map[string]any{"email": email, "password": password3})
		expect(t, "login with the new password", st, 200, body)
		for _, cl := range []*apiClient{c, d} {
			for _, ck := range cl.http.Jar.Cookies(&url.URL{Scheme: "http", Host: strings.TrimPrefix(base, "http://"), Path: "/"}) {
				secrets = append(secrets, ck.Value)
			}
		}
		// The removed second parent deletes their account.
		st, body = d.call(t, "deleteMe", "DELETE", "/api/v1/me", map[string]any{"password": password3})
		expect(t, "delete with a wrong password", st, 400, body)
		st, body = d.call(t, "deleteMe", "DELETE", "/api/v1/me", map[string]any{"password": password2})
		expect(t, "delete", st, 204, body)
		st, body = d.callBroken(t, "getMe", "GET", "/api/v1/me", nil) // the cookie was cleared
		expect(t, "me once deleted", st, 401, body)
	})

	t.Run("every operation answered", func(t *testing.T) {
		for _, op := range documentedOperations(t) {
			if !c.done[op] {
				t.Errorf("operation %s was never answered with a success", op)
			}
		}
	})

	t.Run("logs carry the request id and no personal data", func(t *testing.T) {
		// A function's lines reach the log through a pipe, after its answer: wait until every
		// request made has its line, or a while.
		var lines []string
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			lines = logs.since(firstLine)
			if missing := requestsWithoutLine(lines, *c.ids); len(missing) == 0 || time.Now().After(deadline) {
				for _, id := range missing {
					t.Errorf("request %s logged no line: every request logs at least one", id)
				}
				break
			}
		}
		for _, line := range lines {
			entry, out, ok := functionLine(line)
			if !ok {
				continue
			}
			if entry == nil {
				t.Errorf("not a JSON line: %s", out)
				continue
			}
			logged, _ := entry["time"].(string)
			if at, err := time.Parse(time.RFC3339Nano, logged); err != nil {
				t.Errorf("a line without its time: %s", out)
			} else if at.Before(began) {
				continue // logged before the walk began, for an earlier test's request
			}
			id, _ := entry["request_id"].(string)
			if !slices.Contains(*c.ids, id) {
				t.Errorf("line without the id of a request made: %s", out)
			}
			for _, s := range secrets {
				if strings.Contains(strings.ToLower(out), strings.ToLower(s)) {
					t.Errorf("a log line holds personal data or a secret (%.6s…): %s", s, out)
				}
			}
		}
	})
}

// functionLine reads one line of the stack's log: ok when a function printed it
// ("[Function#n] <JSON>"; the stack's own lines have no bracket), with its entry, or a nil entry
// when it is no JSON.
func functionLine(line string) (entry map[string]any, out string, ok bool) {
	_, out, ok = strings.Cut(line, "] ")
	if !ok || !strings.HasPrefix(line, "[") || !strings.HasPrefix(out, "{") {
		return nil, out, false
	}
	if err := json.Unmarshal([]byte(out), &entry); err != nil {
		return nil, out, true
	}
	return entry, out, true
}

// requestsWithoutLine returns the ids of which no function line has arrived yet.
func requestsWithoutLine(lines, ids []string) []string {
	seen := map[string]bool{}
	for _, line := range lines {
		if entry, _, ok := functionLine(line); ok && entry != nil {
			id, _ := entry["request_id"].(string)
			seen[id] = true
		}
	}
	var missing []string
	for _, id := range ids {
		if !seen[id] {
			missing = append(missing, id)
		}
	}
	return missing
}
