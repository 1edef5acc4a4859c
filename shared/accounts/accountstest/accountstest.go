// Package accountstest sets up the account rules for integration tests: fresh tables on the
// DynamoDB emulator, the real Mailer on the SES emulator, a fixed clock, and helpers that read
// the e-mails' links. Run with `make test`.
package accountstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ses"

	"github.com/preau/preau/infra/dynamotest"
	"github.com/preau/preau/infra/sestest"
	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/mail"
	"github.com/preau/preau/shared/store"
)

// Settings of the test commune.
const (
	Commune    = "Laigneville"
	CodePrefix = "BLENFANCE-12087-"
	BaseURL    = "https://portail-famille.laigneville.fr"
	Password   = "Laigneville-2026x"
)

// Secret keys the anti-robot challenges of the tests.
var Secret = []byte("test-secret-test-secret-test-secret!")

// Env is one test's account stack.
type Env struct {
	Store   *store.Store
	Service *accounts.Service
	Clock   *clock.Fixed
	Box     *sestest.Box
	Anti    *accounts.AntiRobot
}

// Start is the instant the tests' clock starts at.
var Start = time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)

// New builds the stack; antiRobot chooses whether the proof is required.
func New(t testing.TB, antiRobot bool) *Env {
	t.Helper()
	db := dynamotest.New(t)
	st := store.New(db.Client, store.Tables{Data: db.DataTable, Session: db.SessionTable})
	ep := os.Getenv("AWS_ENDPOINT_URL_SES")
	if ep == "" {
		t.Fatal("SES emulator not configured: run the tests with `make test`")
	}
	client := ses.New(ses.Options{Region: "eu-west-3", BaseEndpoint: aws.String(ep),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	m := mail.New(client, "portail-famille@laigneville.fr").ForCommune(Commune)
	clk := clock.NewFixed(Start)
	var anti *accounts.AntiRobot
	if antiRobot {
		anti = accounts.NewAntiRobot(Secret, 8) // low difficulty: tests solve it in Go
	}
	link := func(p string) string { return BaseURL + p }
	svc := accounts.NewService(st, m, clk, link, CodePrefix, anti, Secret)
	// Cheap hashing keeps the race-detector runs short; `make bench` measures the real parameters.
	svc.Hash = accounts.HashParams{MemoryKiB: 1024, Time: 1, Threads: 1}
	// No floor on sign-up, reset and resend requests: it hides latencies from observers, and
	// would only slow these tests (enumeration_test.go checks it applies).
	svc.MailRequestFloor = 0
	return &Env{Store: st, Service: svc, Clock: clk, Box: sestest.Mailbox(t), Anti: anti}
}

// Email returns an address no other test uses (the emulator's mailbox is shared).
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

// Input is a valid sign-up for email (with a solved proof when the check is on).
func (e *Env) Input(email string) accounts.SignupInput {
	in := accounts.SignupInput{Civility: "Mme", LastName: "Martin", FirstName: "Anne", Email: email,
		Password: Password, PasswordConfirmation: Password, AcceptTerms: true}
	if e.Anti != nil {
		c := e.Anti.Issue(e.Clock.Now())
		in.AntiRobotChallenge, in.AntiRobotSolution = c.Token, accounts.Solve(c.Token, c.Difficulty)
	}
	return in
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
