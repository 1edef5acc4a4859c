package export

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/fr"
)

// InvoiceReader lists a family's invoices with their payments (store.Store's Invoices).
type InvoiceReader interface {
	Invoices(ctx context.Context, familyID string) ([]billing.Invoice, error)
}

// Invoices adds the family's invoices, their lines and the payments received.
type Invoices struct {
	Invoices InvoiceReader
}

type invoiceJSON struct {
	Number     string        `json:"number"`
	Month      string        `json:"month"`
	IssuedOn   date.Date     `json:"issuedOn"`
	DueOn      date.Date     `json:"dueOn"`
	TotalCents int64         `json:"totalCents"`
	Lines      []lineJSON    `json:"lines"`
	NotifiedAt *string       `json:"notifiedAt"`
	Payments   []paymentJSON `json:"payments"`
}

type lineJSON struct {
	ChildID     string `json:"childId"`
	Activity    string `json:"activity"`
	Site        string `json:"site"`
	Days        int    `json:"days"`
	UnitCents   int64  `json:"unitCents"`
	AmountCents int64  `json:"amountCents"`
}

type paymentJSON struct {
	IDOp        string  `json:"idOp"`
	Method      string  `json:"method"` // payfip, especes, cheque, cesu
	AmountCents int64   `json:"amountCents"`
	At          *string `json:"at"`
}

// Sections reads the family's invoices in one Query; none when the account has no family.
func (iv Invoices) Sections(ctx context.Context, s Subject, _ time.Time) ([]Section, error) {
	invs := Section{Key: "invoices", Title: "Factures",
		Columns: []string{"Numéro", "Mois", "Émise le", "À payer avant le", "Enfant", "Activité", "Jours", "Prix du jour", "Montant", "Total"},
		Data:    []invoiceJSON{}}
	pays := Section{Key: "payments", Title: "Paiements",
		Columns: []string{"Facture", "Référence", "Moyen", "Montant", "Reçu le"}, Data: []paymentJSON{}}
	if s.Family == nil {
		return []Section{invs, pays}, nil
	}
	list, err := iv.Invoices.Invoices(ctx, s.Family.ID)
	if err != nil {
		return nil, fmt.Errorf("invoices: %w", err)
	}
	var out []invoiceJSON
	var payments []paymentJSON
	for _, inv := range list {
		j := invoiceJSON{Number: inv.Number, Month: inv.Month.MonthKey(), IssuedOn: inv.IssuedOn, DueOn: inv.DueOn,
			TotalCents: inv.TotalCents, NotifiedAt: RFC3339(inv.NotifiedAt), Lines: []lineJSON{}, Payments: []paymentJSON{}}
		for _, l := range inv.Lines {
			j.Lines = append(j.Lines, lineJSON{ChildID: l.ChildID, Activity: string(l.Activity), Site: l.Site, Days: l.Days,
				UnitCents: l.UnitCents, AmountCents: l.AmountCents})
			invs.Rows = append(invs.Rows, []string{inv.Number, inv.Month.MonthKey(), inv.IssuedOn.String(), inv.DueOn.String(),
				l.ChildName, l.Activity.Label(), strconv.Itoa(l.Days), fr.Euros(l.UnitCents), fr.Euros(l.AmountCents), fr.Euros(inv.TotalCents)})
		}
		for _, p := range inv.Payments {
			pj := paymentJSON{IDOp: p.IDOp, Method: string(p.Via()), AmountCents: p.AmountCents, At: RFC3339(p.At)}
			j.Payments = append(j.Payments, pj)
			payments = append(payments, pj)
			pays.Rows = append(pays.Rows, []string{inv.Number, p.IDOp, p.Via().French(), fr.Euros(p.AmountCents), Paris(p.At)})
		}
		out = append(out, j)
	}
	if out != nil {
		invs.Data = out
	}
	if payments != nil {
		pays.Data = payments
	}
	return []Section{invs, pays}, nil
}
