package billing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/fr"
	"github.com/preau/preau/shared/reservations"
)

// Books is what the invoice run reads: activity settings (prices), which family each enrolled
// child belongs to, the month's reservation days (the reservations' month read, whole), the
// days the town hall marked unbilled, and each family.
type Books interface {
	Activities(ctx context.Context) ([]family.Activity, error)
	// ChildFamilies maps each child enrolled in activity a to its family.
	ChildFamilies(ctx context.Context, a calendar.Activity) (map[string]string, error)
	DaysOfMonth(ctx context.Context, a calendar.Activity, site string, month date.Date) ([]reservations.Day, error)
	UnbilledDays(ctx context.Context, month date.Date) ([]Unbilled, error)
	BillingHousehold(ctx context.Context, familyID string) (Household, error)
}

// Run is one month's invoice run as first recorded: the families to invoice in number order,
// and the dates every invoice of the run carries. Recorded once (a conditional create), it is
// what a retried, doubled or interrupted run goes on with, so every attempt numbers the same
// families the same way.
type Run struct {
	Month    date.Date
	Families []string // family ids, sorted: the i-th gets the block's first number + i
	IssuedOn date.Date
	DueOn    date.Date
}

// Ledger keeps runs, invoice numbers and invoices. Each method is one conditional write on one
// item (plus reads), so numbering holds under retries and concurrent runs without transactions.
type Ledger interface {
	// OpenRun records r unless a run of r.Month exists, and returns the recorded one.
	OpenRun(ctx context.Context, r Run) (Run, error)
	// ClaimNumbers reserves count consecutive numbers of year's sequence for month, once: the
	// claim is recorded on the year's counter item in the same write that advances it, so a
	// second call for the same month returns the same first number and advances nothing.
	ClaimNumbers(ctx context.Context, year int, month date.Date, count int) (first int, err error)
	// PutInvoice stores inv unless an invoice with its number exists for its family; created
	// reports whether this call stored it.
	PutInvoice(ctx context.Context, inv Invoice) (created bool, err error)
	// ClaimNotice marks the family's invoice as notified at at, unless it already is; ok
	// reports whether this call marked it (and so must send the e-mail).
	ClaimNotice(ctx context.Context, familyID, number string, at time.Time) (ok bool, err error)
	// ReleaseNotice undoes ClaimNotice after a failed send, so that a later run sends it.
	ReleaseNotice(ctx context.Context, familyID, number string) error
}

// Notifier sends the invoice and receipt e-mails (shared/mail implements it). Every argument is
// already written in French (see InvoiceNotice); link is absolute.
type Notifier interface {
	SendInvoice(ctx context.Context, to, familyName, period, number, amount, dueDate, link string) error
	SendReceipt(ctx context.Context, to, familyName, period, number, amount, paidOn, link string) error
}

func sendInvoice(ctx context.Context, n Notifier, to string, in InvoiceNotice) error {
	return n.SendInvoice(ctx, to, in.FamilyName, in.Period, in.Number, in.Amount, in.DueDate, in.Link)
}

func sendReceipt(ctx context.Context, n Notifier, to string, in InvoiceNotice) error {
	return n.SendReceipt(ctx, to, in.FamilyName, in.Period, in.Number, in.Amount, in.PaidOn, in.Link)
}

// InvoiceNotice is what the invoice and receipt e-mails say, in French.
type InvoiceNotice struct {
	FamilyName string // "Famille Martin"
	Period     string // "novembre 2026"
	Number     string
	Amount     string // "57,50 €"
	DueDate    string // "jeudi 31 décembre 2026"
	PaidOn     string // receipts: "mardi 1er décembre 2026 à 9h05"
	Link       string // absolute link to the invoice's page
}

// Notice is the French wording of inv for its e-mails, with link to its page.
func Notice(inv Invoice, link string) InvoiceNotice {
	n := InvoiceNotice{FamilyName: inv.FamilyName, Period: MonthLabel(inv.Month), Number: inv.Number,
		Amount: fr.Euros(inv.TotalCents), DueDate: fr.LongDateYear(inv.DueOn), Link: link}
	if p, ok := inv.PaidBy(); ok {
		n.PaidOn = fr.LongDateYear(date.Of(p.At)) + " à " + fr.Clock(p.At)
		n.Amount = fr.Euros(p.AmountCents)
	}
	return n
}

