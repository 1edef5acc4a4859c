package billing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// AttemptState is where a payment attempt stands, as last learnt from PayFiP.
type AttemptState string

// The states of an attempt.
const (
	AttemptPending   AttemptState = "pending"   // created; PayFiP has not given a final result yet
	AttemptPaid      AttemptState = "paid"      // resultrans P or V, applied to the invoice
	AttemptRefused   AttemptState = "refused"   // resultrans R or Z
	AttemptAbandoned AttemptState = "abandoned" // resultrans A
)

// Attempt is one online payment started for an invoice: PayFiP's operation id and exactly what
// was asked, which the fetched result must match.
type Attempt struct {
	IDOp        string
	FamilyID    string
	Number      string // the invoice number, PayFiP's refdet
	NumCli      string
	Exer        int
	AmountCents int64
	CreatedAt   time.Time
	State       AttemptState
}

// Overpayment is a payment received for an invoice another payment had already settled (two
// tabs): kept for the town hall to refund, never lost.
type Overpayment struct {
	IDOp        string
	FamilyID    string
	Number      string
	AmountCents int64
	At          time.Time
	// Key names the overpayment in the list (set by the store that lists it).
	Key string
	// Refunded is set once the town hall gave the money back.
	Refunded *Refund
}

// Payments keeps payment attempts and applies payments to invoices, each write conditional on
// one item.
type Payments interface {
	// PutAttempt stores a new attempt; an idOp is stored once.
	PutAttempt(ctx context.Context, a Attempt) error
	// Attempt returns the attempt of idOp; ErrUnknownAttempt when there is none.
	Attempt(ctx context.Context, idOp string) (Attempt, error)
	// ResolveAttempt sets a pending attempt's final state (no change once final) and takes it
	// out of the pending attempts.
	ResolveAttempt(ctx context.Context, idOp string, state AttemptState, at time.Time) error
	// PendingAttempts lists the attempts still pending created at or after since.
	PendingAttempts(ctx context.Context, since time.Time) ([]Attempt, error)
	// SetLastAttempt remembers on the invoice the attempt last started, for the return page.
	SetLastAttempt(ctx context.Context, familyID, number, idOp string) error
	// ApplyPayment records p on the invoice in one conditional write, once per idOp: applied
	// is false when p.IDOp was already recorded. It returns the invoice as stored after it.
	ApplyPayment(ctx context.Context, familyID, number string, p Payment) (inv Invoice, applied bool, err error)
	// RecordOverpayment lists o for the town hall (idempotent).
	RecordOverpayment(ctx context.Context, o Overpayment) error
}

// Result is PayFiP's resultrans.
type Result string

// The results of a PayFiP transaction.
const (
	ResultPaid      Result = "P" // paid
	ResultPaidV     Result = "V" // paid (variant PayFiP also uses)
	ResultRefused   Result = "R"
	ResultRefusedZ  Result = "Z"
	ResultAbandoned Result = "A"
)

// Paid reports whether r means the payment went through.
func (r Result) Paid() bool { return r == ResultPaid || r == ResultPaidV }

// PaymentRequest is what creerPaiementSecurise is sent.
type PaymentRequest struct {
	NumCli      string // the régie's client number, 6 digits
	Exer        int    // the year of the invoice
	RefDet      string // the invoice number
	AmountCents int64
	Email       string // the payer's address (mel)
	Object      string // objet: at most 100 of [A-Za-z0-9 ]
	Saisie      string // T test, X activation, W production
	URLNotif    string
	URLRedirect string
}

// Detail is what recupererDetailPaiementSecurise answers for a finished transaction.
type Detail struct {
	IDOp        string
	NumCli      string
	Exer        int
	RefDet      string
	AmountCents int64
	Result      Result
	Saisie      string
	PaidAt      time.Time // dattrans + heurtrans, zero when absent
}

// Provider is PayFiP's web service (shared/payfip).
type Provider interface {
	CreatePayment(ctx context.Context, r PaymentRequest) (idOp string, err error)
	// PaymentDetail fetches the authoritative result of idOp: ErrPaymentInProgress while the
	// parent has not finished (fault P5), ErrUnknownOperation for an idOp PayFiP does not know
	// (fault P1).
	PaymentDetail(ctx context.Context, idOp string) (Detail, error)
	// PaymentURL is the page the parent's browser goes to for idOp.
	PaymentURL(idOp string) string
}

