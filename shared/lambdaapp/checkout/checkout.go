// Package checkout wires the PayFiP checkout of the functions that take payments: Invoices
// starts them, PaymentWebhook and Reconciliation settle them, all through one billing.Checkout
// over the store, the receipt e-mails and the PayFiP client, built here once from the billing
// settings. It is a package of its own so that the functions that take no payment link none of it.
package checkout

import (
	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/config"
	"github.com/preau/preau/shared/lambdaapp"
	"github.com/preau/preau/shared/mail"
	"github.com/preau/preau/shared/payfip"
)

// New reads the billing settings (config.BillingFromEnv) and returns them with the checkout.
func New(env *lambdaapp.Env) (*billing.Checkout, *config.Billing, error) {
	bc, err := config.BillingFromEnv()
	if err != nil {
		return nil, nil, err
	}
	cfg := env.Config
	mailer := mail.NewFromClient(env.AWS, cfg.MailFrom).ForCommune(cfg.CommuneName)
	return &billing.Checkout{Invoices: env.Store, Payments: env.Store, Households: env.Store, Notifier: mailer,
		Provider: payfip.New(bc.PayFiP, nil), Link: cfg.Link, NumCli: bc.NumCli, Saisie: bc.Saisie}, bc, nil
}