// MonthLabel writes a month as "novembre 2026".
func MonthLabel(month date.Date) string {
	return fr.MonthName(month.Month()) + " " + fmt.Sprint(month.Year())
}

// InvoicePath is the page of invoice number on the portal.
func InvoicePath(number string) string { return "/espace-facturation/factures/" + number }

// MonthToBill is the month a run at now bills: the one before now's month (Europe/Paris).
func MonthToBill(now time.Time) date.Date { return date.Of(now).FirstOfMonth().AddMonths(-1) }

// Runner runs the monthly invoice run.
type Runner struct {
	Books    Books
	Ledger   Ledger
	Notifier Notifier
	Link     func(path string) string // absolute URL of a portal path, for e-mails
	DueDays  int                      // days from issue to due date (DefaultDueDays when 0)
	Workers  int                      // families handled at once (8 when 0)
}

// Report is what a run did.
type Report struct {
	Month      date.Date
	Invoices   int // invoices the run holds
	Created    int // invoices this call stored
	Notified   int // e-mails this call sent
	TotalCents int64
}

// Run bills month at instant now. It is safe to call again, and at the same time, for the
// same month: the family list and dates are fixed by the first call (OpenRun), the numbers are
// claimed once for the month (ClaimNumbers), each invoice is written once (PutInvoice) and each
// e-mail sent once (ClaimNotice). A call stopped half-way leaves a run the next call completes
// with the same numbers: no gap, no duplicate.
func (r *Runner) Run(ctx context.Context, month date.Date, now time.Time) (Report, error) {
	month = month.FirstOfMonth()
	rep := Report{Month: month}
	drafts, households, err := r.drafts(ctx, month)
	if err != nil {
		return rep, fmt.Errorf("billing %s: %w", month.MonthKey(), err)
	}
	due := r.DueDays
	if due == 0 {
		due = DefaultDueDays
	}
	issued := date.Of(now)
	run, err := r.Ledger.OpenRun(ctx, Run{Month: month, Families: sortedKeys(drafts), IssuedOn: issued, DueOn: issued.AddDays(due)})
	if err != nil {
		return rep, fmt.Errorf("billing %s: open run: %w", month.MonthKey(), err)
	}
	rep.Invoices = len(run.Families)
	if len(run.Families) == 0 {
		return rep, nil
	}
	first, err := r.Ledger.ClaimNumbers(ctx, run.IssuedOn.Year(), month, len(run.Families))
	if err != nil {
		return rep, fmt.Errorf("billing %s: claim numbers: %w", month.MonthKey(), err)
	}

	workers := r.Workers
	if workers <= 0 {
		workers = 8
	}
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
		next = make(chan int)
	)
	for range workers {
		wg.Go(func() {
			for i := range next {
				inv, ok := drafts[run.Families[i]]
				h, known := households[run.Families[i]]
				if !ok || !known {
					// A family of the recorded run with nothing billable any more (its days
					// were marked unbilled since the first attempt): its number still gets an
					// invoice, of zero, so the sequence keeps no gap.
					var err error
					if h, err = r.Books.BillingHousehold(ctx, run.Families[i]); err != nil {
						mu.Lock()
						errs = append(errs, err)
						mu.Unlock()
						continue
					}
					if !ok {
						inv = Invoice{FamilyID: h.Family.ID, FamilyName: h.Family.Name, Month: month}
					}
				}
				inv.Number = Number(run.IssuedOn.Year(), first+i)
				inv.IssuedOn, inv.DueOn = run.IssuedOn, run.DueOn
				created, sent, err := r.issue(ctx, inv, h, now)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				}
				if created {
					rep.Created++
				}
				if sent {
					rep.Notified++
				}
				rep.TotalCents += inv.TotalCents
				mu.Unlock()
			}
		})
	}
	for i := range run.Families {
		mu.Lock()
		stop := len(errs) > 0
		mu.Unlock()
		if stop || ctx.Err() != nil {
			break // the next run goes on from the recorded run, with the same numbers
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(append(errs, ctx.Err())...); err != nil {
		return rep, fmt.Errorf("billing %s: %w", month.MonthKey(), err)
	}
	slog.InfoContext(ctx, "invoice run", "month", month.MonthKey(), "invoices", rep.Invoices,
		"created", rep.Created, "notified", rep.Notified, "total_cents", rep.TotalCents)
	return rep, nil
}

// issue stores one invoice and tells the family, each at most once.
func (r *Runner) issue(ctx context.Context, inv Invoice, h Household, now time.Time) (created, sent bool, err error) {
	created, err = r.Ledger.PutInvoice(ctx, inv)
	if err != nil {
		return false, false, fmt.Errorf("invoice %s: %w", inv.Number, err)
	}
	if len(h.Members) == 0 {
		return created, false, nil // nobody to tell yet; the invoice waits on the portal
	}
	ok, err := r.Ledger.ClaimNotice(ctx, inv.FamilyID, inv.Number, now)
	if err != nil || !ok {
		return created, false, err
	}
	n := Notice(inv, r.Link(InvoicePath(inv.Number)))
	var sendErr error
	for _, to := range h.Members {
		sendErr = errors.Join(sendErr, sendInvoice(ctx, r.Notifier, to, n))
	}
	if sendErr != nil {
		if err := r.Ledger.ReleaseNotice(ctx, inv.FamilyID, inv.Number); err != nil {
			sendErr = errors.Join(sendErr, err)
		}
		return created, false, fmt.Errorf("invoice %s: notify: %w", inv.Number, sendErr)
	}
	return created, true, nil
}

// drafts computes every family's invoice of month (families with nothing billable have none).
// Reads: the activities, the enrolments of each activity, one month read per activity and site,
// the unbilled days, and each family billed.
func (r *Runner) drafts(ctx context.Context, month date.Date) (map[string]Invoice, map[string]Household, error) {
	acts, err := r.Books.Activities(ctx)
	if err != nil {
		return nil, nil, err
	}
	unbilled, err := r.Books.UnbilledDays(ctx, month)
	if err != nil {
		return nil, nil, err
	}
	childFamily := map[string]string{}
	for _, a := range calendar.Activities() {
		m, err := r.Books.ChildFamilies(ctx, a)
		if err != nil {
			return nil, nil, err
		}
		for c, f := range m {
			childFamily[c] = f
		}
	}
	type key struct {
		child string
		SiteActivity
	}
	booked := map[string]map[key][]date.Date{} // family → child×activity×site → days
	for _, act := range acts {
		days, err := r.Books.DaysOfMonth(ctx, act.Activity, act.Site, month)
		if err != nil {
			return nil, nil, err
		}
		for _, d := range days {
			for child := range d.Bookings {
				fam, ok := childFamily[child]
				if !ok {
					continue
				}
				if booked[fam] == nil {
					booked[fam] = map[key][]date.Date{}
				}
				k := key{child, SiteActivity{act.Activity, act.Site}}
				booked[fam][k] = append(booked[fam][k], d.Day)
			}
		}
	}
	index := ActivityIndex(acts)
	out := make(map[string]Invoice, len(booked))
	households := make(map[string]Household, len(booked))
	for _, fam := range sortedKeys(booked) {
		h, err := r.Books.BillingHousehold(ctx, fam)
		if err != nil {
			return nil, nil, fmt.Errorf("household: %w", err)
		}
		households[fam] = h
		var bs []Booked
		for k, days := range booked[fam] {
			slices.SortFunc(days, date.Date.Compare)
			bs = append(bs, Booked{ChildID: k.child, Activity: k.Activity, Site: k.Site, Days: days})
		}
		inv := Draft(h, month, bs, index, unbilled)
		if inv.TotalCents > 0 {
			out[fam] = inv
		}
	}
	return out, households, nil
}

// InvoiceReader reads a family's invoices.
type InvoiceReader interface {
	// Invoices lists the family's invoices, newest first.
	Invoices(ctx context.Context, familyID string) ([]Invoice, error)
	// Invoice returns the family's invoice number; ErrInvoiceNotFound when the family has no
	// invoice of that number (another family's included).
	Invoice(ctx context.Context, familyID, number string) (Invoice, error)
}
