package billing

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/fr"
)

// Method is how a payment was made: online through PayFiP, or at the régie's counter.
type Method string

// The ways an invoice is paid.
const (
	MethodPayFiP Method = "payfip"  // card, online (the default of a payment without a method)
	MethodCash   Method = "especes" // espèces, at the counter
	MethodCheque Method = "cheque"  // chèque, at the counter
	MethodCESU   Method = "cesu"    // chèque emploi service universel, at the counter
)

// CounterMethods are the methods the counter takes, in the order the desk offers them.
func CounterMethods() []Method { return []Method{MethodCash, MethodCheque, MethodCESU} }

// French is the method as staff and parents read it.
func (m Method) French() string {
	switch m {
	case MethodCash:
		return "espèces"
	case MethodCheque:
		return "chèque"
	case MethodCESU:
		return "CESU"
	}
	return "carte bancaire (PayFiP)"
}

// How says how an invoice was paid, after "payée": "en ligne", "à la régie (chèque)".
func (m Method) How() string {
	if m.Counter() {
		return "à la régie (" + m.French() + ")"
	}
	return "en ligne"
}

// Counter reports whether m is taken at the régie's counter.
func (m Method) Counter() bool { return m == MethodCash || m == MethodCheque || m == MethodCESU }

// counterPrefix starts the key of every counter payment in an invoice's payments, beside
// PayFiP's idOps (which never contain a dot).
const counterPrefix = "guichet."

// CounterKey is the key of a counter payment whose form carried token: the form is drawn with a
// fresh token, so submitting it twice writes one payment.
func CounterKey(token string) string { return counterPrefix + token }

