package store

import (
	"fmt"
	"strings"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
)

// Key builders: the only way keys are made. keys_test.go pins their strings, because a change
// here orphans every stored item.

func familyPK(familyID string) string { return "FAMILY#" + familyID }
func childSK(childID string) string   { return "CHILD#" + childID }
func enrolmentSK(childID string, a calendar.Activity) string {
	return "ENROL#" + childID + "#" + string(a)
}
func enrolmentGSI1PK(a calendar.Activity) string  { return "ENROL#" + string(a) }
func enrolmentGSI1SK(site, childID string) string { return site + "#" + childID }
func memberSK(email string) string                { return "MEMBER#" + email }
func codePK(code string) string                   { return "CODE#" + code }
func activityPK(a calendar.Activity) string       { return "ACTIVITY#" + string(a) }
func siteSK(site string) string                   { return "SITE#" + site }
func closureSK(d date.Date) string                { return "CLOSURE#" + d.String() }
func accountPK(email string) string               { return "ACCOUNT#" + email }
func dayPK(a calendar.Activity, site string, d date.Date) string {
	return "DAY#" + string(a) + "#" + site + "#" + d.MonthKey()
}
func daySK(d date.Date) string { return d.String() }
func childDaySK(childID string, d date.Date) string {
	return childDayPrefix(childID) + d.String()
}
func childDayPrefix(childID string) string { return "CHILD#" + childID + "#" }
func feedPK(tokenHash string) string       { return "FEED#" + tokenHash }
func memberFeedSK(email string) string     { return "FEED#" + email }
func sessionPK(tokenHash string) string    { return "SESSION#" + tokenHash }
func tokenPK(tokenHash string) string      { return "TOKEN#" + tokenHash }
func throttlePK(scope, k string) string    { return "THROTTLE#" + scope + "#" + k }
func proofPK(nonce string) string          { return "PROOF#" + nonce }
func reminderPK(email string) string       { return "REMINDER#" + email }
func familyEventPK(familyID string) string {
	return "FAMILYEVENT#" + familyID
}
func familyEventSK(at time.Time, id string) string {
	return at.UTC().Format(pendingLayout) + "#" + id
}

func runPK(month date.Date) string   { return "BILLRUN#" + month.MonthKey() }
func counterPK(year int) string      { return fmt.Sprintf("INVOICESEQ#%04d", year) }
func invoiceSK(number string) string { return "INVOICE#" + number }
func attemptPK(idOp string) string   { return "PAYMENT#" + idOp }

// Key readers: what a key says, for items that do not store it again.

// childDayOf splits a child's day's sort key CHILD#<childId>#<yyyy-mm-dd> into the child and
// the day; ok is false for any other key.
func childDayOf(sk string) (child string, day date.Date, ok bool) {
	rest, found := strings.CutPrefix(sk, "CHILD#")
	i := len(rest) - len("#yyyy-mm-dd")
	if !found || i < 1 || rest[i] != '#' {
		return "", date.Date{}, false
	}
	d, err := date.Parse(rest[i+1:])
	if err != nil {
		return "", date.Date{}, false
	}
	return rest[:i], d, true
}

// invoiceKeysOf reads an invoice's family, number and month from its PK FAMILY#<familyId>, SK
// INVOICE#<number> and GSI1PK INVOICES#<yyyy-mm>; "" where a key is not of its form.
func invoiceKeysOf(pk, sk, gsi1pk string) (familyID, number, month string) {
	return after(pk, "FAMILY#"), after(sk, "INVOICE#"), after(gsi1pk, "INVOICES#")
}

// after is what follows prefix in key, "" when key does not begin with it.
func after(key, prefix string) string {
	if rest, ok := strings.CutPrefix(key, prefix); ok {
		return rest
	}
	return ""
}

// monthInvoicesGSI1PK indexes a month's invoices (the billing desk's list).
func monthInvoicesGSI1PK(month date.Date) string { return "INVOICES#" + month.MonthKey() }
func unbilledPK(d date.Date) string              { return "UNBILLED#" + d.MonthKey() }
func overpaymentSK(at time.Time, idOp string) string {
	return at.UTC().Format(pendingLayout) + "#" + idOp
}
func pendingGSI1SK(created time.Time, idOp string) string {
	return created.UTC().Format(pendingLayout) + "#" + idOp
}
func unbilledSK(d date.Date, a calendar.Activity, site, childID string) string {
	if childID == "" {
		childID = "*"
	}
	return d.String() + "#" + string(a) + "#" + site + "#" + childID
}

// pendingLayout writes instants at a fixed width, so that sort keys order as time does.
const pendingLayout = "2006-01-02T15:04:05.000000000Z"

// Fixed sort keys of singleton items.
const (
	skFamily   = "FAMILY"
	skCode     = "CODE"
	skAccount  = "ACCOUNT"
	skFeed     = "FEED" // of FEED#<hash> items
	skSession  = "SESSION"
	skToken    = "TOKEN"
	skProof    = "PROOF"
	pkCalendar = "CALENDAR"
	skRun      = "RUN"
	skCounter  = "COUNTER"
	skPayment  = "PAYMENT"
	// gsiPending is the GSI1 partition of payment attempts still pending (sparse).
	gsiPending    = "PAYPENDING"
	pkOverpayment = "OVERPAYMENT"
	// skReminderPrefs is the reminder preferences item of an account (ACCOUNT#<email>).
	skReminderPrefs = "REMINDERS"
	// gsi1WeeklySummary indexes the preferences that ask for the weekly summary.
	gsi1WeeklySummary = "REMINDERS#SUMMARY"
	// gsiAccounts is the GSI1 partition of every account (GSI1SK its e-mail): the Retention
	// job's list of accounts.
	gsiAccounts = "ACCOUNTS"
	// pkRetention / skRetentionIndex is the Retention job's index: the first reservation day
	// not purged yet.
	pkRetention      = "RETENTION"
	skRetentionIndex = "INDEX"
)
