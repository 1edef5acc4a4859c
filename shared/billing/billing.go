// Package billing holds the rules of Préau's post-paid invoices: the price of a booked day, the
// monthly invoice of a family, its number, its due date and its status, and the card payments
// taken through PayFiP that settle it.
//
// Amounts are integer cents everywhere; only pages and e-mails write "12,50 €" (shared/fr).
// Nothing here reads the clock: the instant is always an argument.
//
// The package imports no infrastructure. It declares the small interfaces it needs (Books to
// read what was booked, Ledger to keep runs, numbers and invoices, Payments for payment
// attempts, Provider for PayFiP, Notifier for e-mails); shared/store, shared/payfip and
// shared/mail implement them, and billingtest has in-memory fakes with one contract suite run
// against both the fakes and DynamoDB.
package billing

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/fr"
	"github.com/preau/preau/shared/reservations"
)

// DefaultDueDays is how long a family has to pay an invoice, counted from its issue date.
const DefaultDueDays = 30

// Line is one line of an invoice: a child's booked days of one activity at one site.
type Line struct {
	ChildID     string
	ChildName   string // the child's first name, as the family reads it
	Activity    calendar.Activity
	Site        string
	SiteName    string
	Days        int
	UnitCents   int64
	AmountCents int64
}

// Label is the line as parents read it: "Léa – Restauration scolaire".
func (l Line) Label() string { return l.ChildName + " – " + l.Activity.Label() }

// Payment is a payment received for an invoice: by card through PayFiP, or at the régie's
// counter (Method).
type Payment struct {
	IDOp        string // PayFiP's operation id; CounterKey(token) for a counter payment
	AmountCents int64
	At          time.Time
	Method      Method // "" is a PayFiP payment (recorded before methods were)
	Reference   string // counter payments: the cheque's or CESU titles' numbers
	RecordedBy  string // counter payments: the staff member who took it
}

// Via is how the payment was made (MethodPayFiP when the record names none).
func (p Payment) Via() Method {
	if p.Method == "" {
		return MethodPayFiP
	}
	return p.Method
}

// Invoice is a family's invoice for one month.
type Invoice struct {
	Number     string // "2026000001": sequential per commune and year; PayFiP's refdet
	FamilyID   string
	FamilyName string
	Month      date.Date // first day of the billed month
	Lines      []Line
	TotalCents int64
	IssuedOn   date.Date
	DueOn      date.Date // the last day online payment is possible (Europe/Paris)
	// Payments received, oldest first. The first settles the invoice; any later one is an
	// overpayment the town hall refunds (two tabs paying at once).
	Payments []Payment
	// NotifiedAt is when the family was told of the invoice (zero until then).
	NotifiedAt time.Time
	// LastIDOp is the last payment attempt started from the portal, for the return page.
	LastIDOp string
}

// Status is where an invoice stands for the family.
type Status string

// The statuses of an invoice.
const (
	StatusToPay   Status = "a-payer"
	StatusPaid    Status = "payee"
	StatusOverdue Status = "echue"
)

// French is the status as parents read it.
func (s Status) French() string {
	switch s {
	case StatusToPay:
		return "à payer"
	case StatusPaid:
		return "payée"
	case StatusOverdue:
		return "échue"
	}
	return string(s)
}

// Paid reports whether a payment settled the invoice.
func (inv Invoice) Paid() bool { return len(inv.Payments) > 0 }

// PaidBy is the payment that settled the invoice (ok false while it is unpaid).
func (inv Invoice) PaidBy() (Payment, bool) {
	if len(inv.Payments) == 0 {
		return Payment{}, false
	}
	return inv.Payments[0], true
}

// Overpayments are the payments received after the one that settled the invoice.
func (inv Invoice) Overpayments() []Payment {
	if len(inv.Payments) < 2 {
		return nil
	}
	return inv.Payments[1:]
}

