package billingtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
)

// Store is everything billing stores: what the contract suite checks.
type Store interface {
	billing.Ledger
	billing.InvoiceReader
	billing.Payments
	billing.Desk
}

// Notifier counts the e-mails it is asked to send.
type Notifier struct {
	mu       sync.Mutex
	Invoices []Sent
	Receipts []Sent
	// Fail makes every send fail while set.
	Fail atomic.Bool
}

// Sent is one e-mail a Notifier was asked to send.
type Sent struct {
	To     string
	Notice billing.InvoiceNotice
}

// SendInvoice implements billing.Notifier.
func (n *Notifier) SendInvoice(_ context.Context, to, familyName, period, number, amount, dueDate, link string) error {
	in := billing.InvoiceNotice{FamilyName: familyName, Period: period, Number: number, Amount: amount, DueDate: dueDate, Link: link}
	if n.Fail.Load() {
		return errors.New("mail down")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.Invoices = append(n.Invoices, Sent{to, in})
	return nil
}

// SendReceipt implements billing.Notifier.
func (n *Notifier) SendReceipt(_ context.Context, to, familyName, period, number, amount, paidOn, link string) error {
	in := billing.InvoiceNotice{FamilyName: familyName, Period: period, Number: number, Amount: amount, PaidOn: paidOn, Link: link}
	if n.Fail.Load() {
		return errors.New("mail down")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.Receipts = append(n.Receipts, Sent{to, in})
	return nil
}

// Counts returns how many invoice and receipt e-mails were sent.
func (n *Notifier) Counts() (invoices, receipts int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.Invoices), len(n.Receipts)
}

// Commune is a small commune's books for tests: families f_01…f_<n>, each with one child booked
// every Monday, Tuesday, Thursday and Friday of November 2026 (17 days) at the canteen (bracket B, 2,50 € a day).
func Commune(n int) *Books {
	b := NewBooks()
	b.AddActivity(family.Activity{Activity: calendar.Canteen, Site: "ecole", SiteName: "École", PriceCents: map[string]int64{"A": 120, "B": 250}})
	for i := 1; i <= n; i++ {
		fid, cid := fmt.Sprintf("f_%03d", i), fmt.Sprintf("c_%03d", i)
		b.AddHousehold(billing.Household{Family: family.Family{ID: fid, Name: fmt.Sprintf("Famille %03d", i), QuotientBracket: "B"},
			Children: []family.Child{{ID: cid, FamilyID: fid, FirstName: "Enfant"}}, Members: []string{fid + "@example.org"}})
		for d := range date.Range(November, November.AddDays(29)) {
			if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday && wd != time.Wednesday {
				b.Book(fid, cid, calendar.Canteen, "ecole", d)
			}
		}
	}
	return b
}

// November is the month the contract suite bills.
var November = date.New(2026, time.November, 1)

// RunAt is when the contract suite's runs happen: 1 December 2026, 06:00 Paris.
var RunAt = time.Date(2026, time.December, 1, 6, 0, 0, 0, date.Paris)

// failingLedger fails the n-th PutInvoice (counting from 1), as a run stopped half-way.
type failingLedger struct {
	Store
	n     int32
	calls atomic.Int32
}

func (f *failingLedger) PutInvoice(ctx context.Context, inv billing.Invoice) (bool, error) {
	if f.calls.Add(1) == f.n {
		return false, errors.New("write lost")
	}
	return f.Store.PutInvoice(ctx, inv)
}

// TestStore runs the contract suite against the stores newStore makes (a fresh, empty one per
// call).
func TestStore(t *testing.T, newStore func(t *testing.T) Store) {
	ctx := context.Background()
	const families = 12

	runner := func(books *Books, l billing.Ledger, n *Notifier) *billing.Runner {
		return &billing.Runner{Books: books, Ledger: l, Notifier: n, Link: func(p string) string { return "https://portail.test" + p }, Workers: 4}
	}
	// checkNumbers holds the invariant of every scenario: one invoice per family, numbered
	// 2026000001… with no gap and no duplicate, each family told once.
	checkNumbers := func(t *testing.T, s Store, n *Notifier) {
		t.Helper()
		var numbers []string
		for i := 1; i <= families; i++ {
			invs, err := s.Invoices(ctx, fmt.Sprintf("f_%03d", i))
			if err != nil {
				t.Fatal(err)
			}
			if len(invs) != 1 {
				t.Fatalf("family %d has %d invoices, want 1", i, len(invs))
			}
			if invs[0].TotalCents != 17*250 || len(invs[0].Lines) != 1 || invs[0].Lines[0].Days != 17 {
				t.Errorf("invoice of family %d = %+v, want 17 days at 2,50 €", i, invs[0])
			}
			numbers = append(numbers, invs[0].Number)
		}
		slices.Sort(numbers)
		for i, num := range numbers {
			if want := billing.Number(2026, i+1); num != want {
				t.Fatalf("numbers = %v, want 2026000001…%s with no gap nor duplicate", numbers, billing.Number(2026, families))
			}
		}
		if got, _ := n.Counts(); got != families {
			t.Errorf("%d invoice e-mails, want %d (one per family)", got, families)
		}
	}

	t.Run("run then rerun changes nothing", func(t *testing.T) {
		s, n := newStore(t), &Notifier{}
		books := Commune(families)
		rep, err := runner(books, s, n).Run(ctx, November, RunAt)
		if err != nil || rep.Created != families || rep.Notified != families {
			t.Fatalf("first run = %+v, %v", rep, err)
		}
		rep, err = runner(books, s, n).Run(ctx, November, RunAt.Add(time.Hour))
		if err != nil || rep.Created != 0 || rep.Notified != 0 || rep.Invoices != families {
			t.Fatalf("second run = %+v, %v; want nothing created nor sent", rep, err)
		}
		checkNumbers(t, s, n)
		inv, err := s.Invoice(ctx, "f_001", billing.Number(2026, 1))
		if err != nil {
			t.Fatal(err)
		}
		if inv.IssuedOn != date.New(2026, time.December, 1) || inv.DueOn != date.New(2026, time.December, 31) {
			t.Errorf("dates = %s / %s, want 2026-12-01 / 2026-12-31 (first run's)", inv.IssuedOn, inv.DueOn)
		}
	})

	t.Run("two runs at once", func(t *testing.T) {
		s, n := newStore(t), &Notifier{}
		books := Commune(families)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range 2 {
			wg.Go(func() { _, errs[i] = runner(books, s, n).Run(ctx, November, RunAt) })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		checkNumbers(t, s, n)
	})

	t.Run("a write failing mid-run, then a rerun", func(t *testing.T) {
		s, n := newStore(t), &Notifier{}
		books := Commune(families)
		broken := &failingLedger{Store: s, n: 5}
		r := runner(books, broken, n)
		r.Workers = 1
		if _, err := r.Run(ctx, November, RunAt); err == nil {
			t.Fatal("run with a failed write reported no error")
		}
		if _, err := runner(books, s, n).Run(ctx, November, RunAt.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		checkNumbers(t, s, n)
	})

	t.Run("the next month continues the year's sequence", func(t *testing.T) {
		s, n := newStore(t), &Notifier{}
		books := Commune(3)
		if _, err := runner(books, s, n).Run(ctx, November, RunAt); err != nil {
			t.Fatal(err)
		}
		for d := range date.Range(date.New(2026, time.December, 1), date.New(2026, time.December, 4)) {
			books.Book("f_002", "c_002", calendar.Canteen, "ecole", d)
		}
		rep, err := runner(books, s, n).Run(ctx, date.New(2026, time.December, 1), RunAt.AddDate(0, 0, 20))
		if err != nil || rep.Created != 1 {
			t.Fatalf("December run = %+v, %v", rep, err)
		}
		if _, err := s.Invoice(ctx, "f_002", billing.Number(2026, 4)); err != nil {
			t.Errorf("December's invoice is not 2026000004: %v", err)
		}
	})

	t.Run("numbers claimed once per month", func(t *testing.T) {
		s := newStore(t)
		a, err := s.ClaimNumbers(ctx, 2027, date.New(2027, time.January, 1), 5)
		if err != nil || a != 1 {
			t.Fatalf("first claim = %d, %v", a, err)
		}
		again, err := s.ClaimNumbers(ctx, 2027, date.New(2027, time.January, 1), 5)
		if err != nil || again != 1 {
			t.Fatalf("same month again = %d, %v; want 1", again, err)
		}
		var wg sync.WaitGroup
		firsts := make([]int, 4)
		for i := range 4 {
			wg.Go(func() {
				f, err := s.ClaimNumbers(ctx, 2027, date.New(2027, time.Month(2+i), 1), 10)
				if err != nil {
					t.Error(err)
				}
				firsts[i] = f
			})
		}
		wg.Wait()
		slices.Sort(firsts)
		if !slices.Equal(firsts, []int{6, 16, 26, 36}) {
			t.Errorf("concurrent claims start at %v, want [6 16 26 36]", firsts)
		}
	})

	t.Run("another family's invoice is not found", func(t *testing.T) {
		s := newStore(t)
		inv := billing.Invoice{Number: "2026000001", FamilyID: "f_a", FamilyName: "Famille A", Month: November,
			TotalCents: 500, IssuedOn: date.New(2026, time.December, 1), DueOn: date.New(2026, time.December, 31),
			Lines: []billing.Line{{ChildID: "c", ChildName: "Léa", Activity: calendar.Canteen, Site: "ecole", SiteName: "École", Days: 2, UnitCents: 250, AmountCents: 500}}}
		if created, err := s.PutInvoice(ctx, inv); err != nil || !created {
			t.Fatalf("put = %v, %v", created, err)
		}
		if created, err := s.PutInvoice(ctx, inv); err != nil || created {
			t.Fatalf("second put = %v, %v; want not created", created, err)
		}
		got, err := s.Invoice(ctx, "f_a", inv.Number)
		if err != nil || got.TotalCents != 500 || len(got.Lines) != 1 || got.Lines[0] != inv.Lines[0] || got.Month != November {
			t.Fatalf("invoice read back = %+v, %v", got, err)
		}
		if _, err := s.Invoice(ctx, "f_b", inv.Number); !errors.Is(err, billing.ErrInvoiceNotFound) {
			t.Errorf("other family's read = %v, want ErrInvoiceNotFound", err)
		}
	})

	t.Run("a payment applies once, a second one is an overpayment", func(t *testing.T) {
		s := newStore(t)
		inv := billing.Invoice{Number: "2026000007", FamilyID: "f_a", FamilyName: "Famille A", Month: November,
			TotalCents: 500, IssuedOn: date.New(2026, time.December, 1), DueOn: date.New(2026, time.December, 31)}
		if _, err := s.PutInvoice(ctx, inv); err != nil {
			t.Fatal(err)
		}
		p := billing.Payment{IDOp: "op1", AmountCents: 500, At: RunAt}
		var wg sync.WaitGroup
		var applied atomic.Int32
		for range 10 {
			wg.Go(func() {
				_, ok, err := s.ApplyPayment(ctx, "f_a", inv.Number, p)
				if err != nil {
					t.Error(err)
				}
				if ok {
					applied.Add(1)
				}
			})
		}
		wg.Wait()
		if applied.Load() != 1 {
			t.Fatalf("%d of 10 concurrent applications applied, want 1", applied.Load())
		}
		got, ok, err := s.ApplyPayment(ctx, "f_a", inv.Number, billing.Payment{IDOp: "op2", AmountCents: 500, At: RunAt.Add(time.Minute)})
		if err != nil || !ok {
			t.Fatalf("second payment = %v, %v", ok, err)
		}
		if first, _ := got.PaidBy(); first.IDOp != "op1" || len(got.Overpayments()) != 1 || got.Overpayments()[0].IDOp != "op2" {
			t.Errorf("payments = %+v, want op1 settling and op2 over", got.Payments)
		}
		if err := s.RecordOverpayment(ctx, billing.Overpayment{IDOp: "op2", FamilyID: "f_a", Number: inv.Number, AmountCents: 500, At: RunAt}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("the desk: a month's invoices, counter payments once, overpayments refunded once", func(t *testing.T) {
		s := newStore(t)
		for i, fam := range []string{"f_b", "f_a"} {
			inv := billing.Invoice{Number: billing.Number(2026, 20+i), FamilyID: fam, FamilyName: "Famille " + fam, Month: November,
				TotalCents: 5750, IssuedOn: date.New(2026, time.December, 1), DueOn: date.New(2026, time.December, 31)}
			if _, err := s.PutInvoice(ctx, inv); err != nil {
				t.Fatal(err)
			}
		}
		other := billing.Invoice{Number: billing.Number(2026, 30), FamilyID: "f_a", Month: November.AddMonths(1), TotalCents: 100,
			IssuedOn: date.New(2027, time.January, 1), DueOn: date.New(2027, time.January, 31)}
		if _, err := s.PutInvoice(ctx, other); err != nil {
			t.Fatal(err)
		}
		month, err := s.MonthInvoices(ctx, November)
		if err != nil || len(month) != 2 || month[0].Number != "2026000020" || month[1].Number != "2026000021" {
			t.Fatalf("November's invoices = %+v, %v; want 2026000020 and 2026000021, by number", month, err)
		}

		cheque := billing.Payment{IDOp: billing.CounterKey("0123456789abcdef0123456789abcdef"), AmountCents: 5750, At: RunAt,
			Method: billing.MethodCheque, Reference: "CHQ 1234567", RecordedBy: "agent@mairie.fr"}
		var wg sync.WaitGroup
		var applied atomic.Int32
		for range 5 { // a form submitted five times at once
			wg.Go(func() {
				_, ok, err := s.RecordCounterPayment(ctx, "f_b", "2026000020", cheque)
				if err != nil {
					t.Error(err)
				}
				if ok {
					applied.Add(1)
				}
			})
		}
		wg.Wait()
		if applied.Load() != 1 {
			t.Fatalf("%d of 5 submits recorded, want 1", applied.Load())
		}
		got, err := s.Invoice(ctx, "f_b", "2026000020")
		if p, ok := got.PaidBy(); err != nil || !ok || len(got.Payments) != 1 || p.Method != billing.MethodCheque ||
			p.Reference != "CHQ 1234567" || p.RecordedBy != "agent@mairie.fr" || p.AmountCents != 5750 {
			t.Fatalf("invoice after the counter payment = %+v, %v", got, err)
		}
		again := cheque
		again.IDOp = billing.CounterKey("ffffffffffffffffffffffffffffffff")
		if _, ok, err := s.RecordCounterPayment(ctx, "f_b", "2026000020", again); ok || !errors.Is(err, billing.ErrAlreadyPaid) {
			t.Fatalf("a second counter payment of a paid invoice = %v, %v; want ErrAlreadyPaid", ok, err)
		}
		// Paid online first: the counter is refused too.
		if _, _, err := s.ApplyPayment(ctx, "f_a", "2026000021", billing.Payment{IDOp: "op9", AmountCents: 5750, At: RunAt}); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := s.RecordCounterPayment(ctx, "f_a", "2026000021", again); ok || !errors.Is(err, billing.ErrAlreadyPaid) {
			t.Fatalf("a counter payment of an invoice paid online = %v, %v; want ErrAlreadyPaid", ok, err)
		}

		o := billing.Overpayment{IDOp: "op10", FamilyID: "f_a", Number: "2026000021", AmountCents: 5750, At: RunAt.Add(time.Minute)}
		if err := s.RecordOverpayment(ctx, o); err != nil {
			t.Fatal(err)
		}
		over, err := s.Overpayments(ctx)
		if err != nil || len(over) != 1 || over[0].Key == "" || over[0].Refunded != nil {
			t.Fatalf("overpayments = %+v, %v", over, err)
		}
		r := billing.Refund{At: RunAt.Add(time.Hour), By: "agent@mairie.fr", Note: "virement"}
		if got, err := s.MarkRefunded(ctx, over[0].Key, r); err != nil || got.Refunded == nil || got.Refunded.By != r.By {
			t.Fatalf("refund = %+v, %v", got, err)
		}
		if _, err := s.MarkRefunded(ctx, over[0].Key, r); !errors.Is(err, billing.ErrAlreadyRefunded) {
			t.Fatalf("second refund: %v, want ErrAlreadyRefunded", err)
		}
		if _, err := s.MarkRefunded(ctx, "2026-12-01T00:00:00.000000000Z#nope", r); !errors.Is(err, billing.ErrOverpaymentNotFound) {
			t.Fatalf("refund of nothing: %v, want ErrOverpaymentNotFound", err)
		}
		over, _ = s.Overpayments(ctx)
		if len(over) != 1 || over[0].Refunded == nil || over[0].Refunded.Note != "virement" || !over[0].Refunded.At.Equal(r.At) {
			t.Fatalf("overpayments after the refund = %+v", over)
		}
	})

	t.Run("attempts", func(t *testing.T) {
		s := newStore(t)
		inv := billing.Invoice{Number: "2026000008", FamilyID: "f_a", Month: November, TotalCents: 500,
			IssuedOn: date.New(2026, time.December, 1), DueOn: date.New(2026, time.December, 31)}
		if _, err := s.PutInvoice(ctx, inv); err != nil {
			t.Fatal(err)
		}
		old := billing.Attempt{IDOp: "old", FamilyID: "f_a", Number: inv.Number, NumCli: "123456", Exer: 2026, AmountCents: 500,
			CreatedAt: RunAt.Add(-25 * time.Hour), State: billing.AttemptPending}
		recent := old
		recent.IDOp, recent.CreatedAt = "recent", RunAt.Add(-time.Hour)
		done := old
		done.IDOp, done.CreatedAt = "done", RunAt.Add(-time.Hour)
		for _, a := range []billing.Attempt{old, recent, done} {
			if err := s.PutAttempt(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.PutAttempt(ctx, recent); err == nil {
			t.Error("an idOp was stored twice")
		}
		if err := s.ResolveAttempt(ctx, "done", billing.AttemptRefused, RunAt); err != nil {
			t.Fatal(err)
		}
		if err := s.ResolveAttempt(ctx, "done", billing.AttemptPaid, RunAt); err != nil {
			t.Fatal(err)
		}
		got, err := s.Attempt(ctx, "done")
		if err != nil || got.State != billing.AttemptRefused || got.AmountCents != 500 || got.Exer != 2026 || got.NumCli != "123456" {
			t.Errorf("resolved attempt = %+v, %v; want refused, kept", got, err)
		}
		pending, err := s.PendingAttempts(ctx, RunAt.Add(-billing.MaxPendingAge))
		if err != nil || len(pending) != 1 || pending[0].IDOp != "recent" {
			t.Errorf("pending = %+v, %v; want only the recent one", pending, err)
		}
		if _, err := s.Attempt(ctx, "nope"); !errors.Is(err, billing.ErrUnknownAttempt) {
			t.Errorf("unknown attempt = %v", err)
		}
		if err := s.SetLastAttempt(ctx, "f_a", inv.Number, "recent"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Invoice(ctx, "f_a", inv.Number); got.LastIDOp != "recent" {
			t.Errorf("last attempt = %q", got.LastIDOp)
		}
	})
}
