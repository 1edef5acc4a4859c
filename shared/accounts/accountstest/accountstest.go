// Package accountstest sets up the account use cases for tests: on the in-memory store
// (NewMemory) for handler tests that need no emulator, or on any Store, such as the DynamoDB
// store on the emulator; the real Mailer renders the e-mails into an Outbox; the clock is
// fixed. StoreContract is the one suite both stores pass. It imports nothing of infra/ (test
// infrastructure points at the code, not the reverse) and needs no emulator.
package accountstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/accounts/argon2id"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/mail"
	"github.com/preau/preau/shared/secret"
)

// Settings of the test commune.
const (
	Commune    = "Laigneville"
	CodePrefix = "BLENFANCE-12087-"
	BaseURL    = "https://portail-famille.laigneville.fr"
	Password   = "Laigneville-2026x"
)

// Secret keys the anti-robot challenges of the tests; Key holds it as the functions do.
var (
	Secret = []byte("test-secret-test-secret-test-secret!")
	Key    = secret.Fixed(Secret)
)

// Start is the instant the tests' clock starts at.
var Start = time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)

// Services are the account use cases, built on one store and one mailer.
type Services struct {
	*accounts.Signups
	*accounts.Confirmations
	*accounts.Logins
	*accounts.Resets
	*accounts.PasswordChanges
	*accounts.Profiles
	*accounts.FamilyLinks
	*accounts.Memberships
	*accounts.Deletions
}

// Env is one test's account stack.
type Env struct {
	Store   Store
	Config  accounts.Config
	Service Services
	Clock   *clock.Fixed
	Box     *Outbox
	Mailer  *mail.Mailer
	Anti    *accounts.AntiRobot
}

// New builds the use cases on st; antiRobot chooses whether the proof is required.
func New(t testing.TB, st Store, antiRobot bool) *Env {
	t.Helper()
	box := NewOutbox(t)
	m := mail.NewWithTransport(box, "portail-famille@laigneville.fr").ForCommune(Commune)
	clk := clock.NewFixed(Start)
	var anti *accounts.AntiRobot
	if antiRobot {
		anti = accounts.NewAntiRobot(Key, 8) // low difficulty: tests solve it in Go
	}
	// Cheap hashing keeps the race-detector runs short; `make bench` measures the real parameters.
	cheap := argon2id.Hasher{Params: argon2id.Params{MemoryKiB: 1024, Time: 1, Threads: 1}}
	cfg := accounts.NewConfig(clk, func(p string) string { return BaseURL + p }, CodePrefix, anti, Key, cheap)
	// No floor on sign-up, reset and resend requests: it hides latencies from observers, and
	// would only slow these tests (enumeration_test.go checks it applies).
	cfg.MailRequestFloor = 0
	return &Env{Store: st, Config: cfg, Service: Build(cfg, st, m), Clock: clk, Box: box, Mailer: m, Anti: anti}
}

// Build wires every use case on one store and one mailer, as the functions' main.go do.
func Build(cfg accounts.Config, st Store, m *mail.Mailer) Services {
	links := &accounts.FamilyLinks{Config: cfg, Store: st, Mail: m}
	return Services{
		Signups:         &accounts.Signups{Config: cfg, Store: st, Mail: m},
		Confirmations:   &accounts.Confirmations{Config: cfg, Store: st, Mail: m, Family: links},
		Logins:          &accounts.Logins{Config: cfg, Store: st},
		Resets:          &accounts.Resets{Config: cfg, Store: st, Mail: m},
		PasswordChanges: &accounts.PasswordChanges{Config: cfg, Store: st, Mail: m},
		Profiles:        &accounts.Profiles{Config: cfg, Store: st},
		FamilyLinks:     links,
		Memberships:     &accounts.Memberships{Config: cfg, Store: st, Mail: m},
		Deletions:       &accounts.Deletions{Config: cfg, Store: st},
	}
}