// Status is the invoice's status at instant now.
func (inv Invoice) Status(now time.Time) Status {
	switch {
	case inv.Paid():
		return StatusPaid
	case date.Of(now).After(inv.DueOn):
		return StatusOverdue
	}
	return StatusToPay
}

// PayableOnline reports whether the family may still pay online at now: unpaid, and the Paris
// day of now no later than the due date (the due date itself included).
func (inv Invoice) PayableOnline(now time.Time) bool {
	return inv.Status(now) == StatusToPay && inv.TotalCents > 0
}

// CanPay says why an invoice cannot be paid online at now, or nil when it can.
func (inv Invoice) CanPay(now time.Time) error {
	switch inv.Status(now) {
	case StatusPaid:
		return ErrAlreadyPaid
	case StatusOverdue:
		return ErrPastDue.With("dueDate", inv.DueOn.String())
	}
	if inv.TotalCents <= 0 {
		return ErrNothingToPay
	}
	return nil
}

// Refusals of the billing rules.
var (
	ErrInvoiceNotFound = fault.New(fault.NotFound, "invoice-not-found", "Facture introuvable",
		"Cette facture n'existe pas ou ne concerne pas votre famille.")
	ErrAlreadyPaid = fault.New(fault.Conflict, "invoice-paid", "Facture déjà payée",
		"Cette facture est déjà payée.")
	ErrPastDue = fault.New(fault.Conflict, "invoice-past-due", "Date d'échéance dépassée",
		"La date d'échéance de cette facture est passée : le paiement en ligne n'est plus possible. "+
			"Vous pouvez la régler à la régie de la mairie, ou à réception de l'avis des sommes à payer du Trésor public.")
	ErrNothingToPay = fault.New(fault.Conflict, "invoice-nothing-to-pay", "Rien à payer",
		"Cette facture ne comporte aucun montant à payer.")
	ErrNoFamily = fault.New(fault.Conflict, "no-family", "Compte non rattaché à une famille",
		"Votre compte n'est pas encore rattaché à une famille : saisissez votre code abonné dans Mon espace citoyen.")
	ErrPaymentUnavailable = fault.New(fault.Conflict, "payment-unavailable", "Paiement momentanément indisponible",
		"Le service de paiement en ligne ne répond pas. Veuillez réessayer dans quelques minutes.")
)

// Number makes the invoice number of sequence n in year: the year then n on six digits,
// "2026000042". Only digits, so it is a valid PayFiP refdet (6 to 30 alphanumerics).
func Number(year, n int) string { return fmt.Sprintf("%04d%06d", year, n) }

