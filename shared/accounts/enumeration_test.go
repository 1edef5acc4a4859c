package accounts_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	"github.com/preau/preau/infra/dynamotest"
	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/accounts/accountstest"
	"github.com/preau/preau/shared/accounts/argon2id"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/store"
)

// calls records the DynamoDB operations a client makes, in order.
type calls struct {
	mu  sync.Mutex
	ops []string
}

func (c *calls) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	ops := c.ops
	c.ops = nil
	return ops
}

func (c *calls) middleware(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("count-calls",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			c.mu.Lock()
			c.ops = append(c.ops, awsmiddleware.GetOperationName(ctx))
			c.mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
}

// mailbox is a Notifier that only counts what it would send.
type mailbox struct {
	mu    sync.Mutex
	links map[string]string
}

func (m *mailbox) put(to, link string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.links[to] = link
	return nil
}
func (m *mailbox) SendConfirmation(_ context.Context, to, _, link string, _ time.Duration) error {
	return m.put(to, link)
}
func (m *mailbox) SendAlreadyRegistered(_ context.Context, to, _, _, _ string) error {
	return m.put(to, "")
}
func (m *mailbox) SendPasswordReset(_ context.Context, to, _, link string, _ time.Duration) error {
	return m.put(to, link)
}
func (m *mailbox) SendPasswordChanged(_ context.Context, to, _, _ string) error { return m.put(to, "") }

// testConfig is the account settings of these tests, with cheap hashing.
func testConfig(clk clock.Clock) accounts.Config {
	return accounts.NewConfig(clk, func(p string) string { return "https://portail.example" + p }, "BLENFANCE-12087-", nil, accountstest.Key,
		argon2id.Hasher{Params: argon2id.Params{MemoryKiB: 1024, Time: 1, Threads: 1}})
}

// TestLinkRequestsCostTheSame: asking for a reset link or a new confirmation link makes the
// same DynamoDB calls whether the address has an account (confirmed or not) or none.
func TestLinkRequestsCostTheSame(t *testing.T) {
	db := dynamotest.New(t)
	var rec calls
	client := dynamodb.New(db.Client.Options(), func(o *dynamodb.Options) { o.APIOptions = append(o.APIOptions, rec.middleware) })
	st := store.New(client, store.Tables{Data: db.DataTable, Session: db.SessionTable})
	box := &mailbox{links: map[string]string{}}
	clk := clock.NewFixed(time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC))
	cfg := testConfig(clk)
	cfg.MailRequestFloor = 0 // the floor hides SES's latency; here only the calls are compared
	signups := &accounts.Signups{Config: cfg, Store: st, Mail: box}
	resets := &accounts.Resets{Config: cfg, Store: st, Mail: box}
	confirmations := &accounts.Confirmations{Config: cfg, Store: st, Mail: box}
	ctx := context.Background()
	in := accounts.SignupInput{Civility: "Mme", LastName: "Martin", FirstName: "Anne", Password: "Laigneville-2026x",
		PasswordConfirmation: "Laigneville-2026x", AcceptTerms: true}
	in.Email = "confirmed@example.org"
	if err := signups.Signup(ctx, in); err != nil {
		t.Fatal(err)
	}
	acc, err := st.Account(ctx, in.Email)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ConfirmAccount(ctx, in.Email, acc.SessionStamp, clk.Now()); err != nil {
		t.Fatal(err)
	}
	in.Email = "unconfirmed@example.org"
	if err := signups.Signup(ctx, in); err != nil {
		t.Fatal(err)
	}
	requests := []struct {
		name string
		do   func(email string) error
		real string // the address that gets an e-mail
	}{
		{"reset", func(e string) error { return resets.RequestReset(ctx, e, "192.0.2.1") }, "confirmed@example.org"},
		{"resend", func(e string) error { return confirmations.ResendConfirmation(ctx, e, "", "192.0.2.1") }, "unconfirmed@example.org"},
	}
	for _, r := range requests {
		t.Run(r.name, func(t *testing.T) {
			var want []string
			for _, email := range []string{r.real, "nobody@example.org", "confirmed@example.org"} {
				rec.take()
				if err := r.do(email); err != nil {
					t.Fatal(err)
				}
				got := rec.take()
				if want == nil {
					want = got
					if len(want) < 3 {
						t.Fatalf("real request made only %v", want)
					}
					continue
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s: calls %v, the real request made %v", email, got, want)
				}
			}
		})
	}
	if _, ok := box.links["nobody@example.org"]; ok {
		t.Error("an e-mail went to an address without an account")
	}
	if box.links["unconfirmed@example.org"] == "" || box.links["confirmed@example.org"] == "" {
		t.Errorf("links sent %v", box.links)
	}
}

// TestSignupPathsTakeTheFloor: a sign-up with a new address, with the address of an
// unconfirmed account and with that of a confirmed one make different storage calls; each
// lasts at least the floor, so its duration does not tell them apart. (A lower bound only:
// the floor is a wait, not a speed target.)
func TestSignupPathsTakeTheFloor(t *testing.T) {
	db := dynamotest.New(t)
	st := store.New(db.Client, store.Tables{Data: db.DataTable, Session: db.SessionTable})
	box := &mailbox{links: map[string]string{}}
	clk := clock.NewFixed(time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC))
	cfg := testConfig(clk)
	const floor = 50 * time.Millisecond
	cfg.MailRequestFloor = floor
	signups := &accounts.Signups{Config: cfg, Store: st, Mail: box}
	ctx := context.Background()
	in := accounts.SignupInput{Civility: "Mme", LastName: "Martin", FirstName: "Anne", Password: "Laigneville-2026x",
		PasswordConfirmation: "Laigneville-2026x", AcceptTerms: true}
	signup := func(email string) (time.Duration, error) {
		in.Email = email
		start := time.Now()
		err := signups.Signup(ctx, in)
		return time.Since(start), err
	}
	if _, err := signup("confirmed@example.org"); err != nil {
		t.Fatal(err)
	}
	acc, err := st.Account(ctx, "confirmed@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ConfirmAccount(ctx, acc.Email, acc.SessionStamp, clk.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := signup("unconfirmed@example.org"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, email string }{
		{"new address", "new@example.org"},
		{"unconfirmed account", "unconfirmed@example.org"},
		{"confirmed account", "confirmed@example.org"},
	} {
		t.Run(c.name, func(t *testing.T) {
			took, err := signup(c.email)
			if err != nil {
				t.Fatal(err)
			}
			if took < floor {
				t.Errorf("took %v, under the %v floor", took, floor)
			}
		})
	}
}
