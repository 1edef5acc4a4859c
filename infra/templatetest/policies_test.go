package templatetest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/preau/preau/infra/samtemplate"
)

// grant is one permission: an action on a resource — for DynamoDB, on the items whose partition
// key matches one dynamodb:LeadingKeys pattern — with the reason the function's code needs it.
type grant struct {
	action, resource, keys, why string
}

// granted lists, function by function, every permission template.yaml gives and why. It is
// the whole list: a permission the template gives and this list lacks fails the test, and so
// does a line here the template no longer gives. A new function cannot ship without its lines.
var granted = map[string][]grant{
	"Export": {
		{"dynamodb:GetItem", "SessionTable", "SESSION#*", "the session cookie's session"},
		{"dynamodb:GetItem", "DataTable", "ACCOUNT#*", "the signed-in parent's account, behind the session and in the export"},
		{"dynamodb:Query", "DataTable", "FAMILY#*", "the family of its member: children, enrolments, members, invoices"},
		{"dynamodb:Query", "DataTable", "DAY#*", "the months of the family's enrolments (own children projected)"},
		{"dynamodb:Query", "DataTable", "ACCOUNT#*", "the parent's reminder choices and message thread pointers (their own partition)"},
		{"dynamodb:GetItem", "DataTable", "THREAD#*", "each of the parent's message threads"},
	},
	"Retention": {
		{"dynamodb:Scan", "DataTable", "ACCOUNT#*", "the one-time backfill, while the RETENTION index is absent: accounts of an earlier version (a Scan is not narrowed by LeadingKeys)"},
		{"dynamodb:Scan", "DataTable", "DAY#*", "the same backfill's reservation days past their retention"},
		{"dynamodb:Query", "DataTable/index/GSI1", "ACCOUNTS", "every account, nightly, without a Scan"},
		{"dynamodb:GetItem", "DataTable", "RETENTION", "the retention index: the first reservation day not purged yet"},
		{"dynamodb:PutItem", "DataTable", "RETENTION", "the retention index moved on once the days due are purged"},
		{"dynamodb:Query", "DataTable", "ACTIVITY#*", "the activities and sites whose months of days are due"},
		{"dynamodb:UpdateItem", "DataTable", "ACCOUNT#*", "an account's warning recorded, or taken back when its e-mail failed; an account of an earlier version put in GSI1 by the backfill"},
		{"dynamodb:GetItem", "DataTable", "FAMILY#*", "a deleted account's calendar feed pointer, to revoke the feed"},
		{"dynamodb:DeleteItem", "DataTable", "ACCOUNT#*", "an account deleted after its warning, or never confirmed"},
		{"dynamodb:DeleteItem", "DataTable", "FAMILY#*", "a deleted account's member item and feed pointer"},
		{"dynamodb:DeleteItem", "DataTable", "FEED#*", "a deleted account's calendar feed"},
		{"dynamodb:Query", "DataTable", "DAY#*", "the months of reservation days due, then the children's items of each day to purge"},
		{"dynamodb:DeleteItem", "DataTable", "DAY#*", "a reservation day past its records' retention: its counter and children's items"},
		{"dynamodb:UpdateItem", "DataTable", "DAY#*", "a full day to come whose counter holds a seat no child has: the counter set to the children booked (conditioned on it unchanged), or marked counted"},
		{"dynamodb:Query", "DataTable/index/GSI1", "THREADS", "the Nous contacter threads past their retention (by last activity)"},
		{"dynamodb:DeleteItem", "DataTable", "THREAD#*", "a thread past its retention (its pointer is under ACCOUNT#)"},
		{"ses:SendEmail", "MailIdentity", "", "the warning before an unused account is deleted"},
	},
	"Invoices": {
		{"dynamodb:GetItem", "SessionTable", "SESSION#*", "the session cookie's session"},
		{"dynamodb:GetItem", "DataTable", "ACCOUNT#*", "the signed-in parent's account, behind the session"},
		{"dynamodb:Query", "DataTable", "FAMILY#*", "the family's invoices; its members, for the receipt"},
		{"dynamodb:GetItem", "DataTable", "FAMILY#*", "one invoice of the family, by number"},
		{"dynamodb:UpdateItem", "DataTable", "FAMILY#*", "the invoice's last attempt, and a payment applied once"},
		{"dynamodb:PutItem", "DataTable", "PAYMENT#*", "a payment attempt, created once per idOp"},
		{"dynamodb:GetItem", "DataTable", "PAYMENT#*", "the attempt the return page settles"},
		{"dynamodb:UpdateItem", "DataTable", "PAYMENT#*", "the attempt's final state"},
		{"dynamodb:PutItem", "DataTable", "OVERPAYMENT", "a second payment of a paid invoice, for the town hall to refund"},
		{"ses:SendEmail", "MailIdentity", "", "the receipt, when the return page applies the payment"},
	},
	"PaymentWebhook": {
		{"dynamodb:GetItem", "DataTable", "PAYMENT#*", "the attempt of the notified idOp"},
		{"dynamodb:GetItem", "DataTable", "FAMILY#*", "the attempt's invoice"},
		{"dynamodb:Query", "DataTable", "FAMILY#*", "the family's members, for the receipt"},
		{"dynamodb:UpdateItem", "DataTable", "FAMILY#*", "the payment applied once on the invoice"},
		{"dynamodb:UpdateItem", "DataTable", "PAYMENT#*", "the attempt's final state"},
		{"dynamodb:PutItem", "DataTable", "OVERPAYMENT", "a second payment of a paid invoice, for the town hall to refund"},
		{"ses:SendEmail", "MailIdentity", "", "the receipt"},
	},
	"Reconciliation": {
		{"dynamodb:Query", "DataTable/index/GSI1", "PAYPENDING", "the attempts still pending (sparse index)"},
		{"dynamodb:GetItem", "DataTable", "PAYMENT#*", "each pending attempt"},
		{"dynamodb:GetItem", "DataTable", "FAMILY#*", "the attempt's invoice"},
		{"dynamodb:Query", "DataTable", "FAMILY#*", "the family's members, for the receipt"},
		{"dynamodb:UpdateItem", "DataTable", "FAMILY#*", "the payment applied once on the invoice"},
		{"dynamodb:UpdateItem", "DataTable", "PAYMENT#*", "the attempt's final state"},
		{"dynamodb:PutItem", "DataTable", "OVERPAYMENT", "a second payment of a paid invoice, for the town hall to refund"},
		{"ses:SendEmail", "MailIdentity", "", "the receipt"},
	},
	"Billing": {
		{"dynamodb:PutItem", "DataTable", "BILLRUN#*", "the month's run, recorded once (conditional create)"},
		{"dynamodb:GetItem", "DataTable", "BILLRUN#*", "the run already recorded, that a retried run goes on with"},
		{"dynamodb:GetItem", "DataTable", "INVOICESEQ#*", "the year's invoice number counter"},
		{"dynamodb:PutItem", "DataTable", "INVOICESEQ#*", "the year's counter, created by its first claim"},
		{"dynamodb:UpdateItem", "DataTable", "INVOICESEQ#*", "numbers claimed once per month on the counter"},
		{"dynamodb:Query", "DataTable", "FAMILY#*", "a family's name, children and members (billing household)"},
		{"dynamodb:PutItem", "DataTable", "FAMILY#*", "an invoice, created once per number"},
		{"dynamodb:UpdateItem", "DataTable", "FAMILY#*", "an invoice's notice claimed before its e-mail, released if it fails"},
		{"dynamodb:Query", "DataTable", "ACTIVITY#*", "each activity's sites and prices"},
		{"dynamodb:Query", "DataTable", "UNBILLED#*", "the month's days marked not to bill"},
		{"dynamodb:Query", "DataTable", "DAY#*", "the month's day items of each activity and site"},
		{"dynamodb:Query", "DataTable/index/GSI1", "ENROL#*", "the children enrolled in an activity, with their families"},
		{"ses:SendEmail", "MailIdentity", "", "each family's invoice e-mail"},
	},
	"Reminder": {
		{"ssm:GetParameter", "SecretKeyParameter", "", "the secret key, read once per cold start (signs the unsubscribe links of its e-mails)"},
		{"kms:Decrypt", "SecretKeyKmsKeyArn", "", "decrypting that SecureString, only through SSM (kms:ViaService)"},
		{"dynamodb:Query", "DataTable/index/GSI1", "ENROL#*", "the children enrolled in each activity, with their families"},
		{"dynamodb:Query", "DataTable/index/GSI1", "REMINDERS#SUMMARY", "the parents who asked for the weekly summary"},
		{"dynamodb:Query", "DataTable", "CALENDAR", "the commune's closures, which the deadlines follow"},
		{"dynamodb:GetItem", "DataTable", "ACTIVITY#*", "an activity's settings at a site: its cutoff and prices"},
		{"dynamodb:Query", "DataTable", "ACTIVITY#*", "every activity's settings (their cutoffs), read by the reservation rules with the closures"},
		{"dynamodb:Query", "DataTable", "DAY#*", "the month's day items of the days closing (who is booked)"},
		{"dynamodb:Query", "DataTable", "FAMILY#*", "a family with something due: children, members, bracket"},
		{"dynamodb:Query", "DataTable", "ACCOUNT#*", "each member's account with their reminder choices"},
		{"dynamodb:PutItem", "SessionTable", "REMINDER#*", "a parent × deadline marker claimed before sending"},
		{"dynamodb:UpdateItem", "SessionTable", "REMINDER#*", "the marker set to sent after the e-mail went"},
		{"dynamodb:DeleteItem", "SessionTable", "REMINDER#*", "the marker released when the send failed"},
		{"ses:SendEmail", "MailIdentity", "", "the reminders and weekly summaries (SES v2, with List-Unsubscribe)"},
		{"lambda:InvokeFunction", "SelfReminder", "", "a run over its time budget continues in a new invocation of itself"},
	},
	"ReminderSettings": {
		{"ssm:GetParameter", "SecretKeyParameter", "", "the secret key, read once per cold start (signs one-click unsubscribe links)"},
		{"kms:Decrypt", "SecretKeyKmsKeyArn", "", "decrypting that SecureString, only through SSM (kms:ViaService)"},
		{"dynamodb:GetItem", "SessionTable", "SESSION#*", "the session cookie's session"},
		{"dynamodb:GetItem", "DataTable", "ACCOUNT#*", "the signed-in parent's account, behind the session"},
		{"dynamodb:Query", "DataTable", "ACCOUNT#*", "the account with its reminder choices"},
		{"dynamodb:PutItem", "DataTable", "ACCOUNT#*", "the reminder choices (Mes rappels, one-click unsubscribe)"},
	},
	"Gestion": {
		{"dynamodb:GetItem", "SessionTable", "STAFFSESSION#*", "the staff cookie's session (pending or verified)"},
		{"dynamodb:GetItem", "SessionTable", "THROTTLE#*", "failed staff logins of an address in the window"},
		{"dynamodb:PutItem", "SessionTable", "STAFFSESSION#*", "a staff session opened by the password, then by the second factor"},
		{"dynamodb:DeleteItem", "SessionTable", "STAFFSESSION#*", "the pending session replaced by the verified one; logout; five wrong codes"},
		{"dynamodb:UpdateItem", "SessionTable", "THROTTLE#*", "a failed staff password or code counted"},
		{"dynamodb:GetItem", "DataTable", "STAFF#*", "the staff member of a login or a session"},
		{"dynamodb:GetItem", "DataTable", "CODE#*", "a subscriber code's state (revoked, whose), the import's codes"},
		{"dynamodb:GetItem", "DataTable", "DAY#*", "the whole day a closure cancels, a day staff leave unbilled"},
		{"dynamodb:PutItem", "DataTable", "AUDIT#*", "each staff action recorded in the journal"},
		{"dynamodb:PutItem", "DataTable", "CODE#*", "a new subscriber code, issued once (conditional create)"},
		{"dynamodb:PutItem", "DataTable", "FAMILY#*", "a family created or imported, its children and enrolments; an invoice created once per number"},
		{"dynamodb:UpdateItem", "DataTable", "STAFF#*", "the second factor enrolled once; each TOTP step used once (a clear secret sealed with it); the last login"},
		{"ssm:GetParameter", "SecretKeyParameter", "", "the secret key, read once per cold start (derives the key sealing TOTP secrets)"},
		{"kms:Decrypt", "SecretKeyKmsKeyArn", "", "decrypting that SecureString, only through SSM (kms:ViaService)"},
		{"dynamodb:UpdateItem", "DataTable", "CODE#*", "a subscriber code revoked"},
		{"dynamodb:UpdateItem", "DataTable", "FAMILY#*", "a family edited; its code switched from the old one only; an invoice's notice claimed; a counter payment recorded once"},
		{"dynamodb:PutItem", "DataTable", "CALENDAR", "a closure; a school year's holidays (conditioned on the version previewed)"},
		{"dynamodb:PutItem", "DataTable", "ACTIVITY#*", "an activity's settings at a site (capacity, cutoff, prices)"},
		{"dynamodb:PutItem", "DataTable", "UNBILLED#*", "a day left unbilled: a closure's cancelled seats, a justified absence (once)"},
		{"dynamodb:PutItem", "DataTable", "NOTICE#*", "a closure e-mail claimed before sending (once per family and activity)"},
		{"dynamodb:PutItem", "DataTable", "FAMILYLOG#*", "a change staff made on a family's day, with its reason"},
		{"dynamodb:UpdateItem", "DataTable", "DAY#*", "a closure's cancellations; a booking or cancellation made for a family"},
		{"dynamodb:UpdateItem", "DataTable", "NOTICE#*", "a closure e-mail marked sent by the save that claimed it"},
		{"dynamodb:DeleteItem", "DataTable", "FAMILY#*", "a linked parent removed from the family"},
		{"dynamodb:DeleteItem", "DataTable", "CALENDAR", "a closure removed (the day reopened)"},
		{"dynamodb:DeleteItem", "DataTable", "NOTICE#*", "a claimed closure e-mail released when its send failed"},
		{"dynamodb:DeleteItem", "DataTable", "UNBILLED#*", "a reopened closure's unbilled marks taken back (only while they carry its reason)"},
		{"dynamodb:Query", "DataTable", "AUDIT#*", "a month of the journal"},
		{"dynamodb:Query", "DataTable", "FAMILY#*", "a family with its children, enrolments and members (registry, billing household)"},
		{"dynamodb:Query", "DataTable", "ACTIVITY#*", "each activity's sites and price brackets (forms, headcounts)"},
		{"dynamodb:Query", "DataTable", "DAY#*", "the month's day items of an activity and site (headcounts)"},
		{"dynamodb:Query", "DataTable", "CALENDAR", "the commune's closures and loaded school years (headcounts, rules, calendar pages)"},
		{"dynamodb:Query", "DataTable", "FAMILYLOG#*", "the changes staff made on a family's days"},
		{"dynamodb:Query", "DataTable/index/GSI1", "FAMILIES", "the list of families"},
		{"dynamodb:Query", "DataTable/index/GSI1", "ENROL#*", "which family each booked child belongs to (headcounts, the invoice run, closure e-mails)"},
		{"dynamodb:GetItem", "DataTable", "FAMILY#*", "one invoice of the billing desk, by family and number"},
		{"dynamodb:GetItem", "DataTable", "BILLRUN#*", "the invoice run a month already recorded, that a run from the desk goes on with"},
		{"dynamodb:GetItem", "DataTable", "INVOICESEQ#*", "the year's invoice number counter (the invoice run)"},
		{"dynamodb:GetItem", "DataTable", "OVERPAYMENT", "an overpayment read back when its refund's condition fails"},
		{"dynamodb:PutItem", "DataTable", "BILLRUN#*", "a month's run, recorded once (the invoice run from the desk)"},
		{"dynamodb:PutItem", "DataTable", "INVOICESEQ#*", "the year's counter, created by its first claim"},
		{"dynamodb:UpdateItem", "DataTable", "INVOICESEQ#*", "numbers claimed once per month on the counter"},
		{"dynamodb:UpdateItem", "DataTable", "OVERPAYMENT", "an overpayment marked refunded, once"},
		{"dynamodb:Query", "DataTable", "UNBILLED#*", "the month's days marked not to bill (the invoice run, a family's days page)"},
		{"dynamodb:Query", "DataTable", "OVERPAYMENT", "the overpayments to refund"},
		{"dynamodb:Query", "DataTable/index/GSI1", "INVOICES#*", "every invoice of a month (the billing desk's list)"},
		{"ses:SendEmail", "MailIdentity", "", "each family's invoice e-mail, when the desk runs a month; the closure e-mail to the families whose bookings it cancelled; answers to the parents' messages"},
		{"dynamodb:Query", "DataTable/index/GSI1", "THREADS", "every parent's message thread, by last activity"},
		{"dynamodb:GetItem", "DataTable", "THREAD#*", "one message thread"},
		{"dynamodb:UpdateItem", "DataTable", "THREAD#*", "an answer added once to a thread"},
	},
	"Portal": {
		{"dynamodb:GetItem", "SessionTable", "SESSION#*", "the session cookie's session: pages know who is signed in"},
		{"dynamodb:GetItem", "DataTable", "ACCOUNT#*", "the signed-in parent's account, behind the session"},
		{"dynamodb:Query", "DataTable", "CALENDAR", "the commune's closures, which the published deadlines follow"},
		{"dynamodb:Query", "DataTable", "ACTIVITY#*", "each activity's settings at its sites (their own cutoffs)"},
		{"dynamodb:PutItem", "SessionTable", "PROOF#*", "Nous contacter: an anti-robot proof spent once"},
		{"dynamodb:UpdateItem", "SessionTable", "THROTTLE#*", "Nous contacter: messages and answers to the question counted per client address"},
		{"dynamodb:PutItem", "DataTable", "THREAD#*", "Nous contacter: the new thread, created once"},
		{"dynamodb:PutItem", "DataTable", "ACCOUNT#*", "Nous contacter: the signed-in parent's pointer to their thread"},
		{"ses:SendEmail", "MailIdentity", "", "Nous contacter: the town hall told of a parent's message"},
		{"ssm:GetParameter", "SecretKeyParameter", "", "the secret key, read once per cold start (signs the anti-robot challenges)"},
		{"kms:Decrypt", "SecretKeyKmsKeyArn", "", "decrypting that SecureString, only through SSM (kms:ViaService)"},
	},
	"Signup": {
		{"dynamodb:GetItem", "SessionTable", "SESSION#*", "the session cookie's session (the pages' layout)"},
		{"dynamodb:GetItem", "SessionTable", "TOKEN#*", "a confirmation link's token"},
		{"dynamodb:PutItem", "SessionTable", "TOKEN#*", "a new confirmation link (and the decoy of an unknown address)"},
		{"dynamodb:UpdateItem", "SessionTable", "TOKEN#*", "a confirmation link used once (usedAt)"},
		{"dynamodb:UpdateItem", "SessionTable", "THROTTLE#*", "attempts taken: sign-ups and resends per client address, e-mails per address"},
		{"dynamodb:PutItem", "SessionTable", "PROOF#*", "an anti-robot proof spent once"},
		{"dynamodb:GetItem", "DataTable", "ACCOUNT#*", "the account of an e-mail (sign-up again, resend, confirm)"},
		{"dynamodb:PutItem", "DataTable", "ACCOUNT#*", "a new account, only if none has that e-mail"},
		{"dynamodb:UpdateItem", "DataTable", "ACCOUNT#*", "an unconfirmed account replaced, confirmed, linked to its family"},
		{"dynamodb:GetItem", "DataTable", "CODE#*", "the subscriber code given at sign-up"},
		{"dynamodb:PutItem", "DataTable", "FAMILY#*", "the parent's member item in the family of the code, on confirmation"},
		{"dynamodb:Query", "DataTable", "FAMILY#*", "the family's members, told by e-mail when the parent joins on confirmation"},
		{"dynamodb:PutItem", "DataTable", "FAMILYEVENT#*", "the record of a new member, on confirmation"},
		{"dynamodb:DeleteItem", "DataTable", "FAMILY#*", "a previous family's member item when linking moves the account (shared link code)"},
		{"ses:SendEmail", "MailIdentity", "", "the confirmation e-mail, and the notice to a family's members"},
		{"ssm:GetParameter", "SecretKeyParameter", "", "the secret key, read once per cold start (signs anti-robot challenges, keys address hashes)"},
		{"kms:Decrypt", "SecretKeyKmsKeyArn", "", "decrypting that SecureString, only through SSM (kms:ViaService)"},
	},
	"Account": {
		{"dynamodb:GetItem", "SessionTable", "SESSION#*", "the session cookie's session"},
		{"dynamodb:PutItem", "SessionTable", "SESSION#*", "a session opened by login"},
		{"dynamodb:DeleteItem", "SessionTable", "SESSION#*", "a session closed by logout"},
		{"dynamodb:GetItem", "SessionTable", "TOKEN#*", "a reset link's token"},
		{"dynamodb:PutItem", "SessionTable", "TOKEN#*", "a new reset link (and the decoy of an unknown address)"},
		{"dynamodb:UpdateItem", "SessionTable", "TOKEN#*", "a reset link used once (usedAt)"},
		{"dynamodb:UpdateItem", "SessionTable", "THROTTLE#*", "attempts taken before the work: logins, re-authentication, codes, reset requests, e-mails"},
		{"dynamodb:PutItem", "SessionTable", "PROOF#*", "an anti-robot proof spent once (a login past its limits)"},
		{"dynamodb:GetItem", "DataTable", "ACCOUNT#*", "the account of the session, of a login, of a reset"},
		{"dynamodb:UpdateItem", "DataTable", "ACCOUNT#*", "password, profile, family link, confirmation by reset"},
		{"dynamodb:DeleteItem", "DataTable", "ACCOUNT#*", "the account deleted by its owner"},
		{"dynamodb:GetItem", "DataTable", "CODE#*", "the subscriber code a parent links"},
		{"dynamodb:Query", "DataTable", "FAMILY#*", "the family of Mon espace: name, children, members"},
		{"dynamodb:PutItem", "DataTable", "FAMILY#*", "the parent's member item when linking a family"},
		{"dynamodb:DeleteItem", "DataTable", "FAMILY#*", "the member item of a family left (relinking, deletion, removal by another member)"},
		{"dynamodb:PutItem", "DataTable", "FAMILYEVENT#*", "the record of a member linked or removed (who, when, whom)"},
		{"dynamodb:Query", "DataTable", "ACCOUNT#*", "Mes messages: the parent's thread pointers"},
		{"dynamodb:GetItem", "DataTable", "THREAD#*", "Mes messages: one of the parent's threads"},
		{"dynamodb:UpdateItem", "DataTable", "THREAD#*", "Mes messages: the parent's reply added once"},
		{"ses:SendEmail", "MailIdentity", "", "reset and password-changed e-mails, notices to a family's members, the town hall told of a reply"},
		{"ssm:GetParameter", "SecretKeyParameter", "", "the secret key, read once per cold start (keys the client-address hash of login throttles)"},
		{"kms:Decrypt", "SecretKeyKmsKeyArn", "", "decrypting that SecureString, only through SSM (kms:ViaService)"},
	},
	"Planning": {
		{"dynamodb:GetItem", "SessionTable", "SESSION#*", "the session cookie's session"},
		{"dynamodb:GetItem", "DataTable", "ACCOUNT#*", "the signed-in parent's account, behind the session"},
		{"dynamodb:Query", "DataTable", "FAMILY#*", "the family's children, enrolments and members"},
		{"dynamodb:Query", "DataTable", "CALENDAR", "the commune's closures"},
		{"dynamodb:Query", "DataTable", "DAY#*", "the month's day items of the family's activities (own children projected)"},
		{"dynamodb:Query", "DataTable", "ACTIVITY#*", "every activity's settings at its sites (their cutoffs), read with the closures"},
		{"dynamodb:GetItem", "DataTable", "FEED#*", "the calendar feed of a feed URL's token hash"},
		{"dynamodb:GetItem", "DataTable", "FAMILY#*", "the member's current feed, checked on every feed read"},
		{"dynamodb:PutItem", "DataTable", "FEED#*", "a new calendar feed"},
		{"dynamodb:PutItem", "DataTable", "FAMILY#*", "the member's pointer to their current feed"},
		{"dynamodb:DeleteItem", "DataTable", "FEED#*", "a replaced or revoked feed"},
		{"dynamodb:DeleteItem", "DataTable", "FAMILY#*", "the member's pointer to a revoked feed"},
		{"ssm:GetParameter", "SecretKeyParameter", "", "the secret key, read once per cold start (derives calendar feed tokens)"},
		{"kms:Decrypt", "SecretKeyKmsKeyArn", "", "decrypting that SecureString, only through SSM (kms:ViaService)"},
	},
	"Reservation": {
		{"dynamodb:GetItem", "SessionTable", "SESSION#*", "the session cookie's session"},
		{"dynamodb:GetItem", "DataTable", "ACCOUNT#*", "the signed-in parent's account, behind the session"},
		{"dynamodb:Query", "DataTable", "FAMILY#*", "the family's children and enrolments"},
		{"dynamodb:Query", "DataTable", "CALENDAR", "the commune's closures"},
		{"dynamodb:Query", "DataTable", "ACTIVITY#*", "every activity's capacity and cutoff at its sites, read with the closures"},
		{"dynamodb:UpdateItem", "DataTable", "DAY#*", "the booking: a seat taken on the day's counter, then the child's day (two conditional writes)"},
		{"dynamodb:GetItem", "DataTable", "DAY#*", "the counter or child's day read back when a write's condition fails"},
	},
	"Cancellation": {
		{"dynamodb:GetItem", "SessionTable", "SESSION#*", "the session cookie's session"},
		{"dynamodb:GetItem", "DataTable", "ACCOUNT#*", "the signed-in parent's account, behind the session"},
		{"dynamodb:Query", "DataTable", "FAMILY#*", "the family's children and enrolments"},
		{"dynamodb:Query", "DataTable", "CALENDAR", "the commune's closures"},
		{"dynamodb:Query", "DataTable", "ACTIVITY#*", "every activity's cutoff at its sites, read with the closures"},
		{"dynamodb:UpdateItem", "DataTable", "DAY#*", "the cancellation: the child's day, then the seat given back to the counter"},
		{"dynamodb:GetItem", "DataTable", "DAY#*", "the counter or child's day read back when a write's condition fails"},
	},
	"LongPeriod": {
		{"dynamodb:GetItem", "SessionTable", "SESSION#*", "the session cookie's session"},
		{"dynamodb:GetItem", "DataTable", "ACCOUNT#*", "the signed-in parent's account, behind the session"},
		{"dynamodb:Query", "DataTable", "FAMILY#*", "the family's children and enrolments"},
		{"dynamodb:Query", "DataTable", "CALENDAR", "the commune's closures"},
		{"dynamodb:Query", "DataTable", "DAY#*", "the period's day items, to preview what each day would do"},
		{"dynamodb:Query", "DataTable", "ACTIVITY#*", "every activity's capacity and cutoff at its sites, read with the closures"},
		{"dynamodb:UpdateItem", "DataTable", "DAY#*", "each day booked or cancelled: the counter and the child's day"},
		{"dynamodb:GetItem", "DataTable", "DAY#*", "a counter or child's day read back when a write's condition fails"},
		{"ses:SendEmail", "MailIdentity", "", "the summary e-mail of what was done"},
	},
}

