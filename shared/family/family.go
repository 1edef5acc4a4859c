// Package family holds what the town hall registers: families, the subscriber codes that
// let parents link their account to a family, the children, and their enrolments in activities.
// It imports no infrastructure; shared/store persists these types.
package family

import (
	"crypto/rand"
	"strings"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
)

// Family is a household as the town hall knows it (one invoice per family).
type Family struct {
	ID             string // "f_…", never shown to parents
	Name           string // "Famille Martin"
	SubscriberCode string // the code handed to the parents, normalised
	// QuotientBracket is the price bracket from the quotient familial ("A" cheapest … "D").
	QuotientBracket string
	// NonResident marks a family living outside the commune: it pays the non-resident rate.
	NonResident bool
}

// Child is a child of a family.
type Child struct {
	ID        string // "c_…", used in URLs; only ever served to the child's own family
	FamilyID  string
	FirstName string
	LastName  string
	BirthDate date.Date
	School    string // site identifier of the child's school, e.g. "jules-ferry"
	Class     string // "CE1", as the school names it (shown to staff only)
	Diet      string // "standard", "sans porc", "végétarien", … (kitchen list)
	// PAI: the child has a projet d'accueil individualisé (the kitchen and the staff must know;
	// no medical document is stored, only this yes/no).
	PAI bool
}

// Enrolment says a child may book an activity at a site between two dates (inclusive; a zero
// Until means open-ended).
type Enrolment struct {
	ChildID  string
	Activity calendar.Activity
	Site     string
	From     date.Date
	Until    date.Date
}

// Covers reports whether the enrolment is valid on day d.
func (e Enrolment) Covers(d date.Date) bool {
	return !d.Before(e.From) && (e.Until.IsZero() || !d.After(e.Until))
}

// Activity holds the town hall's settings for one activity at one site.
type Activity struct {
	Activity calendar.Activity
	Site     string
	SiteName string // "École Jules Ferry"
	// Capacity is the number of children per day; 0 means no limit.
	Capacity int
	// PriceCents is the unit price of a booked day by quotient bracket, in cents.
	PriceCents map[string]int64
	// NonResidentPriceCents is the unit price for families living outside the commune; 0 means
	// the highest bracket's price.
	NonResidentPriceCents int64
	// CutoffDays and CutoffHour override the commune's cutoff when set (nil = commune's).
	CutoffDays *int
	CutoffHour *int
}

// DayPrice is what one booked day of the activity costs family f, in cents: the non-resident
// rate for a family living outside the commune (the highest bracket's price when the commune set
// none), else the price of the family's quotient bracket, and the highest price of the activity
// when the family has no bracket or one the activity does not price. Zero means the activity has
// no price. The planning shows it, reminders quote it and the invoice run charges it.
func (a Activity) DayPrice(f Family) int64 {
	if f.NonResident && a.NonResidentPriceCents > 0 {
		return a.NonResidentPriceCents
	}
	if p, ok := a.PriceCents[f.QuotientBracket]; ok && f.QuotientBracket != "" && !f.NonResident {
		return p
	}
	var highest int64
	for _, p := range a.PriceCents {
		highest = max(highest, p)
	}
	return highest
}

// SubscriberCode is a code the town hall issued, with the family it links to.
type SubscriberCode struct {
	Code     string
	FamilyID string
	Revoked  bool
}

// NormaliseCode makes what a parent typed comparable to issued codes: upper case, spaces
// removed, look-alike letters of the random part mapped (O→0, I/L→1).
func NormaliseCode(prefix, typed string) string {
	s := strings.ToUpper(strings.Join(strings.Fields(typed), ""))
	p := strings.ToUpper(prefix)
	if !strings.HasPrefix(s, p) {
		return s
	}
	rest := strings.NewReplacer("O", "0", "I", "1", "L", "1").Replace(s[len(p):])
	return p + rest
}

// ValidCodeShape reports whether code (normalised) looks like prefix + "XXXX-XXXX" in
// Crockford base 32, so a malformed code is refused before any lookup.
func ValidCodeShape(prefix, code string) bool {
	p := strings.ToUpper(prefix)
	if !strings.HasPrefix(code, p) {
		return false
	}
	rest := code[len(p):]
	if len(rest) != 9 || rest[4] != '-' {
		return false
	}
	for i, c := range rest {
		if i == 4 {
			continue
		}
		if !strings.ContainsRune(crockford, c) {
			return false
		}
	}
	return true
}

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewCode returns a fresh random code (40 bits of entropy): prefix + "XXXX-XXXX".
func NewCode(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	out := make([]byte, 0, 9)
	for i, x := range b {
		if i == 4 {
			out = append(out, '-')
		}
		out = append(out, crockford[int(x)%32])
	}
	return strings.ToUpper(prefix) + string(out)
}

// NewID returns a random identifier with the given prefix ("f_", "c_").
func NewID(prefix string) string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	out := make([]byte, 0, 16)
	for _, x := range b {
		out = append(out, strings.ToLower(crockford)[int(x)%32])
	}
	return prefix + string(out)
}
