package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/childday"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/fr"
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
	mux := http.NewServeMux()
	mux.Handle("POST /espace-famille/reservations", signedIn(h.form))
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
	v := web.ViewerFrom(r.Context())
	target, err := childday.FromPath(r)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	who := reservations.Actor{FamilyID: v.FamilyID, Email: v.Email, Channel: reservations.ChannelAPI}
	res, err := h.Service.Book(r.Context(), who, target.ChildID, target.Day, target.Activity)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	code := http.StatusOK
	if res.Changed {
		code = http.StatusCreated
	}
	web.WriteJSON(w, code, bookingJSON{ChildID: res.Child.ID, Date: target.Day, Activity: target.Activity, Booked: true,
		Deadline: res.Deadline.Format(time.RFC3339)})
}

// form books a day from the planning page and goes back to it with a message. Refusals a
// parent can act on (deadline passed, full…) and a date or activity that does not parse are
// said in the message too.
func (h *handler) form(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	v := web.ViewerFrom(r.Context())
	back := childday.PlanningURL(r)
	target, err := childday.FromForm(r)
	if err != nil {
		// A date or activity the page never offers (an edited form): back to the planning with
		// the refusal said, rather than a dead-end error page.
		h.Cookies.SetFlash(w, "Réservation impossible. "+web.ProblemFor(err).Detail)
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	who := reservations.Actor{FamilyID: v.FamilyID, Email: v.Email, Channel: reservations.ChannelWeb}
	res, err := h.Service.Book(r.Context(), who, target.ChildID, target.Day, target.Activity)
	if err != nil {
		f, ok := fault.As(err)
		if !ok || f.Kind != fault.Conflict {
			web.Error(w, r, err)
			return
		}
		h.Cookies.SetFlash(w, "Réservation impossible. "+f.Detail)
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	msg := fmt.Sprintf("Réservation enregistrée : %s pour %s le %s.", target.Activity.Label(), res.Child.FirstName, fr.LongDate(target.Day))
	if !res.Changed {
		msg = fmt.Sprintf("%s était déjà réservé pour %s le %s.", target.Activity.Label(), res.Child.FirstName, fr.LongDate(target.Day))
	}
	h.Cookies.SetFlash(w, msg)
	http.Redirect(w, r, back, http.StatusSeeOther)
}
