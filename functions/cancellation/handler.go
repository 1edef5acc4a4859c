package main

import (
	"context"
	"errors"
	"net/http"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/childday"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/web"
)

// Canceller cancels a child's day under the reservation rules; *reservations.Service implements
// it.
type Canceller interface {
	Cancel(ctx context.Context, who reservations.Actor, childID string, day date.Date, a calendar.Activity) (reservations.Result, error)
}

// Deps is what the Cancellation handler needs; main.go builds it once per cold start.
type Deps struct {
	Service  Canceller
	Sessions web.SessionResolver
	Cookies  web.Cookies
	HSTS     bool
}

type handler struct{ Deps }

// New returns the Cancellation function's handler: cancel one day, from the planning page's form
// or the JSON API.
func New(d Deps) (http.Handler, error) {
	if d.Service == nil || d.Sessions == nil {
		return nil, errors.New("cancellation: service and sessions are required")
	}
	h := &handler{d}
	signedIn := web.SignedIn(d.Sessions, d.Cookies)
	mux := web.NewRouter()
	mux.Handle("POST /espace-famille/annulations", signedIn(childday.Form(d.Service.Cancel, d.Cookies, childday.Said{
		Refused:   "Annulation impossible.",
		Done:      "Annulation enregistrée : %s pour %s le %s.",
		Unchanged: "%s n'était pas réservé pour %s le %s : rien à annuler.",
	})))
	mux.Handle("DELETE /api/v1/children/{childId}/reservations/{date}/{activity}", signedIn(h.api))
	return web.Handler(mux, web.Options{Function: "Cancellation", HSTS: d.HSTS}), nil
}

// api cancels a day: 204, whether it was booked or not (a retry finds nothing left to cancel).
func (h *handler) api(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := childday.FromAPI(w, r, h.Service.Cancel); !ok {
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}
