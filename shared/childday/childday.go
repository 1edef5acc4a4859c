// Package childday reads which child's day and activity a parent asks to book or cancel — from
// the JSON API's path (/api/v1/children/{childId}/reservations/{date}/{activity}) or from the
// planning page's form (child, date, activity) — where that form goes back to, and how a
// booking or a cancellation is applied and answered from either (FromAPI, Form). The Reservation
// and Cancellation functions share it, so both read and answer their requests alike.
package childday

import (
	"net/http"
	"net/url"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/reservations"
)

// Target is one child's activity on one day.
type Target struct {
	ChildID  string
	Day      date.Date
	Activity calendar.Activity
}

// FromPath reads the API path's {childId}, {date} and {activity}; a bad date or activity is
// refused with the reservations package's invalid-date or invalid-activity error.
func FromPath(r *http.Request) (Target, error) {
	return parse(r.PathValue("childId"), r.PathValue("date"), r.PathValue("activity"))
}

// FromForm reads the planning page's posted child, date and activity (the form already
// parsed), refused as FromPath refuses.
func FromForm(r *http.Request) (Target, error) {
	return parse(r.PostFormValue("child"), r.PostFormValue("date"), r.PostFormValue("activity"))
}

func parse(child, day, activity string) (Target, error) {
	d, err := reservations.ParseDay(day)
	if err != nil {
		return Target{}, err
	}
	a, err := reservations.ParseActivity(activity)
	if err != nil {
		return Target{}, err
	}
	return Target{ChildID: child, Day: d, Activity: a}, nil
}

// PlanningURL is where the planning page's form goes back to: the page of the posted month
// mois ("2026-12"), else of the posted date's month, anchored on the child's day. It needs no
// valid input, so even a refused form finds its way back.
func PlanningURL(r *http.Request) string {
	return planningURL(r.PostFormValue("mois"), r.PostFormValue("date"), r.PostFormValue("child"))
}

// PlanningWeekURL is the planning page of day's month, anchored on the child's week of day:
// where a reminder sends a parent to book it in one click.
func PlanningWeekURL(childID string, day date.Date) string {
	return planningURL(day.MonthKey(), day.String(), childID)
}

func planningURL(mois, day, child string) string {
	u := "/espace-famille/planning"
	if _, err := time.Parse("2006-01", mois); err == nil {
		u += "?mois=" + url.QueryEscape(mois)
	} else if d, err := date.Parse(day); err == nil {
		u += "?mois=" + d.MonthKey()
	}
	if d, err := date.Parse(day); err == nil {
		// The week's anchor: it exists in both layouts (the day list on phones, the grid on wider
		// screens), whereas a day's own anchor is hidden with the list on wide screens.
		monday := d.AddDays(-((int(d.Weekday()) + 6) % 7))
		u += "#semaine-" + monday.String() + "-" + url.PathEscape(child)
	}
	return u
}
