// Package billingtest has in-memory implementations of billing's store interfaces and the
// contract suite every implementation passes (the fakes here, and shared/store on DynamoDB).
package billingtest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/reservations"
)

// Books is an in-memory billing.Books.
type Books struct {
	mu         sync.Mutex
	acts       []family.Activity
	childFam   map[calendar.Activity]map[string]string
	days       map[string][]reservations.Day // activity#site#yyyy-mm
	unbilled   []billing.Unbilled
	households map[string]billing.Household
}

// NewBooks returns empty books.
func NewBooks() *Books {
	return &Books{childFam: map[calendar.Activity]map[string]string{}, days: map[string][]reservations.Day{},
		households: map[string]billing.Household{}}
}

// AddActivity registers activity settings.
func (b *Books) AddActivity(a family.Activity) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.acts = append(b.acts, a)
}

// AddHousehold registers a family with its children and members.
func (b *Books) AddHousehold(h billing.Household) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.households[h.Family.ID] = h
}

// Book records that child of family had activity a at site on day d.
func (b *Books) Book(familyID, childID string, a calendar.Activity, site string, d date.Date) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.childFam[a] == nil {
		b.childFam[a] = map[string]string{}
	}
	b.childFam[a][childID] = familyID
	k := string(a) + "#" + site + "#" + d.MonthKey()
	for i, day := range b.days[k] {
		if day.Day == d {
			b.days[k][i].Bookings[childID] = reservations.Booking{}
			b.days[k][i].Booked = len(b.days[k][i].Bookings)
			return
		}
	}
	b.days[k] = append(b.days[k], reservations.Day{Slot: reservations.Slot{Activity: a, Site: site, Day: d},
		Bookings: map[string]reservations.Booking{childID: {}}, Booked: 1})
}

// MarkUnbilled records an unbilled day.
func (b *Books) MarkUnbilled(u billing.Unbilled) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.unbilled = append(b.unbilled, u)
}

// Activities implements billing.Books.
func (b *Books) Activities(context.Context) ([]family.Activity, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.acts), nil
}

// ChildFamilies implements billing.Books.
func (b *Books) ChildFamilies(_ context.Context, a calendar.Activity) (map[string]string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string]string{}
	for c, f := range b.childFam[a] {
		out[c] = f
	}
	return out, nil
}

// DaysOfMonth implements billing.Books.
func (b *Books) DaysOfMonth(_ context.Context, a calendar.Activity, site string, month date.Date) ([]reservations.Day, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.days[string(a)+"#"+site+"#"+month.MonthKey()]), nil
}

// UnbilledDays implements billing.Books.
func (b *Books) UnbilledDays(_ context.Context, month date.Date) ([]billing.Unbilled, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []billing.Unbilled
	for _, u := range b.unbilled {
		if u.Day.MonthKey() == month.MonthKey() {
			out = append(out, u)
		}
	}
	return out, nil
}

// BillingHousehold implements billing.Books.
func (b *Books) BillingHousehold(_ context.Context, familyID string) (billing.Household, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	h, ok := b.households[familyID]
	if !ok {
		return billing.Household{}, fmt.Errorf("no household %s", familyID)
	}
	return h, nil
}

// Ledger is an in-memory billing.Ledger, billing.InvoiceReader and billing.Payments.
type Ledger struct {
	mu       sync.Mutex
	runs     map[string]billing.Run
	counters map[int]*counter
	invoices map[string]billing.Invoice // familyID#number
	attempts map[string]billing.Attempt
	over     map[string]billing.Overpayment
}

type counter struct {
	last   int
	claims map[string]int
}

// NewLedger returns an empty ledger.
func NewLedger() *Ledger {
	return &Ledger{runs: map[string]billing.Run{}, counters: map[int]*counter{}, invoices: map[string]billing.Invoice{},
		attempts: map[string]billing.Attempt{}, over: map[string]billing.Overpayment{}}
}

// OpenRun implements billing.Ledger.
func (l *Ledger) OpenRun(_ context.Context, r billing.Run) (billing.Run, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if got, ok := l.runs[r.Month.MonthKey()]; ok {
		return got, nil
	}
	r.Families = slices.Clone(r.Families)
	l.runs[r.Month.MonthKey()] = r
	return r, nil
}

// ClaimNumbers implements billing.Ledger.
func (l *Ledger) ClaimNumbers(_ context.Context, year int, month date.Date, count int) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.counters[year]
	if c == nil {
		c = &counter{claims: map[string]int{}}
		l.counters[year] = c
	}
	if first, ok := c.claims[month.MonthKey()]; ok {
		return first, nil
	}
	first := c.last + 1
	c.last += count
	c.claims[month.MonthKey()] = first
	return first, nil
}

// PutInvoice implements billing.Ledger.
func (l *Ledger) PutInvoice(_ context.Context, inv billing.Invoice) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := inv.FamilyID + "#" + inv.Number
	if _, ok := l.invoices[k]; ok {
		return false, nil
	}
	inv.Lines = slices.Clone(inv.Lines)
	inv.Payments = nil
	inv.NotifiedAt = time.Time{}
	l.invoices[k] = inv
	return true, nil
}

// ClaimNotice implements billing.Ledger.
func (l *Ledger) ClaimNotice(_ context.Context, familyID, number string, at time.Time) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := familyID + "#" + number
	inv, ok := l.invoices[k]
	if !ok || !inv.NotifiedAt.IsZero() {
		return false, nil
	}
	inv.NotifiedAt = at
	l.invoices[k] = inv
	return true, nil
}

