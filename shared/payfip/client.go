package payfip

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/payfip/fields"
)

// Client calls PayFiP's web service at one base URL; it implements billing.Provider.
type Client struct {
	base *url.URL
	http *http.Client
}

// New returns a client of the service at base (https://www.payfip.gouv.fr, or the local
// stand-in). A nil httpClient means one with a 10-second timeout: the webhook must answer fast.
func New(base *url.URL, httpClient *http.Client) *Client {
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 10 * time.Second}
	}
	return &Client{base: base, http: httpClient}
}

// PaymentURL is the page the parent's browser goes to for idOp.
func (c *Client) PaymentURL(idOp string) string {
	return c.base.String() + PaymentPath + "?idop=" + url.QueryEscape(idOp)
}

// ErrInvalidRequest is a payment request PayFiP would refuse (checked before calling it).
var ErrInvalidRequest = errors.New("payfip: invalid request")

// Validate checks r against the service's field rules.
func Validate(r billing.PaymentRequest) error {
	var bad []string
	if !fields.NumCli(r.NumCli) {
		bad = append(bad, "numcli")
	}
	if r.Exer < 1000 || r.Exer > 9999 {
		bad = append(bad, "exer")
	}
	if !fields.RefDet(r.RefDet) {
		bad = append(bad, "refdet")
	}
	if r.AmountCents <= 0 || r.AmountCents > 99999999 {
		bad = append(bad, "montant")
	}
	if !fields.Objet(r.Object) {
		bad = append(bad, "objet")
	}
	if !fields.Saisie(r.Saisie) {
		bad = append(bad, "saisie")
	}
	if r.Email == "" || len(r.Email) > 254 {
		bad = append(bad, "mel")
	}
	for _, u := range []string{r.URLNotif, r.URLRedirect} {
		if p, err := url.Parse(u); err != nil || !p.IsAbs() {
			bad = append(bad, "url")
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%w: %v", ErrInvalidRequest, bad)
	}
	return nil
}

// CreatePayment calls creerPaiementSecurise and returns the new idOp.
func (c *Client) CreatePayment(ctx context.Context, r billing.PaymentRequest) (string, error) {
	if err := Validate(r); err != nil {
		return "", err
	}
	body, err := CreateRequest(CreateArgs{Exer: strconv.Itoa(r.Exer), Mel: r.Email, Montant: strconv.FormatInt(r.AmountCents, 10),
		NumCli: r.NumCli, Objet: r.Object, RefDet: r.RefDet, Saisie: r.Saisie, URLNotif: r.URLNotif, URLRedirect: r.URLRedirect})
	if err != nil {
		return "", err
	}
	p, err := c.call(ctx, body)
	if err != nil {
		return "", err
	}
	if p.Fault != nil {
		return "", p.Fault
	}
	if p.IDOp == "" || len(p.IDOp) > 64 {
		return "", errors.New("payfip: creerPaiementSecurise answered no idOp")
	}
	return p.IDOp, nil
}

// PaymentDetail calls recupererDetailPaiementSecurise: billing.ErrPaymentInProgress for fault
// P5, billing.ErrUnknownOperation for P1.
func (c *Client) PaymentDetail(ctx context.Context, idOp string) (billing.Detail, error) {
	body, err := DetailRequest(idOp)
	if err != nil {
		return billing.Detail{}, err
	}
	p, err := c.call(ctx, body)
	if err != nil {
		return billing.Detail{}, err
	}
	if p.Fault != nil {
		switch p.Fault.Code {
		case CodeInProgress:
			return billing.Detail{}, fmt.Errorf("%w: %w", billing.ErrPaymentInProgress, p.Fault)
		case CodeUnknown:
			return billing.Detail{}, fmt.Errorf("%w: %w", billing.ErrUnknownOperation, p.Fault)
		}
		return billing.Detail{}, p.Fault
	}
	if p.Detail == nil {
		return billing.Detail{}, errors.New("payfip: recupererDetailPaiementSecurise answered no detail")
	}
	return detail(*p.Detail)
}

// detail converts the answer's fields; dattrans/heurtrans are Paris time.
func detail(d DetailReturn) (billing.Detail, error) {
	exer, err := atoi("exer", d.Exer)
	if err != nil {
		return billing.Detail{}, err
	}
	montant, err := atoi("montant", d.Montant)
	if err != nil {
		return billing.Detail{}, err
	}
	out := billing.Detail{IDOp: d.IDOp, NumCli: d.NumCli, Exer: int(exer), RefDet: d.RefDet, AmountCents: montant,
		Result: billing.Result(d.ResulTrans), Saisie: d.Saisie}
	if d.DatTrans != "" {
		if t, err := time.ParseInLocation("020120061504", d.DatTrans+d.HeurTrans, date.Paris); err == nil {
			out.PaidAt = t
		}
	}
	return out, nil
}

// maxResponse bounds what is read of an answer.
const maxResponse = 1 << 20

func (c *Client) call(ctx context.Context, body []byte) (parsed, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base.String()+ServicePath, bytes.NewReader(body))
	if err != nil {
		return parsed{}, fmt.Errorf("payfip: %w", err)
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", `""`)
	resp, err := c.http.Do(req)
	if err != nil {
		return parsed{}, fmt.Errorf("payfip: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return parsed{}, fmt.Errorf("payfip: read: %w", err)
	}
	// SOAP 1.1 answers faults with 500: the envelope says what happened.
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusInternalServerError {
		return parsed{}, fmt.Errorf("payfip: HTTP %d", resp.StatusCode)
	}
	return parseResponse(b)
}

var _ billing.Provider = (*Client)(nil)
