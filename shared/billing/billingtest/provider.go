package billingtest

import (
	"context"
	"fmt"
	"sync"

	"github.com/preau/preau/shared/billing"
)

// Provider is an in-memory PayFiP: it records the payments created and answers their details
// as the test sets them (pending until then, as fault P5).
type Provider struct {
	mu       sync.Mutex
	n        int
	requests map[string]billing.PaymentRequest
	details  map[string]billing.Detail
	// Fetches counts the detail calls.
	Fetches int
}

// NewProvider returns a PayFiP with no payment.
func NewProvider() *Provider {
	return &Provider{requests: map[string]billing.PaymentRequest{}, details: map[string]billing.Detail{}}
}

// CreatePayment implements billing.Provider.
func (p *Provider) CreatePayment(_ context.Context, r billing.PaymentRequest) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	id := fmt.Sprintf("op%04d", p.n)
	p.requests[id] = r
	return id, nil
}

// PaymentURL implements billing.Provider.
func (p *Provider) PaymentURL(idOp string) string {
	return "https://payfip.test/tpa/paiementws.web?idop=" + idOp
}

// PaymentDetail implements billing.Provider.
func (p *Provider) PaymentDetail(_ context.Context, idOp string) (billing.Detail, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.Fetches++
	if d, ok := p.details[idOp]; ok {
		return d, nil
	}
	if _, ok := p.requests[idOp]; ok {
		return billing.Detail{}, billing.ErrPaymentInProgress
	}
	return billing.Detail{}, billing.ErrUnknownOperation
}

// Finish gives idOp its result, with the request's own fields; change may alter the detail
// (a forged or mismatched answer).
func (p *Provider) Finish(idOp string, r billing.Result, change func(*billing.Detail)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	req := p.requests[idOp]
	d := billing.Detail{IDOp: idOp, NumCli: req.NumCli, Exer: req.Exer, RefDet: req.RefDet, AmountCents: req.AmountCents,
		Result: r, Saisie: req.Saisie}
	if change != nil {
		change(&d)
	}
	p.details[idOp] = d
}

// Request returns what creerPaiementSecurise was sent for idOp.
func (p *Provider) Request(idOp string) billing.PaymentRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.requests[idOp]
}
