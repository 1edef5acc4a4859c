package payfip

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/preau/preau/shared/billing"
	client "github.com/preau/preau/shared/payfip"
)

// TestStandInSpeaksPayFiP drives the stand-in with Préau's own PayFiP client, as the functions
// do in the local stack: create, the payment page, the parent's choice, the notification with
// the idOp only, the redirect, and the details (P5 before the choice, P1 for an unknown idOp).
func TestStandInSpeaksPayFiP(t *testing.T) {
	var mu sync.Mutex
	var notified []url.Values
	notif := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		notified = append(notified, r.PostForm)
		mu.Unlock()
	}))
	defer notif.Close()

	s, err := Start(0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	base, _ := url.Parse(s.URL)
	c := client.New(base, nil)
	ctx := context.Background()
	req := billing.PaymentRequest{NumCli: "012345", Exer: 2026, RefDet: "2026000001", AmountCents: 5750, Email: "parent@demo.preau.fr",
		Object: "Facture 2026000001 novembre 2026", Saisie: "T", URLNotif: notif.URL + "/paiements/payfip/notification",
		URLRedirect: "http://127.0.0.1:1/espace-facturation/factures/2026000001/retour"}

	for _, choice := range []struct {
		form string
		want billing.Result
	}{{"P", billing.ResultPaid}, {"R", billing.ResultRefused}, {"A", billing.ResultAbandoned}} {
		t.Run(choice.form, func(t *testing.T) {
			idOp, err := c.CreatePayment(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.PaymentDetail(ctx, idOp); !errors.Is(err, billing.ErrPaymentInProgress) {
				t.Fatalf("before the choice: %v, want P5", err)
			}
			page, err := http.Get(c.PaymentURL(idOp))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(page.Body)
			page.Body.Close()
			if page.StatusCode != 200 || !strings.Contains(string(body), "57,50 €") || !strings.Contains(string(body), ">Payer<") {
				t.Fatalf("payment page %d:\n%s", page.StatusCode, body)
			}
			noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := noRedirect.PostForm(s.URL+client.PaymentPath, url.Values{"idop": {idOp}, "choix": {choice.form}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != req.URLRedirect {
				t.Errorf("after the choice: %d to %s, want 303 to urlredirect", resp.StatusCode, resp.Header.Get("Location"))
			}
			mu.Lock()
			last := notified[len(notified)-1]
			mu.Unlock()
			if last.Get("idOp") != idOp || len(last) != 1 {
				t.Errorf("notification = %v, want the idOp only", last)
			}
			d, err := c.PaymentDetail(ctx, idOp)
			if err != nil {
				t.Fatal(err)
			}
			if d.Result != choice.want || d.IDOp != idOp || d.RefDet != req.RefDet || d.AmountCents != 5750 || d.NumCli != "012345" || d.Exer != 2026 || d.PaidAt.IsZero() {
				t.Errorf("detail = %+v", d)
			}
		})
	}
	if _, err := c.PaymentDetail(ctx, "unknown"); !errors.Is(err, billing.ErrUnknownOperation) {
		t.Errorf("unknown idOp: %v, want P1", err)
	}
	prod := req
	prod.Saisie = "W"
	if _, err := c.CreatePayment(ctx, prod); err == nil {
		t.Error("the stand-in accepted a production payment")
	}
}
