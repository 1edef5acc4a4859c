package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/fr"
	"github.com/preau/preau/shared/web"
)

// escaped holds the pages, written from templates/ by go generate ./shared/tmpl.
//
//go:embed escaped/*.html
var escaped embed.FS

// Payer starts an online payment and tells, after it, where it stands; *billing.Checkout
// implements it.
type Payer interface {
	Start(ctx context.Context, familyID, email, number string, now time.Time) (redirectURL string, err error)
	ReturnStatus(ctx context.Context, familyID, number string, now time.Time) (billing.Invoice, billing.PaymentStatus, error)
}

// Deps is what the Invoices handler needs; main.go builds it once per cold start.
type Deps struct {
	Commune string
	// PaymentOrigin is PayFiP's origin (scheme://host), where the payment form's answer
	// redirects: the page's Content-Security-Policy allows it as a form target.
	PaymentOrigin string
	Regie         Regie
	Invoices      billing.InvoiceReader
	Payer         Payer
	Clock         clock.Clock
	Sessions      web.SessionResolver
	Cookies       web.Cookies
	HSTS          bool
}

// Regie is who collects the invoices, as the PDF and the pages name it.
type Regie struct {
	Name    string // "Régie enfance-jeunesse de la mairie de Laigneville"
	Address string // where to pay at the town hall
}

type handler struct {
	Deps
	pages *web.Renderer
}

// New returns the Invoices function's handler: Espace facturation (list, detail, PDF, "Payer en
// ligne", return from PayFiP) and /api/v1/invoices.
func New(d Deps) (http.Handler, error) {
	if d.Invoices == nil || d.Payer == nil || d.Clock == nil || d.Sessions == nil {
		return nil, errors.New("invoices: invoices, payer, clock and sessions are required")
	}
	pages, err := web.LoadRenderer(d.Commune, d.Cookies, escaped)
	if err != nil {
		return nil, fmt.Errorf("invoices: %w", err)
	}
	h := &handler{Deps: d, pages: pages}
	signedIn := web.SignedIn(d.Sessions, d.Cookies)
	mux := web.NewRouter()
	mux.Handle("GET /espace-facturation", signedIn(h.listPage))
	mux.Handle("GET /espace-facturation/factures/{number}", signedIn(h.detailPage))
	mux.Handle("GET /espace-facturation/factures/{number}/pdf", signedIn(h.pdf))
	mux.Handle("POST /espace-facturation/factures/{number}/paiement", signedIn(h.payForm))
	mux.Handle("GET /espace-facturation/factures/{number}/retour", signedIn(h.returnPage))
	mux.Handle("GET /api/v1/invoices", signedIn(h.listAPI))
	mux.Handle("GET /api/v1/invoices/{number}", signedIn(h.detailAPI))
	mux.Handle("GET /api/v1/invoices/{number}/pdf", signedIn(h.pdf))
	mux.Handle("POST /api/v1/invoices/{number}/payments", signedIn(h.payAPI))
	return web.Handler(mux, web.Options{Function: "Invoices", HSTS: d.HSTS}), nil
}

// invoice reads the viewer's invoice named by the path: another family's number, or a
// malformed one, is not found.
func (h *handler) invoice(r *http.Request) (billing.Invoice, error) {
	v := web.ViewerFrom(r.Context())
	if v.FamilyID == "" {
		return billing.Invoice{}, billing.ErrNoFamily
	}
	number := r.PathValue("number")
	if !billing.ValidNumber(number) {
		return billing.Invoice{}, billing.ErrInvoiceNotFound
	}
	return h.Invoices.Invoice(r.Context(), v.FamilyID, number)
}

// ---- JSON ----

type lineJSON struct {
	ChildID     string `json:"childId"`
	ChildName   string `json:"childName"`
	Activity    string `json:"activity"`
	Site        string `json:"site"`
	Days        int    `json:"days"`
	UnitCents   int64  `json:"unitCents"`
	AmountCents int64  `json:"amountCents"`
}

type invoiceJSON struct {
	ID            string     `json:"id"`
	Month         string     `json:"month"`
	Status        string     `json:"status"`
	IssuedOn      string     `json:"issuedOn"`
	DueOn         string     `json:"dueOn"`
	TotalCents    int64      `json:"totalCents"`
	Total         string     `json:"total"`
	PayableOnline bool       `json:"payableOnline"`
	PaidAt        *string    `json:"paidAt,omitempty"`
	Lines         []lineJSON `json:"lines,omitempty"`
	PDF           string     `json:"pdf"`
}

func (h *handler) toJSON(inv billing.Invoice, withLines bool) invoiceJSON {
	now := h.Clock.Now()
	out := invoiceJSON{ID: inv.Number, Month: inv.Month.MonthKey(), Status: string(inv.Status(now)),
		IssuedOn: inv.IssuedOn.String(), DueOn: inv.DueOn.String(), TotalCents: inv.TotalCents,
		Total: fr.Euros(inv.TotalCents), PayableOnline: inv.PayableOnline(now), PDF: "/api/v1/invoices/" + inv.Number + "/pdf"}
	if p, ok := inv.PaidBy(); ok {
		at := p.At.In(date.Paris).Format(time.RFC3339) // with the Paris offset, as every API time
		out.PaidAt = &at
	}
	if withLines {
		out.Lines = []lineJSON{}
		for _, l := range inv.Lines {
			out.Lines = append(out.Lines, lineJSON{ChildID: l.ChildID, ChildName: l.ChildName, Activity: string(l.Activity),
				Site: l.Site, Days: l.Days, UnitCents: l.UnitCents, AmountCents: l.AmountCents})
		}
	}
	return out
}

