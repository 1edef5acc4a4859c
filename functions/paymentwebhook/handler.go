package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/web"
)

// Settler learns a payment's result from PayFiP and applies it; *billing.Checkout implements it.
type Settler interface {
	Settle(ctx context.Context, idOp string, now time.Time) (billing.Settlement, error)
}

// Deps is what the PaymentWebhook handler needs; main.go builds it once per cold start.
type Deps struct {
	Settler Settler
	Clock   clock.Clock
	HSTS    bool
}

// New returns the PaymentWebhook handler: POST /paiements/payfip/notification (PayFiP posts a
// form; a GET with the idOp in the query is accepted too). Whatever the notification says, the
// answer is 200 once it is handled, so PayFiP does not retry what changed nothing; only a failure
// on our side (storage, PayFiP unreachable) answers 500 for a retry, and the Reconciliation
// schedule catches up anyway.
func New(d Deps) (http.Handler, error) {
	if d.Settler == nil || d.Clock == nil {
		return nil, errors.New("paymentwebhook: settler and clock are required")
	}
	mux := web.NewRouter()
	notify := func(w http.ResponseWriter, r *http.Request) {
		if err := web.ParseForm(w, r); err != nil {
			web.Error(w, r, err)
			return
		}
		idOp := strings.TrimSpace(r.Form.Get("idOp"))
		if idOp == "" {
			idOp = strings.TrimSpace(r.Form.Get("idop"))
		}
		s, err := d.Settler.Settle(r.Context(), idOp, d.Clock.Now())
		if err != nil {
			web.Error(w, r, err)
			return
		}
		slog.InfoContext(r.Context(), "payment notification", "settlement", string(s), "request_id", web.RequestID(r.Context()))
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("OK\n"))
	}
	mux.HandleFunc("POST "+billing.NotificationPath, notify)
	mux.HandleFunc("GET "+billing.NotificationPath, notify)
	return web.Handler(mux, web.Options{Function: "PaymentWebhook", HSTS: d.HSTS}), nil
}