// grants flattens a function's statements into one grant per action, resource and key pattern
// (why left empty).
func grants(t *testing.T, tpl *samtemplate.Template, f samtemplate.Function) []grant {
	t.Helper()
	var out []grant
	for _, s := range f.Policies {
		if s.Effect != "Allow" {
			t.Errorf("%s: statement %v is not Allow", f.LogicalID, s.Actions)
		}
		keys := []string{""}
		for op, cond := range s.Conditions {
			for k, v := range cond {
				if k == "dynamodb:LeadingKeys" && op == "ForAllValues:StringLike" {
					keys = v
				}
			}
		}
		for _, a := range s.Actions {
			if strings.HasPrefix(a, "dynamodb:") && keys[0] == "" {
				t.Errorf("%s: %s is not narrowed to key prefixes (ForAllValues:StringLike dynamodb:LeadingKeys)", f.LogicalID, a)
			}
			for _, r := range s.Resources {
				for _, k := range keys {
					out = append(out, grant{action: a, resource: resourceName(tpl, r), keys: k})
				}
			}
		}
	}
	return out
}

// resourceName names an ARN of the resolved template as the template names it.
func resourceName(tpl *samtemplate.Template, arn string) string {
	for _, tb := range tpl.Tables {
		table := samtemplate.TableArn(*tb.CreateTableInput.TableName)
		if arn == table {
			return tb.LogicalID
		}
		if index, ok := strings.CutPrefix(arn, table+"/index/"); ok {
			return tb.LogicalID + "/index/" + index
		}
	}
	switch {
	case strings.HasSuffix(arn, ":identity/"+tpl.Params["MailIdentity"]):
		return "MailIdentity"
	case strings.HasPrefix(arn, "arn:") && strings.HasSuffix(arn, "-reminder") && strings.Contains(arn, ":lambda:"):
		return "SelfReminder"
	case strings.HasSuffix(arn, ":parameter"+tpl.Params["SecretKeyParameter"]):
		return "SecretKeyParameter"
	case arn == tpl.Params["SecretKeyKmsKeyArn"]:
		return "SecretKeyKmsKeyArn"
	}
	return arn
}

