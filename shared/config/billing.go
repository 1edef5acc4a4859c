package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/preau/preau/shared/payfip/fields"
)

// Billing is the settings of invoices and PayFiP card payments.
type Billing struct {
	DueDays int // days from an invoice's issue to its due date (INVOICE_DUE_DAYS, default 30)
	// PayFiP (web-service variant): the régie's client number, the mode (T test, X activation,
	// W production) and the service's base URL (https://www.payfip.gouv.fr), under which the
	// SOAP endpoint (/tpa/services/securite) and the payment page (/tpa/paiementws.web) are.
	NumCli  string
	Saisie  string
	PayFiP  *url.URL
	Regie   string // the régie's name, printed on invoices (REGIE_NAME)
	Address string // where to pay at the town hall, printed on invoices (REGIE_ADDRESS)
}

// PayFiPHosts are DGFiP's PayFiP hosts. Any other endpoint is a stand-in, accepted only in test
// mode (saisie T), so that a production or activation payment never goes anywhere else.
var PayFiPHosts = []string{"www.payfip.gouv.fr", "www.tipi.budget.gouv.fr"}

// BillingFromEnv reads the billing settings; every problem is reported at once.
func BillingFromEnv() (*Billing, error) {
	var errs []error
	b := &Billing{DueDays: 30, NumCli: os.Getenv("PAYFIP_NUMCLI"), Saisie: os.Getenv("PAYFIP_SAISIE"),
		Regie: os.Getenv("REGIE_NAME"), Address: os.Getenv("REGIE_ADDRESS")}
	if v := os.Getenv("INVOICE_DUE_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 366 {
			errs = append(errs, fmt.Errorf("INVOICE_DUE_DAYS=%q: want a number of days from 1 to 366", v))
		}
		b.DueDays = n
	}
	if !fields.NumCli(b.NumCli) {
		errs = append(errs, fmt.Errorf("PAYFIP_NUMCLI=%q: want the régie's 6-digit PayFiP client number", b.NumCli))
	}
	if !fields.Saisie(b.Saisie) {
		errs = append(errs, fmt.Errorf("PAYFIP_SAISIE=%q: want T (test), X (activation) or W (production)", b.Saisie))
	}
	if b.Regie == "" {
		errs = append(errs, errors.New("REGIE_NAME is not set"))
	}
	raw := os.Getenv("PAYFIP_URL")
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	switch {
	case raw == "" || err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		errs = append(errs, fmt.Errorf("PAYFIP_URL=%q: want PayFiP's base URL, https://www.payfip.gouv.fr", raw))
	case !slices.Contains(PayFiPHosts, u.Hostname()) && b.Saisie != "T":
		errs = append(errs, fmt.Errorf("PAYFIP_URL=%q is not PayFiP: another endpoint is accepted in test mode only (PAYFIP_SAISIE=T)", raw))
	case u.Scheme != "https" && b.Saisie != "T":
		errs = append(errs, fmt.Errorf("PAYFIP_URL=%q: PayFiP is reached over https", raw))
	default:
		b.PayFiP = u
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("billing configuration: %w", err)
	}
	return b, nil
}