func (h *handler) listAPI(w http.ResponseWriter, r *http.Request) {
	v := web.ViewerFrom(r.Context())
	if v.FamilyID == "" {
		web.Error(w, r, billing.ErrNoFamily)
		return
	}
	invs, err := h.Invoices.Invoices(r.Context(), v.FamilyID)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	out := struct {
		Invoices []invoiceJSON `json:"invoices"`
	}{Invoices: []invoiceJSON{}}
	for _, inv := range invs {
		out.Invoices = append(out.Invoices, h.toJSON(inv, false))
	}
	web.WriteJSON(w, http.StatusOK, out)
}

func (h *handler) detailAPI(w http.ResponseWriter, r *http.Request) {
	inv, err := h.invoice(r)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, h.toJSON(inv, true))
}

// payAPI starts a payment: 201 with PayFiP's page to send the parent to.
func (h *handler) payAPI(w http.ResponseWriter, r *http.Request) {
	v := web.ViewerFrom(r.Context())
	url, err := h.Payer.Start(r.Context(), v.FamilyID, v.Email, r.PathValue("number"), h.Clock.Now())
	if err != nil {
		web.Error(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusCreated, struct {
		RedirectURL string `json:"redirectUrl"`
	}{url})
}

// pdf serves the invoice as a PDF (page and API).
func (h *handler) pdf(w http.ResponseWriter, r *http.Request) {
	inv, err := h.invoice(r)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	b, err := InvoicePDF(inv, h.Commune, h.Regie, h.Clock.Now())
	if err != nil {
		web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="facture-`+inv.Number+`.pdf"`)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// ---- Pages ----

type row struct {
	billing.Invoice
	Period string
	Status billing.Status
}

type listData struct {
	NoFamily bool
	Invoices []row
}

func (h *handler) listPage(w http.ResponseWriter, r *http.Request) {
	v := web.ViewerFrom(r.Context())
	data := listData{NoFamily: v.FamilyID == ""}
	if !data.NoFamily {
		invs, err := h.Invoices.Invoices(r.Context(), v.FamilyID)
		if err != nil {
			web.Error(w, r, err)
			return
		}
		now := h.Clock.Now()
		for _, inv := range invs {
			data.Invoices = append(data.Invoices, row{inv, billing.MonthLabel(inv.Month), inv.Status(now)})
		}
	}
	h.pages.Render(w, r, http.StatusOK, "invoices", web.Page{Title: "Espace facturation", Nav: "facturation", Data: data})
}

type detailData struct {
	row
	Payable  bool
	PaidOn   string // "mardi 1er décembre 2026", when paid
	PaidHow  string // "en ligne", "à la régie (chèque)"
	Regie    Regie
	Payment  billing.PaymentStatus // the return page only
	Returned bool
}

func (h *handler) detail(inv billing.Invoice) detailData {
	now := h.Clock.Now()
	d := detailData{row: row{inv, billing.MonthLabel(inv.Month), inv.Status(now)}, Payable: inv.PayableOnline(now), Regie: h.Regie}
	if p, ok := inv.PaidBy(); ok {
		d.PaidOn = fr.LongDateYear(date.Of(p.At))
		d.PaidHow = p.Via().How()
	}
	return d
}

func (h *handler) detailPage(w http.ResponseWriter, r *http.Request) {
	inv, err := h.invoice(r)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	h.allowPayment(w)
	h.pages.Render(w, r, http.StatusOK, "invoice", web.Page{Title: "Facture n° " + inv.Number, Nav: "facturation", Data: h.detail(inv)})
}

// allowPayment lets the invoice page's payment form follow its redirect to PayFiP.
func (h *handler) allowPayment(w http.ResponseWriter) {
	if h.PaymentOrigin != "" {
		web.AllowFormRedirectTo(w, h.PaymentOrigin)
	}
}

// payForm starts a payment from the invoice page and sends the browser to PayFiP; a refusal
// (paid meanwhile, past its due date, PayFiP unavailable) goes back to the page, said.
func (h *handler) payForm(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	v := web.ViewerFrom(r.Context())
	number := r.PathValue("number")
	url, err := h.Payer.Start(r.Context(), v.FamilyID, v.Email, number, h.Clock.Now())
	if err != nil {
		p := web.ProblemFor(err)
		if p.Status != http.StatusConflict {
			web.Error(w, r, err)
			return
		}
		h.Cookies.SetFlash(w, "Paiement impossible. "+p.Detail)
		http.Redirect(w, r, billing.InvoicePath(number), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, url, http.StatusSeeOther)
}

// returnPage is where PayFiP sends the parent back: the status comes from the stored state or
// from PayFiP fetched now, never from the request's parameters.
func (h *handler) returnPage(w http.ResponseWriter, r *http.Request) {
	v := web.ViewerFrom(r.Context())
	inv, status, err := h.Payer.ReturnStatus(r.Context(), v.FamilyID, r.PathValue("number"), h.Clock.Now())
	if err != nil {
		web.Error(w, r, err)
		return
	}
	d := h.detail(inv)
	d.Payment, d.Returned = status, true
	h.allowPayment(w)
	h.pages.Render(w, r, http.StatusOK, "invoice", web.Page{Title: "Facture n° " + inv.Number, Nav: "facturation", Data: d})
}