// Errors of the payment flow (not refusals a parent sees).
var (
	ErrUnknownAttempt    = errors.New("billing: no payment attempt with this idOp")
	ErrPaymentInProgress = errors.New("billing: payment in progress (P5)")
	ErrUnknownOperation  = errors.New("billing: operation unknown to PayFiP (P1)")
)

// HouseholdReader finds the accounts to send a receipt to.
type HouseholdReader interface {
	BillingHousehold(ctx context.Context, familyID string) (Household, error)
}

// Checkout starts card payments and settles them from PayFiP's authoritative answers.
type Checkout struct {
	Invoices   InvoiceReader
	Payments   Payments
	Provider   Provider
	Households HouseholdReader
	Notifier   Notifier
	Link       func(path string) string // absolute URL of a portal path
	NumCli     string
	Saisie     string
}

// NotificationPath is the route PayFiP notifies (urlnotif).
const NotificationPath = "/paiements/payfip/notification"

// ReturnPath is where PayFiP sends the parent back after paying (urlredirect).
func ReturnPath(number string) string { return InvoicePath(number) + "/retour" }

// Start creates a PayFiP payment of the family's invoice number for the parent email at now
// and returns the URL of PayFiP's payment page. Each call creates a new idOp (an idOp is used
// once). Refused when the invoice is not the family's, already paid or past its due date.
func (c *Checkout) Start(ctx context.Context, familyID, email, number string, now time.Time) (string, error) {
	if familyID == "" {
		return "", ErrNoFamily
	}
	if !ValidNumber(number) {
		return "", ErrInvoiceNotFound
	}
	inv, err := c.Invoices.Invoice(ctx, familyID, number)
	if err != nil {
		return "", err
	}
	if err := inv.CanPay(now); err != nil {
		return "", err
	}
	req := PaymentRequest{NumCli: c.NumCli, Exer: inv.IssuedOn.Year(), RefDet: inv.Number, AmountCents: inv.TotalCents,
		Email: email, Object: Object("Facture " + inv.Number + " " + MonthLabel(inv.Month)), Saisie: c.Saisie,
		URLNotif: c.Link(NotificationPath), URLRedirect: c.Link(ReturnPath(inv.Number))}
	idOp, err := c.Provider.CreatePayment(ctx, req)
	if err != nil {
		slog.ErrorContext(ctx, "payfip create failed", "err", err.Error(), "invoice", inv.Number)
		return "", ErrPaymentUnavailable
	}
	a := Attempt{IDOp: idOp, FamilyID: familyID, Number: inv.Number, NumCli: req.NumCli, Exer: req.Exer,
		AmountCents: req.AmountCents, CreatedAt: now, State: AttemptPending}
	if err := c.Payments.PutAttempt(ctx, a); err != nil {
		return "", fmt.Errorf("payment attempt: %w", err)
	}
	if err := c.Payments.SetLastAttempt(ctx, familyID, inv.Number, idOp); err != nil {
		return "", fmt.Errorf("payment attempt: %w", err)
	}
	return c.Provider.PaymentURL(idOp), nil
}

// Object writes s as PayFiP's objet: letters without accents, digits and spaces only, at most
// 100 characters.
func Object(s string) string {
	r := strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "à", "a", "â", "a", "ä", "a", "î", "i", "ï", "i",
		"ô", "o", "ö", "o", "ù", "u", "û", "u", "ü", "u", "ç", "c", "É", "E", "È", "E", "À", "A", "Ç", "C")
	s = r.Replace(s)
	var b strings.Builder
	for _, ch := range s {
		if b.Len() == 100 {
			break
		}
		if ch == ' ' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') {
			b.WriteRune(ch)
		} else {
			b.WriteRune(' ')
		}
	}
	return strings.TrimSpace(b.String())
}

// Settlement is what settling an idOp found.
type Settlement string