// ReleaseNotice implements billing.Ledger.
func (l *Ledger) ReleaseNotice(_ context.Context, familyID, number string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := familyID + "#" + number
	if inv, ok := l.invoices[k]; ok {
		inv.NotifiedAt = time.Time{}
		l.invoices[k] = inv
	}
	return nil
}

// Invoices implements billing.InvoiceReader.
func (l *Ledger) Invoices(_ context.Context, familyID string) ([]billing.Invoice, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []billing.Invoice
	for k, inv := range l.invoices {
		if strings.HasPrefix(k, familyID+"#") {
			out = append(out, inv)
		}
	}
	slices.SortFunc(out, func(a, b billing.Invoice) int { return strings.Compare(b.Number, a.Number) })
	return out, nil
}

// Invoice implements billing.InvoiceReader.
func (l *Ledger) Invoice(_ context.Context, familyID, number string) (billing.Invoice, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	inv, ok := l.invoices[familyID+"#"+number]
	if !ok {
		return billing.Invoice{}, billing.ErrInvoiceNotFound
	}
	return inv, nil
}

// All returns every stored invoice (tests).
func (l *Ledger) All() []billing.Invoice {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []billing.Invoice
	for _, inv := range l.invoices {
		out = append(out, inv)
	}
	slices.SortFunc(out, func(a, b billing.Invoice) int { return strings.Compare(a.Number, b.Number) })
	return out
}

// PutAttempt implements billing.Payments.
func (l *Ledger) PutAttempt(_ context.Context, a billing.Attempt) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.attempts[a.IDOp]; ok {
		return fmt.Errorf("attempt %s exists", a.IDOp)
	}
	l.attempts[a.IDOp] = a
	return nil
}

// Attempt implements billing.Payments.
func (l *Ledger) Attempt(_ context.Context, idOp string) (billing.Attempt, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.attempts[idOp]
	if !ok {
		return billing.Attempt{}, billing.ErrUnknownAttempt
	}
	return a, nil
}

// ResolveAttempt implements billing.Payments.
func (l *Ledger) ResolveAttempt(_ context.Context, idOp string, state billing.AttemptState, _ time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.attempts[idOp]
	if !ok {
		return billing.ErrUnknownAttempt
	}
	if a.State == billing.AttemptPending {
		a.State = state
		l.attempts[idOp] = a
	}
	return nil
}

// PendingAttempts implements billing.Payments.
func (l *Ledger) PendingAttempts(_ context.Context, since time.Time) ([]billing.Attempt, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []billing.Attempt
	for _, a := range l.attempts {
		if a.State == billing.AttemptPending && !a.CreatedAt.Before(since) {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b billing.Attempt) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}

// SetLastAttempt implements billing.Payments.
func (l *Ledger) SetLastAttempt(_ context.Context, familyID, number, idOp string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := familyID + "#" + number
	inv, ok := l.invoices[k]
	if !ok {
		return billing.ErrInvoiceNotFound
	}
	inv.LastIDOp = idOp
	l.invoices[k] = inv
	return nil
}

// ApplyPayment implements billing.Payments.
func (l *Ledger) ApplyPayment(_ context.Context, familyID, number string, p billing.Payment) (billing.Invoice, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := familyID + "#" + number
	inv, ok := l.invoices[k]
	if !ok {
		return billing.Invoice{}, false, billing.ErrInvoiceNotFound
	}
	for _, q := range inv.Payments {
		if q.IDOp == p.IDOp {
			return inv, false, nil
		}
	}
	inv.Payments = append(slices.Clone(inv.Payments), p)
	l.invoices[k] = inv
	return inv, true, nil
}

// RecordOverpayment implements billing.Payments.
func (l *Ledger) RecordOverpayment(_ context.Context, o billing.Overpayment) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.over[o.IDOp]; ok {
		return nil
	}
	o.Key = o.At.UTC().Format(time.RFC3339Nano) + "#" + o.IDOp
	l.over[o.IDOp] = o
	return nil
}

// Overpayments implements billing.Desk.
func (l *Ledger) Overpayments(context.Context) ([]billing.Overpayment, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []billing.Overpayment
	for _, o := range l.over {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b billing.Overpayment) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// MarkRefunded implements billing.Desk.
func (l *Ledger) MarkRefunded(_ context.Context, key string, r billing.Refund) (billing.Overpayment, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for id, o := range l.over {
		if o.Key != key {
			continue
		}
		if o.Refunded != nil {
			return o, billing.ErrAlreadyRefunded
		}
		o.Refunded = &r
		l.over[id] = o
		return o, nil
	}
	return billing.Overpayment{}, billing.ErrOverpaymentNotFound
}

// MonthInvoices implements billing.Desk.
func (l *Ledger) MonthInvoices(_ context.Context, month date.Date) ([]billing.Invoice, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []billing.Invoice
	for _, inv := range l.invoices {
		if inv.Month == month.FirstOfMonth() {
			out = append(out, inv)
		}
	}
	slices.SortFunc(out, func(a, b billing.Invoice) int { return strings.Compare(a.Number, b.Number) })
	return out, nil
}

// RecordCounterPayment implements billing.Desk.
func (l *Ledger) RecordCounterPayment(_ context.Context, familyID, number string, p billing.Payment) (billing.Invoice, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := familyID + "#" + number
	inv, ok := l.invoices[k]
	if !ok {
		return billing.Invoice{}, false, billing.ErrInvoiceNotFound
	}
	if slices.ContainsFunc(inv.Payments, func(q billing.Payment) bool { return q.IDOp == p.IDOp }) {
		return inv, false, nil
	}
	if inv.Paid() {
		return inv, false, billing.ErrAlreadyPaid
	}
	inv.Payments = append(slices.Clone(inv.Payments), p)
	l.invoices[k] = inv
	return inv, true, nil
}
