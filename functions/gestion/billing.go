package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/staff"
	"github.com/preau/preau/shared/web"
)

// BillingDesk is the billing desk (*billing.Office): the invoice run, the month's invoices and
// payments, counter payments, overpayments.
type BillingDesk interface {
	RunMonth(ctx context.Context, who string, month date.Date, now time.Time) (billing.Report, error)
	Month(ctx context.Context, month date.Date) ([]billing.Invoice, error)
	Invoice(ctx context.Context, familyID, number string) (billing.Invoice, error)
	CounterPaymentFor(ctx context.Context, who string, in billing.CounterPayment, now time.Time) (billing.Invoice, error)
	Overpayments(ctx context.Context) ([]billing.Overpayment, error)
	Refunded(ctx context.Context, who, key, note string, now time.Time) (billing.Overpayment, error)
}

// billedMonth reads ?mois=2026-11 (or the form's), the month before now's by default: the one
// the scheduled run bills.
func (g *gestion) billedMonth(s string) date.Date {
	if m, err := billing.ParseMonth(s); err == nil {
		return m
	}
	return billing.MonthToBill(g.Clock.Now())
}

// invoiceRow is one invoice of the desk's list.
type invoiceRow struct {
	billing.Invoice
	Status billing.Status
}

// statuses are the filters of the list, as the page offers them.
var statuses = []billing.Status{billing.StatusToPay, billing.StatusPaid, billing.StatusOverdue}

func (g *gestion) billingPage(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	g.renderBilling(w, r, v, http.StatusOK, r.URL.Query().Get("mois"), nil)
}

func (g *gestion) renderBilling(w http.ResponseWriter, r *http.Request, v *staff.Viewer, code int, month string, errs []web.FieldErrorView) {
	m := g.billedMonth(month)
	now := g.Clock.Now()
	all, err := g.Billing.Month(r.Context(), m)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	status := billing.Status(r.URL.Query().Get("etat"))
	if status != "" && status != billing.StatusToPay && status != billing.StatusPaid && status != billing.StatusOverdue {
		status = ""
	}
	var rows []invoiceRow
	var total, paid int64
	for _, inv := range billing.Filter(all, status, now) {
		rows = append(rows, invoiceRow{inv, inv.Status(now)})
	}
	for _, inv := range all {
		total += inv.TotalCents
		if p, ok := inv.PaidBy(); ok {
			paid += p.AmountCents
		}
	}
	g.render(w, r, code, "billing", page{Title: "Facturation", Nav: "facturation", Staff: v, Errors: errs, Data: struct {
		Month, Previous, Next date.Date
		Label                 string
		Status                billing.Status
		Statuses              []billing.Status
		Invoices              []invoiceRow
		Count                 int
		TotalCents, PaidCents int64
		Payments              []billing.Received
	}{m, m.AddMonths(-1), m.AddMonths(1), billing.MonthLabel(m), status, statuses, rows, len(all), total, paid, billing.PaymentsOf(all)}})
}