func TestPoliciesArePinned(t *testing.T) {
	_, tpl := load(t)
	for _, f := range tpl.Functions {
		t.Run(f.LogicalID, func(t *testing.T) {
			want, ok := granted[f.LogicalID]
			if !ok {
				t.Fatalf("%s is not in granted (policies_test.go): add one line per permission its code needs, with why", f.LogicalID)
			}
			key := func(g grant) string { return fmt.Sprintf("%s on %s %s", g.action, g.resource, g.keys) }
			got := map[string]bool{}
			for _, g := range grants(t, tpl, f) {
				got[key(g)] = true
			}
			pinned := map[string]bool{}
			for _, g := range want {
				if g.why == "" {
					t.Errorf("%s: no reason given", key(g))
				}
				if pinned[key(g)] {
					t.Errorf("%s: listed twice", key(g))
				}
				pinned[key(g)] = true
				if !got[key(g)] {
					t.Errorf("template.yaml no longer grants %s: remove its line", key(g))
				}
			}
			for _, k := range slices.Sorted(maps.Keys(got)) {
				if !pinned[k] {
					t.Errorf("template.yaml grants %s, which granted does not list: its code must need it, say why", k)
				}
			}
		})
	}
	for id := range granted {
		if _, ok := tpl.Function(id); !ok {
			t.Errorf("granted lists %s, which template.yaml no longer declares", id)
		}
	}
}

// No deployed function's configuration shows the secret key: the template passes the name of
// its SSM parameter, and only to the functions allowed to read it.
func TestSecretKeyIsAParameterName(t *testing.T) {
	_, tpl := load(t)
	for _, f := range tpl.Functions {
		if v, ok := f.Env["SECRET_KEY"]; ok {
			t.Errorf("%s: SECRET_KEY=%q in the environment: pass SECRET_KEY_PARAMETER instead", f.LogicalID, v)
		}
		canRead := slices.ContainsFunc(grants(t, tpl, f), func(g grant) bool { return g.action == "ssm:GetParameter" })
		if _, named := f.Env["SECRET_KEY_PARAMETER"]; named != canRead {
			t.Errorf("%s: SECRET_KEY_PARAMETER given %v, ssm:GetParameter allowed %v", f.LogicalID, named, canRead)
		}
	}
}