// The settlements of an idOp.
const (
	SettledPaid        Settlement = "paid"        // paid and applied (now or before)
	SettledOverpayment Settlement = "overpayment" // paid, but another payment had settled the invoice
	SettledRefused     Settlement = "refused"
	SettledAbandoned   Settlement = "abandoned"
	SettledPending     Settlement = "pending" // PayFiP has no final result yet (P5)
	SettledIgnored     Settlement = "ignored" // unknown idOp, unknown to PayFiP, or a mismatch: nothing changed
)

// Settle learns the result of idOp from PayFiP and applies it: the only thing trusted from a
// notification is the idOp. The attempt must exist; the fetched detail must match it (numcli,
// exer, refdet, montant) and the invoice; a paid result is applied by one conditional write, so
// replays and concurrent notifications apply it once and send one receipt. Unknown, mismatched
// or unpaid results change nothing but the attempt's state, and are logged.
func (c *Checkout) Settle(ctx context.Context, idOp string, now time.Time) (Settlement, error) {
	if !validIDOp(idOp) {
		slog.WarnContext(ctx, "payment notification ignored", "reason", "malformed idOp")
		return SettledIgnored, nil
	}
	a, err := c.Payments.Attempt(ctx, idOp)
	if errors.Is(err, ErrUnknownAttempt) {
		slog.WarnContext(ctx, "payment notification ignored", "reason", "unknown attempt")
		return SettledIgnored, nil
	}
	if err != nil {
		return "", err
	}
	switch a.State {
	case AttemptPaid:
		return SettledPaid, nil // applied already: a replay asks PayFiP nothing
	case AttemptRefused:
		return SettledRefused, nil
	case AttemptAbandoned:
		return SettledAbandoned, nil
	}
	d, err := c.Provider.PaymentDetail(ctx, idOp)
	switch {
	case errors.Is(err, ErrPaymentInProgress):
		return SettledPending, nil
	case errors.Is(err, ErrUnknownOperation):
		slog.WarnContext(ctx, "payment notification ignored", "reason", "unknown to PayFiP", "invoice", a.Number)
		return SettledIgnored, nil
	case err != nil:
		return "", fmt.Errorf("payment detail: %w", err)
	}
	if d.IDOp != a.IDOp || d.NumCli != a.NumCli || d.Exer != a.Exer || d.RefDet != a.Number || d.AmountCents != a.AmountCents {
		slog.WarnContext(ctx, "payment notification ignored", "reason", "detail does not match the attempt", "invoice", a.Number)
		return SettledIgnored, nil
	}
	switch {
	case d.Result == ResultRefused || d.Result == ResultRefusedZ:
		return SettledRefused, c.Payments.ResolveAttempt(ctx, idOp, AttemptRefused, now)
	case d.Result == ResultAbandoned:
		return SettledAbandoned, c.Payments.ResolveAttempt(ctx, idOp, AttemptAbandoned, now)
	case !d.Result.Paid():
		slog.WarnContext(ctx, "payment notification ignored", "reason", "unknown result", "invoice", a.Number)
		return SettledIgnored, nil
	}
	inv, err := c.Invoices.Invoice(ctx, a.FamilyID, a.Number)
	if err != nil {
		return "", fmt.Errorf("invoice of attempt: %w", err)
	}
	if inv.TotalCents != d.AmountCents || inv.IssuedOn.Year() != d.Exer {
		slog.WarnContext(ctx, "payment notification ignored", "reason", "detail does not match the invoice", "invoice", a.Number)
		return SettledIgnored, nil
	}
	at := d.PaidAt
	if at.IsZero() {
		at = now
	}
	stored, applied, err := c.Payments.ApplyPayment(ctx, a.FamilyID, a.Number, Payment{IDOp: idOp, AmountCents: d.AmountCents, At: at})
	if err != nil {
		return "", fmt.Errorf("apply payment: %w", err)
	}
	result := SettledPaid
	if first, _ := stored.PaidBy(); first.IDOp != idOp {
		result = SettledOverpayment
		slog.WarnContext(ctx, "overpayment recorded", "invoice", a.Number, "amount_cents", d.AmountCents)
		if err := c.Payments.RecordOverpayment(ctx, Overpayment{IDOp: idOp, FamilyID: a.FamilyID, Number: a.Number,
			AmountCents: d.AmountCents, At: at}); err != nil {
			return "", fmt.Errorf("overpayment: %w", err)
		}
	}
	if err := c.Payments.ResolveAttempt(ctx, idOp, AttemptPaid, now); err != nil {
		return "", err
	}
	if applied && result == SettledPaid {
		c.sendReceipt(ctx, stored)
	}
	return result, nil
}