// NewCounterToken draws the token of a counter payment form (128 random bits, hex).
func NewCounterToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// validToken reports whether a form's token has the shape NewCounterToken makes.
func validToken(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// CounterPayment is what the desk's form says of a payment received at the counter.
type CounterPayment struct {
	FamilyID  string
	Number    string
	Method    Method
	Amount    string // as typed: "57,50", "57.50", "57"
	Reference string // the cheque's or CESU titles' numbers, the cash receipt's (optional for cash)
	Token     string // the form's token (see CounterKey)
}

// ParseCents reads an amount typed in euros ("57,50", "57.50", "57", "1 234,5") as cents,
// without floating point. ok is false for anything else, negative amounts included.
func ParseCents(s string) (int64, bool) {
	s = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", "€", "").Replace(strings.TrimSpace(s))
	whole, frac, _ := strings.Cut(strings.ReplaceAll(s, ",", "."), ".")
	if whole == "" || len(whole) > 7 || len(frac) > 2 {
		return 0, false
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	euros, _ := strconv.ParseInt(whole, 10, 64)
	cents := int64(0)
	if frac != "" {
		cents, _ = strconv.ParseInt((frac + "0")[:2], 10, 64)
	}
	return euros*100 + cents, true
}

// Refusals of the billing desk.
var (
	ErrMonthNotOver = fault.New(fault.Conflict, "billing-month-not-over", "Mois non terminé",
		"Un mois se facture une fois terminé : choisissez un mois passé.")
	ErrOverpaymentNotFound = fault.New(fault.NotFound, "overpayment-not-found", "Trop-perçu introuvable",
		"Ce trop-perçu n'existe pas.")
	ErrAlreadyRefunded = fault.New(fault.Conflict, "overpayment-refunded", "Déjà remboursé",
		"Ce trop-perçu est déjà marqué remboursé.")
)

// Desk is what the back-office's billing desk reads and writes beyond the run and the invoice
// reads: every invoice of a month, counter payments, overpayments and their refunds.
type Desk interface {
	// MonthInvoices lists every invoice of month (first day), by number.
	MonthInvoices(ctx context.Context, month date.Date) ([]Invoice, error)
	// RecordCounterPayment adds p to the invoice in one conditional write, only while no payment
	// settles it: applied is false when p.IDOp was recorded already (a double submit), and
	// ErrAlreadyPaid is returned when another payment settled it first.
	RecordCounterPayment(ctx context.Context, familyID, number string, p Payment) (inv Invoice, applied bool, err error)
	// Overpayments lists every recorded overpayment, oldest first.
	Overpayments(ctx context.Context) ([]Overpayment, error)
	// MarkRefunded records that the overpayment whose Key is key was refunded, once:
	// ErrAlreadyRefunded when it was already, ErrOverpaymentNotFound when there is none.
	MarkRefunded(ctx context.Context, key string, r Refund) (Overpayment, error)
}

// Refund is how the town hall gave an overpayment back.
type Refund struct {
	At   time.Time
	By   string // the staff member's e-mail
	Note string // "virement du 3 décembre", optional
}

// Recorder writes the journal of staff actions (staff.Recorder).
type Recorder interface {
	Record(ctx context.Context, who string, now time.Time, action, target, before, after string) error
}

// Office is the billing desk of the back-office: each use case checks its input, does its one
// write, and records who did what in the journal.
type Office struct {
	Runner   *Runner
	Invoices InvoiceReader
	Desk     Desk
	Journal  Recorder
}

// RunMonth runs month's invoices now, as the scheduled Billing function does (the same
// Runner.Run, so running it again, or while the schedule runs it, changes nothing that is
// done). Only a month that is over is billed: a run fixes the month's families once.
func (o *Office) RunMonth(ctx context.Context, who string, month date.Date, now time.Time) (Report, error) {
	month = month.FirstOfMonth()
	if !month.Before(date.Of(now).FirstOfMonth()) {
		return Report{}, ErrMonthNotOver
	}
	rep, err := o.Runner.Run(ctx, month, now)
	if err != nil {
		return rep, err
	}
	before := fmt.Sprintf("%d facture(s)", rep.Invoices-rep.Created)
	after := fmt.Sprintf("%d facture(s), dont %d nouvelle(s) ; %d e-mail(s) envoyé(s)", rep.Invoices, rep.Created, rep.Notified)
	if err := o.Journal.Record(ctx, who, now, "Facturation du mois lancée", MonthLabel(month), before, after); err != nil {
		return rep, err
	}
	return rep, nil
}

// CounterPaymentFor records a payment received at the régie's counter for the family's invoice
// number: the invoice's amount exactly, by cash, cheque or CESU, with a reference (required but
// for cash). One conditional write: submitting the same form twice records it once, and an
// invoice paid meanwhile (online, or at another counter) is refused, never paid twice. The
// invoice is then "payée" for the family, as after a card payment.
func (o *Office) CounterPaymentFor(ctx context.Context, who string, in CounterPayment, now time.Time) (Invoice, error) {
	if !ValidNumber(in.Number) || in.FamilyID == "" {
		return Invoice{}, ErrInvoiceNotFound
	}
	inv, err := o.Invoices.Invoice(ctx, in.FamilyID, in.Number)
	if err != nil {
		return Invoice{}, err
	}
	var f fault.Fields
	if !in.Method.Counter() {
		f.Add("method", "Choisissez le moyen de paiement : espèces, chèque ou CESU.")
	}
	cents, ok := ParseCents(in.Amount)
	switch {
	case !ok:
		f.Add("amount", "Saisissez le montant reçu en euros, par exemple 57,50.")
	case cents != inv.TotalCents:
		f.Add("amount", "Le montant reçu doit être celui de la facture : "+fr.Euros(inv.TotalCents)+".")
	}
	ref := strings.TrimSpace(in.Reference)
	switch {
	case utf8.RuneCountInString(ref) > 60:
		f.Add("reference", "La référence tient en 60 caractères au plus.")
	case ref == "" && (in.Method == MethodCheque || in.Method == MethodCESU):
		f.Add("reference", "Saisissez le numéro du chèque ou des titres CESU.")
	}
	if !validToken(in.Token) {
		f.Add("amount", "Le formulaire a expiré : rechargez la page et saisissez le paiement à nouveau.")
	}
	if err := f.Err(); err != nil {
		return inv, err
	}
	if inv.Paid() {
		if slices.ContainsFunc(inv.Payments, func(q Payment) bool { return q.IDOp == CounterKey(in.Token) }) {
			return inv, nil // the same form again, already recorded
		}
		return inv, ErrAlreadyPaid
	}
	p := Payment{IDOp: CounterKey(in.Token), AmountCents: cents, At: now, Method: in.Method, Reference: ref, RecordedBy: who}
	stored, applied, err := o.Desk.RecordCounterPayment(ctx, inv.FamilyID, inv.Number, p)
	if err != nil {
		return inv, err
	}
	if !applied {
		return stored, nil // the same form again: recorded once, journaled once
	}
	after := "payée " + p.Method.How() + ", " + fr.Euros(cents)
	if ref != "" {
		after += ", réf. " + ref
	}
	if err := o.Journal.Record(ctx, who, now, "Paiement au guichet enregistré",
		"Facture "+inv.Number+" – "+inv.FamilyName, "à payer, "+fr.Euros(inv.TotalCents), after); err != nil {
		return stored, err
	}
	return stored, nil
}

// Refunded marks the overpayment key refunded, with an optional note, and journals it.
func (o *Office) Refunded(ctx context.Context, who, key, note string, now time.Time) (Overpayment, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 100 {
		var f fault.Fields
		f.Add("note", "La note tient en 100 caractères au plus.")
		return Overpayment{}, f.Err()
	}
	op, err := o.Desk.MarkRefunded(ctx, key, Refund{At: now, By: who, Note: note})
	if err != nil {
		return op, err
	}
	after := "remboursé"
	if note != "" {
		after += " (" + note + ")"
	}
	if err := o.Journal.Record(ctx, who, now, "Trop-perçu remboursé", "Facture "+op.Number+", "+fr.Euros(op.AmountCents),
		"à rembourser", after); err != nil {
		return op, err
	}
	return op, nil
}

// Month lists month's invoices, by number.
func (o *Office) Month(ctx context.Context, month date.Date) ([]Invoice, error) {
	return o.Desk.MonthInvoices(ctx, month.FirstOfMonth())
}

// Invoice reads the family's invoice number.
func (o *Office) Invoice(ctx context.Context, familyID, number string) (Invoice, error) {
	if !ValidNumber(number) {
		return Invoice{}, ErrInvoiceNotFound
	}
	return o.Invoices.Invoice(ctx, familyID, number)
}

// Overpayments lists the overpayments, those still to refund first, then oldest first.
func (o *Office) Overpayments(ctx context.Context) ([]Overpayment, error) {
	out, err := o.Desk.Overpayments(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b Overpayment) int {
		if (a.Refunded == nil) != (b.Refunded == nil) {
			if a.Refunded == nil {
				return -1
			}
			return 1
		}
		return a.At.Compare(b.At)
	})
	return out, nil
}

// Filter narrows a month's invoices to one status ("" for all) at now.
func Filter(invs []Invoice, status Status, now time.Time) []Invoice {
	if status == "" {
		return invs
	}
	out := make([]Invoice, 0, len(invs))
	for _, inv := range invs {
		if inv.Status(now) == status {
			out = append(out, inv)
		}
	}
	return out
}

// Received is one payment of an invoice, as the desk lists them.
type Received struct {
	Payment
	Number     string
	FamilyID   string
	FamilyName string
	Overpaid   bool // received after another payment settled the invoice
}

// PaymentsOf lists the payments received for invs, newest first.
func PaymentsOf(invs []Invoice) []Received {
	var out []Received
	for _, inv := range invs {
		for i, p := range inv.Payments {
			out = append(out, Received{Payment: p, Number: inv.Number, FamilyID: inv.FamilyID, FamilyName: inv.FamilyName, Overpaid: i > 0})
		}
	}
	slices.SortStableFunc(out, func(a, b Received) int { return b.At.Compare(a.At) })
	return out
}

// ParseMonth reads "2026-11" as the first day of that month.
func ParseMonth(s string) (date.Date, error) {
	d, err := date.Parse(s + "-01")
	if err != nil || len(s) != 7 {
		return date.Date{}, errors.New("billing: month is not YYYY-MM")
	}
	return d, nil
}