// runMonth is the "Lancer la facturation" form: the same run as the scheduled Billing function.
func (g *gestion) runMonth(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	raw := r.PostFormValue("mois")
	m, err := billing.ParseMonth(raw)
	if err != nil {
		g.renderBilling(w, r, v, http.StatusBadRequest, raw, []web.FieldErrorView{{Field: "mois", Detail: "Choisissez un mois (aaaa-mm)."}})
		return
	}
	rep, err := g.Billing.RunMonth(r.Context(), v.Email, m, g.Clock.Now())
	if f, ok := fault.As(err); ok && f.Kind == fault.Conflict {
		g.renderBilling(w, r, v, http.StatusConflict, raw, []web.FieldErrorView{{Field: "mois", Detail: f.Detail}})
		return
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	g.Cookies.SetFlash(w, fmt.Sprintf("Facturation de %s : %d facture(s), dont %d nouvelle(s) ; %d e-mail(s) envoyé(s).",
		billing.MonthLabel(m), rep.Invoices, rep.Created, rep.Notified))
	http.Redirect(w, r, "/gestion/facturation?mois="+m.MonthKey(), http.StatusSeeOther)
}

type counterForm struct {
	Method, Amount, Reference, Token string
}

type invoicePageData struct {
	Invoice  billing.Invoice
	Status   billing.Status
	Label    string
	Methods  []billing.Method
	Form     counterForm
	Payments []billing.Received
}

func (g *gestion) invoicePage(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	g.renderInvoice(w, r, v, http.StatusOK, counterForm{}, nil)
}

func (g *gestion) renderInvoice(w http.ResponseWriter, r *http.Request, v *staff.Viewer, code int, form counterForm, errs []web.FieldErrorView) {
	inv, err := g.Billing.Invoice(r.Context(), r.PathValue("id"), r.PathValue("number"))
	if err != nil {
		web.Error(w, r, err)
		return
	}
	if form.Token == "" {
		form = counterForm{Method: string(billing.MethodCheque), Amount: centsInput(inv.TotalCents)}
	}
	form.Token = billing.NewCounterToken() // a new form, a new payment
	g.render(w, r, code, "billing-invoice", page{Title: "Facture n° " + inv.Number, Nav: "facturation", Staff: v, Errors: errs,
		Data: invoicePageData{Invoice: inv, Status: inv.Status(g.Clock.Now()), Label: billing.MonthLabel(inv.Month),
			Methods: billing.CounterMethods(), Form: form, Payments: billing.PaymentsOf([]billing.Invoice{inv})}})
}

// centsInput writes cents as the amount field expects them: "57,50".
func centsInput(c int64) string { return fmt.Sprintf("%d,%02d", c/100, c%100) }

// counterPayment is the "Paiement reçu au guichet" form of an invoice.
func (g *gestion) counterPayment(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	form := counterForm{Method: r.PostFormValue("method"), Amount: r.PostFormValue("amount"),
		Reference: r.PostFormValue("reference"), Token: r.PostFormValue("cle")}
	in := billing.CounterPayment{FamilyID: r.PathValue("id"), Number: r.PathValue("number"), Method: billing.Method(form.Method),
		Amount: form.Amount, Reference: form.Reference, Token: form.Token}
	inv, err := g.Billing.CounterPaymentFor(r.Context(), v.Email, in, g.Clock.Now())
	if f, ok := fault.As(err); ok && (f.Kind == fault.Invalid || f.Kind == fault.Conflict) {
		views := web.FormErrors(err)
		if len(views) == 0 {
			views = []web.FieldErrorView{{Field: "amount", Detail: f.Detail}}
		}
		g.renderInvoice(w, r, v, web.ProblemFor(f).Status, form, views)
		return
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	g.Cookies.SetFlash(w, "Paiement enregistré : la facture "+inv.Number+" est payée.")
	http.Redirect(w, r, "/gestion/facturation/familles/"+url.PathEscape(inv.FamilyID)+"/factures/"+inv.Number, http.StatusSeeOther)
}

func (g *gestion) overpaymentsPage(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	g.renderOverpayments(w, r, v, http.StatusOK, nil)
}

func (g *gestion) renderOverpayments(w http.ResponseWriter, r *http.Request, v *staff.Viewer, code int, errs []web.FieldErrorView) {
	over, err := g.Billing.Overpayments(r.Context())
	if err != nil {
		web.Error(w, r, err)
		return
	}
	var due int64
	for _, o := range over {
		if o.Refunded == nil {
			due += o.AmountCents
		}
	}
	g.render(w, r, code, "overpayments", page{Title: "Trop-perçus à rembourser", Nav: "facturation", Staff: v, Errors: errs,
		Data: struct {
			Overpayments []billing.Overpayment
			DueCents     int64
		}{over, due}})
}

// refund is the "Marquer remboursé" form of an overpayment.
func (g *gestion) refund(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	_, err := g.Billing.Refunded(r.Context(), v.Email, r.PostFormValue("cle"), r.PostFormValue("note"), g.Clock.Now())
	if f, ok := fault.As(err); ok && f.Kind != fault.NotFound {
		views := web.FormErrors(err)
		if len(views) == 0 {
			views = []web.FieldErrorView{{Field: "note", Detail: f.Detail}}
		}
		g.renderOverpayments(w, r, v, web.ProblemFor(f).Status, views)
		return
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	g.Cookies.SetFlash(w, "Trop-perçu marqué remboursé.")
	http.Redirect(w, r, "/gestion/facturation/trop-percus", http.StatusSeeOther)
}