// validIDOp reports whether s can be a PayFiP idOp: 1 to 64 letters, digits, "-" or "_". Any
// other notification is dropped before a storage or PayFiP call.
func validIDOp(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// sendReceipt tells every member of the family that the invoice is paid. A failed send is
// logged: the payment stands, and the page shows it.
func (c *Checkout) sendReceipt(ctx context.Context, inv Invoice) {
	h, err := c.Households.BillingHousehold(ctx, inv.FamilyID)
	if err != nil {
		slog.ErrorContext(ctx, "receipt not sent", "err", err.Error(), "invoice", inv.Number)
		return
	}
	n := Notice(inv, c.Link(InvoicePath(inv.Number)))
	for _, to := range h.Members {
		if err := sendReceipt(ctx, c.Notifier, to, n); err != nil {
			slog.ErrorContext(ctx, "receipt not sent", "err", err.Error(), "invoice", inv.Number)
		}
	}
}

// MaxPendingAge is how long after its creation an attempt still pending is re-fetched.
const MaxPendingAge = 24 * time.Hour

// Reconcile settles every attempt still pending created less than MaxPendingAge before now, so
// that a lost notification still ends in the right state. It returns how many it settled to a
// final state.
func (c *Checkout) Reconcile(ctx context.Context, now time.Time) (int, error) {
	pending, err := c.Payments.PendingAttempts(ctx, now.Add(-MaxPendingAge))
	if err != nil {
		return 0, fmt.Errorf("pending attempts: %w", err)
	}
	settled := 0
	var errs []error
	for _, a := range pending {
		s, err := c.Settle(ctx, a.IDOp, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if s != SettledPending && s != SettledIgnored {
			settled++
		}
	}
	slog.InfoContext(ctx, "reconciliation", "pending", len(pending), "settled", settled)
	return settled, errors.Join(errs...)
}

// PaymentStatus is what the return page says.
type PaymentStatus string

// The statuses the return page shows.
const (
	PaymentPaid       PaymentStatus = "payee"
	PaymentRefused    PaymentStatus = "refusee"
	PaymentAbandoned  PaymentStatus = "abandonnee"
	PaymentInProgress PaymentStatus = "en-cours"
	PaymentNone       PaymentStatus = "aucun"
)

// ReturnStatus is the real status of the family's invoice number after the parent came back
// from PayFiP: the stored state, or PayFiP's answer fetched now for an attempt still pending.
// Nothing the browser sends is trusted.
func (c *Checkout) ReturnStatus(ctx context.Context, familyID, number string, now time.Time) (Invoice, PaymentStatus, error) {
	if familyID == "" {
		return Invoice{}, "", ErrNoFamily
	}
	if !ValidNumber(number) {
		return Invoice{}, "", ErrInvoiceNotFound
	}
	inv, err := c.Invoices.Invoice(ctx, familyID, number)
	if err != nil {
		return Invoice{}, "", err
	}
	if inv.Paid() {
		return inv, PaymentPaid, nil
	}
	if inv.LastIDOp == "" {
		return inv, PaymentNone, nil
	}
	s, err := c.Settle(ctx, inv.LastIDOp, now)
	if err != nil {
		return inv, "", err
	}
	if s == SettledPaid || s == SettledOverpayment {
		if inv, err = c.Invoices.Invoice(ctx, familyID, number); err != nil {
			return inv, "", err
		}
	}
	switch s {
	case SettledPaid, SettledOverpayment:
		return inv, PaymentPaid, nil
	case SettledRefused:
		return inv, PaymentRefused, nil
	case SettledAbandoned:
		return inv, PaymentAbandoned, nil
	case SettledPending:
		return inv, PaymentInProgress, nil
	}
	return inv, PaymentNone, nil
}
