// Package townhall holds what the town hall's staff change in the commune's calendar and in a
// family's days, from the back-office (functions/gestion): the activities' settings (capacity
// per site, cutoff override, prices per bracket and the non-resident rate), closures, the school
// holidays of a new school year, and the changes staff make for a family (booking or cancelling
// past the deadline, a justified absence left unbilled).
//
// Every use case takes the staff member's e-mail and the instant, and records what it did in
// the staff journal (shared/staff: who, when, what, before → after). It imports no
// infrastructure: the Service reaches storage through Store, which shared/store implements, and
// the reservation rules through Rules (*reservations.Service), so that a closure cancels
// bookings and a staff change books or cancels by the same single conditional writes as a
// parent's, and what staff store (settings, closures, school years) is what the rules read on
// their next minute, without a new release.
//
// # Decisions, and why
//
//   - A closure cancels the bookings of the day for the activities it closes (each one
//     reservations.Service.CancelClosed, one conditional write per child), marks each cancelled
//     child's day unbilled (an UNBILLED# item per child, which the invoice run already skips, so
//     a closure reopened later does not make other bookings free), and e-mails each family
//     concerned once: a notice marker per day, family and activity is claimed by a conditional
//     write before sending (absent, or claimed by a save that stopped more than NoticeLease
//     ago), set to sent after, released if the send fails. Saving a closure twice, or twice at
//     once, cancels, marks and e-mails nothing more: the second save finds the children in the
//     day's history (a closure's cancellation) and their markers taken.
//   - School holidays of a school year are loaded as a whole (the ministry's open-data file
//     filtered to the commune's zone, or periods typed by hand), shown as a preview against
//     what the rules use now, and stored on confirmation by one write conditioned on the
//     version the preview was made from: two staff confirming different previews cannot
//     silently overwrite each other. The reservation rules read the stored years over the
//     shipped calendar (reservations.Options.Holidays).
//   - On-behalf changes and justified absences need a written reason. They are recorded in the
//     journal and in the family's own record (FamilyChanges), which the family's page lists;
//     the day's history, which parents read, says "la mairie".
package townhall

import (
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
)

// NoticeLease is how long a claimed closure notice blocks another save from sending it: past
// it, a save that stopped between claiming and sending is taken over.
const NoticeLease = 10 * time.Minute

// Notice is the marker of one closure e-mail: one family told of one activity's closure on one
// day. Claim is the saving request's own random id.
type Notice struct {
	Day      date.Date
	FamilyID string
	Activity calendar.Activity
	Claim    string
}

// SchoolYear is the school holidays the town hall loaded for one school year.
type SchoolYear struct {
	Year     int // the year it starts: 2027 for 2027-2028
	Periods  []calendar.Period
	Source   string // "fichier du ministère (Zone B)", "saisie manuelle"
	By       string // the staff member's e-mail
	At       time.Time
	Version  string // changes at each write; the preview carries it
	Previous string // the version replaced ("" for the first)
}

// ChangeKind is what a staff change on a family's day did.
type ChangeKind string

// The kinds of FamilyChange.
const (
	ChangeBooked   ChangeKind = "book"     // booked for the family
	ChangeCanceled ChangeKind = "cancel"   // cancelled for the family
	ChangeUnbilled ChangeKind = "unbilled" // a booked day left unbilled (justified absence)
)

// French is the kind as the family's page reads it.
func (k ChangeKind) French() string {
	switch k {
	case ChangeBooked:
		return "réservation par la mairie"
	case ChangeCanceled:
		return "annulation par la mairie"
	case ChangeUnbilled:
		return "absence justifiée, non facturée"
	}
	return string(k)
}

// FamilyChange is one change staff made on a family's day, with its reason.
type FamilyChange struct {
	FamilyID string
	ID       string // unique within its instant
	At       time.Time
	By       string // the staff member's e-mail
	Kind     ChangeKind
	ChildID  string
	Activity calendar.Activity
	Site     string
	Day      date.Date
	Reason   string
}
