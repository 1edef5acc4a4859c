package childday

import (
	"context"
	"fmt"
	"net/http"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/fr"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/web"
)

// Change books or cancels one child's day for who: the reservation rules' Book or Cancel.
type Change func(ctx context.Context, who reservations.Actor, childID string, day date.Date, a calendar.Activity) (reservations.Result, error)

// FromAPI applies change to the day the API path names, for the signed-in parent. A refusal
// (a bad date or activity, or the rules') is answered as problem+json and ok is false; else
// the caller answers with the target and the result.
func FromAPI(w http.ResponseWriter, r *http.Request, change Change) (t Target, res reservations.Result, ok bool) {
	t, err := FromPath(r)
	if err == nil {
		v := web.ViewerFrom(r.Context())
		who := reservations.Actor{FamilyID: v.FamilyID, Email: v.Email, Channel: reservations.ChannelAPI}
		res, err = change(r.Context(), who, t.ChildID, t.Day, t.Activity)
	}
	if err != nil {
		web.Error(w, r, err)
		return Target{}, reservations.Result{}, false
	}
	return t, res, true
}

// Said is what the planning page tells a parent after its form: Refused heads a refusal's
// detail ("Réservation impossible."); Done (the day changed) and Unchanged (it already was
// as asked) are formats of the activity's label, the child's first name and the day.
type Said struct {
	Refused, Done, Unchanged string
}

// Form applies change to the day the planning page's form names, for the signed-in parent,
// and goes back to the planning with a message. Refusals a parent can act on (deadline
// passed, full…) and a date or activity that does not parse are said in the message too.
func Form(change Change, cookies web.Cookies, said Said) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := web.ParseForm(w, r); err != nil {
			web.Error(w, r, err)
			return
		}
		back := PlanningURL(r)
		t, err := FromForm(r)
		if err != nil {
			// A date or activity the page never offers (an edited form): back to the planning
			// with the refusal said, rather than a dead-end error page.
			cookies.SetFlash(w, said.Refused+" "+web.ProblemFor(err).Detail)
			http.Redirect(w, r, back, http.StatusSeeOther)
			return
		}
		v := web.ViewerFrom(r.Context())
		who := reservations.Actor{FamilyID: v.FamilyID, Email: v.Email, Channel: reservations.ChannelWeb}
		res, err := change(r.Context(), who, t.ChildID, t.Day, t.Activity)
		if err != nil {
			f, ok := fault.As(err)
			if !ok || f.Kind != fault.Conflict {
				web.Error(w, r, err)
				return
			}
			cookies.SetFlash(w, said.Refused+" "+f.Detail)
			http.Redirect(w, r, back, http.StatusSeeOther)
			return
		}
		msg := said.Done
		if !res.Changed {
			msg = said.Unchanged
		}
		cookies.SetFlash(w, fmt.Sprintf(msg, t.Activity.Label(), res.Child.FirstName, fr.LongDate(t.Day)))
		http.Redirect(w, r, back, http.StatusSeeOther)
	}
}