// ValidNumber reports whether s has the shape of an invoice number (ten digits).
func ValidNumber(s string) bool {
	if len(s) != 10 {
		return false
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// Unbilled is a day the town hall decided not to bill (a closure, a justified absence): for one
// child, or for every child when ChildID is "".
type Unbilled struct {
	Day      date.Date
	Activity calendar.Activity
	Site     string
	ChildID  string // "" for every child
	Reason   string // "fermeture", "absence justifiée"…
}

// Household is a family as billing needs it: who it is, its children and the accounts to tell.
type Household struct {
	Family   family.Family
	Children []family.Child
	Members  []string // e-mails of the parent accounts linked to the family
}

// Booked is one child's booked days of one activity at one site in a month.
type Booked struct {
	ChildID  string
	Activity calendar.Activity
	Site     string
	Days     []date.Date
}

// Draft computes the invoice of household h for month from its children's booked days, the
// activities' settings and the unbilled days: one line per child × activity × site with at
// least one billable day, in the order of the family's children then activities. Number, dates
// and payments are left to the run.
func Draft(h Household, month date.Date, booked []Booked, acts map[SiteActivity]family.Activity, unbilled []Unbilled) Invoice {
	inv := Invoice{FamilyID: h.Family.ID, FamilyName: h.Family.Name, Month: month.FirstOfMonth()}
	skip := map[string]bool{}
	for _, u := range unbilled {
		skip[unbilledKey(u.Day, u.Activity, u.Site, u.ChildID)] = true
	}
	names := map[string]string{}
	order := map[string]int{}
	for i, c := range h.Children {
		names[c.ID] = c.FirstName
		order[c.ID] = i
	}
	for _, b := range booked {
		if _, ok := names[b.ChildID]; !ok {
			continue
		}
		act, ok := acts[SiteActivity{b.Activity, b.Site}]
		if !ok {
			continue
		}
		days := 0
		for _, d := range b.Days {
			if d.Year() != month.Year() || d.Month() != month.Month() ||
				skip[unbilledKey(d, b.Activity, b.Site, "")] || skip[unbilledKey(d, b.Activity, b.Site, b.ChildID)] {
				continue
			}
			days++
		}
		if days == 0 {
			continue
		}
		unit := act.DayPrice(h.Family)
		inv.Lines = append(inv.Lines, Line{ChildID: b.ChildID, ChildName: names[b.ChildID], Activity: b.Activity,
			Site: b.Site, SiteName: act.SiteName, Days: days, UnitCents: unit, AmountCents: unit * int64(days)})
	}
	rank := map[calendar.Activity]int{}
	for i, a := range calendar.Activities() {
		rank[a] = i
	}
	slices.SortStableFunc(inv.Lines, func(x, y Line) int {
		if c := order[x.ChildID] - order[y.ChildID]; c != 0 {
			return c
		}
		if c := rank[x.Activity] - rank[y.Activity]; c != 0 {
			return c
		}
		return strings.Compare(x.Site, y.Site)
	})
	for _, l := range inv.Lines {
		inv.TotalCents += l.AmountCents
	}
	return inv
}

func unbilledKey(d date.Date, a calendar.Activity, site, child string) string {
	return d.String() + "#" + string(a) + "#" + site + "#" + child
}

// SiteActivity names one activity at one site.
type SiteActivity struct {
	Activity calendar.Activity
	Site     string
}

// ActivityIndex indexes activity settings by activity and site.
func ActivityIndex(acts []family.Activity) map[SiteActivity]family.Activity {
	out := make(map[SiteActivity]family.Activity, len(acts))
	for _, a := range acts {
		out[SiteActivity{a.Activity, a.Site}] = a
	}
	return out
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// Forecast is what a family's booked days of a month will cost at its prices: the planning
// shows it as parents book ("décembre : 23 jours réservés, 57,50 € estimés").
type Forecast struct {
	Month       date.Date
	Days        int
	AmountCents int64
}

// ForecastOf is the family's forecast of month from its planning (which must cover the month):
// its children's booked days of the month on which their activity runs, each at the price the
// invoice run charges the family (reservations.Cell.PriceCents, family.Activity.DayPrice). A day
// the mairie later marks unbilled (a justified absence) is left off the invoice, not here.
func ForecastOf(fp reservations.FamilyPlanning, month date.Date) Forecast {
	f := Forecast{Month: month.FirstOfMonth()}
	for _, c := range fp.Children {
		for _, d := range c.Days {
			if d.Date.Year() != f.Month.Year() || d.Date.Month() != f.Month.Month() {
				continue
			}
			for _, cell := range d.Cells {
				if cell.Booked && cell.Open && cell.Enrolled {
					f.Days++
					f.AmountCents += cell.PriceCents
				}
			}
		}
	}
	return f
}

// French writes the forecast as the planning shows it: "décembre : 23 jours réservés, 57,50 €
// estimés" (singular for one day; "décembre : aucun jour réservé" for none).
func (f Forecast) French() string {
	if f.Days == 0 {
		return fr.MonthName(f.Month.Month()) + " : aucun jour réservé"
	}
	days := "jours réservés"
	if f.Days == 1 {
		days = "jour réservé"
	}
	return fr.MonthName(f.Month.Month()) + " : " + strconv.Itoa(f.Days) + " " + days + ", " + fr.Euros(f.AmountCents) + " estimés"
}
