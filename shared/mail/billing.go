package mail

import "context"

// InvoiceNotice is what the invoice and receipt e-mails say, already in French.
type InvoiceNotice struct {
	Period  string // "novembre 2026"
	Number  string // the invoice number
	Amount  string // "57,50 €"
	DueDate string // invoices: "jeudi 31 décembre 2026"
	PaidOn  string // receipts: "mardi 1er décembre 2026 à 9h05"
	Link    string // absolute link to the invoice's page
}

// SendInvoice tells a parent that the family's invoice of a month is issued: the amount, the
// due date (online payment is possible until then) and a link to it.
func (m *Mailer) SendInvoice(ctx context.Context, to, familyName, period, number, amount, dueDate, link string) error {
	return m.renderAndSend(ctx, "invoice", to, familyName, InvoiceNotice{Period: period, Number: number, Amount: amount, DueDate: dueDate, Link: link})
}

// SendReceipt confirms to a parent that an invoice was paid online.
func (m *Mailer) SendReceipt(ctx context.Context, to, familyName, period, number, amount, paidOn, link string) error {
	return m.renderAndSend(ctx, "receipt", to, familyName, InvoiceNotice{Period: period, Number: number, Amount: amount, PaidOn: paidOn, Link: link})
}
