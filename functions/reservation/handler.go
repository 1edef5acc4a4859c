package main

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/childday"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/web"
)

// Booker books a child's day under the reservation rules; *reservations.Service implements it.
type Booker interface {
	Book(ctx context.Context, who reservations.Actor, childID string, day date.Date, a calendar.Activity) (reservations.Result, error)
}

// Deps is what the Reservation handler needs; main.go builds it once per cold start.
type Deps struct {
	Service  Booker
	Sessions web.SessionResolver
	Cookies  web.Cookies
	HSTS     bool
}

type handler struct{ Deps }

// New returns the Reservation function's handler: book one day, from the planning page's form
// or the JSON API.
func New(d Deps) (http.Handler, error) {
	if d.Service == nil || d.Sessions == nil {
		return nil, errors.New("reservation: service and sessions are required")
	}
	h := &handler{d}
	signedIn := web.SignedIn(d.Sessions, d.Cookies)
	mux := web.NewRouter()
	mux.Handle("POST /espace-famille/reservations", signedIn(childday.Form(d.Service.Book, d.Cookies, childday.Said{
		Refused:   "Réservation impossible.",
		Done:      "Réservation enregistrée : %s pour %s le %s.",
		Unchanged: "%s était déjà réservé pour %s le %s.",
	})))
	mux.Handle("PUT /api/v1/children/{childId}/reservations/{date}/{activity}", signedIn(h.api))
	return web.Handler(mux, web.Options{Function: "Reservation", HSTS: d.HSTS}), nil
}

// bookingJSON is the API's answer.
type bookingJSON struct {
	ChildID  string            `json:"childId"`
	Date     date.Date         `json:"date"`
	Activity calendar.Activity `json:"activity"`
	Booked   bool              `json:"booked"`
	Deadline string            `json:"deadline"`
}

// api books a day: 201 when booked now, 200 when it already was.
func (h *handler) api(w http.ResponseWriter, r *http.Request) {
	target, res, ok := childday.FromAPI(w, r, h.Service.Book)
	if !ok {
		return
	}
	code := http.StatusOK
	if res.Changed {
		code = http.StatusCreated
	}
	web.WriteJSON(w, code, bookingJSON{ChildID: res.Child.ID, Date: target.Day, Activity: target.Activity, Booked: true,
		Deadline: res.Deadline.Format(time.RFC3339)})
}