// Email returns an address no other test uses.
func Email(prefix string) string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:]) + "@example.org"
}

// Family registers a family with one child and an issued code, and returns the code.
func (e *Env) Family(t testing.TB, name string, revoked bool) (familyID, code string) {
	t.Helper()
	ctx := context.Background()
	familyID = family.NewID("f_")
	code = family.NewCode(CodePrefix)
	must(t, e.Store.PutFamily(ctx, family.Family{ID: familyID, Name: "Famille " + name, SubscriberCode: code, QuotientBracket: "B"}))
	must(t, e.Store.PutChild(ctx, family.Child{ID: family.NewID("c_"), FamilyID: familyID, FirstName: "Léa", LastName: name}))
	must(t, e.Store.PutSubscriberCode(ctx, family.SubscriberCode{Code: code, FamilyID: familyID, Revoked: revoked}))
	return familyID, code
}

// Challenge issues an anti-robot challenge at the test's clock, as a page does.
func (e *Env) Challenge(t testing.TB) accounts.Challenge {
	t.Helper()
	c, err := e.Anti.Issue(context.Background(), e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Input is a valid sign-up for email (with a solved proof when the check is on).
func (e *Env) Input(email string) accounts.SignupInput {
	in := accounts.SignupInput{Civility: "Mme", LastName: "Martin", FirstName: "Anne", Email: email,
		Password: Password, PasswordConfirmation: Password, AcceptTerms: true, ClientAddr: NewAddr()}
	if e.Anti != nil {
		c, err := e.Anti.Issue(context.Background(), e.Clock.Now())
		if err != nil {
			panic(err) // a fixed key is always there
		}
		in.AntiRobotChallenge, in.AntiRobotSolution = c.Token, accounts.Solve(c.Token, c.Difficulty)
	}
	return in
}

var lastAddr atomic.Int32

// NewAddr returns a client address no other call returned (in 198.18.0.0/15, kept for
// tests), so the per-address limits of one test do not reach another's.
func NewAddr() string {
	n := lastAddr.Add(1)
	return "198.18." + strconv.Itoa(int(n/250)%250) + "." + strconv.Itoa(int(n%250)+1)
}

var linkRE = regexp.MustCompile(`https://portail-famille\.laigneville\.fr(/[a-z-]+)\?token=([A-Za-z0-9_%-]+)`)

// LinkIn returns the path and token of the link in a mail's text part.
func LinkIn(t testing.TB, text string) (path, token string) {
	t.Helper()
	m := linkRE.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no link in mail:\n%s", text)
	}
	tok, err := url.QueryUnescape(m[2])
	if err != nil {
		t.Fatal(err)
	}
	return m[1], tok
}

// ConfirmedAccount signs email up and follows the confirmation e-mail's link.
func (e *Env) ConfirmedAccount(t testing.TB, email string) {
	t.Helper()
	ctx := context.Background()
	must(t, e.Service.Signup(ctx, e.Input(email)))
	msg := e.Box.WaitFor(email, "Confirmez", 5*time.Second)
	_, tok := LinkIn(t, msg.Text)
	_, err := e.Service.Confirm(ctx, tok)
	must(t, err)
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// NotASolution returns a solution that certainly fails the proof of work of token: its hash
// starts with a one bit, so it misses every difficulty. A fixed string would pass an easy test
// difficulty by chance (one run in 256 at 8 bits).
func NotASolution(token string) string {
	for i := 0; ; i++ {
		s := "wrong-" + strconv.Itoa(i)
		if !accounts.SolvesWork(token, s, 1) {
			return s
		}
	}
}

// MemberEmails returns the addresses of the family's members.
func (e *Env) MemberEmails(t testing.TB, familyID string) []string {
	t.Helper()
	ms, err := e.Store.FamilyMembers(context.Background(), familyID)
	must(t, err)
	out := []string{}
	for _, m := range ms {
		out = append(out, m.Email)
	}
	return out
}
