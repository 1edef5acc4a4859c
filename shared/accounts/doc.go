// Package accounts holds the rules of parent accounts: what a valid sign-up is, the password
// rule (its hashing is a Hasher given by the functions that take passwords: accounts/argon2id,
// which only they link), one-time links (confirmation and reset), the anti-robot proof, sessions,
// the limits on attempts, the family link and the family's members. It imports no AWS package.
// Each use case is one type in one file (Signups, Confirmations, Logins, Resets,
// PasswordChanges, Profiles, FamilyLinks, Memberships, Deletions), with the small storage and
// mail interfaces it needs declared beside it; shared/store's *store.Store and shared/mail's
// Mailer satisfy them all, and accountstest's in-memory store passes the same contract suite.
//
// # Decisions, and why
//
//   - Passwords: at least 8 characters with a digit, a lower-case and an upper-case letter (the
//     rule parents know from the former portal), and not one of a few thousand common passwords
//     (common-passwords.txt, compared case-insensitively). Hashed with argon2id, m=19 MiB, t=2,
//     p=1 (OWASP's recommended minimum): the Signup and Account functions have 512 MB and serve
//     one request at a time, so 19 MiB is a small share, and `make bench` shows the cost per
//     sign-up and login. Hashes are PHC strings; a login with older parameters rehashes.
//   - One-time links: 32 random bytes in base64url; only their SHA-256 is stored. Confirmation
//     links last 48 h, reset links 1 h (a reset link grants the account, so it is short-lived).
//     A used or expired link is kept until a week after its expiry, so the page can tell
//     "already used" and "expired" apart from "unknown". Links carry the account's session stamp
//     when made, and work only while it is unchanged: a password reset or change (which renews
//     it) ends every reset link made before it. Confirming and resetting are each one write
//     conditioned on that stamp, so a sign-up replacing the account, or another reset, landing
//     between the check and the write makes the write fail rather than act on the new state.
//   - Sessions: a random token in a __Host- cookie, its SHA-256 stored, valid 12 h after login.
//     The lifetime is absolute rather than sliding because every function that reads a session
//     has only dynamodb:GetItem on the session table (least privilege). Each account has a
//     session stamp, renewed on every password change or reset: sessions carry the stamp they
//     were made with, so a change ends every other session at once (a stamp, not a counter, so
//     an account deleted and created again never revives old sessions). The parent may keep
//     their other sessions (the box "Fermer mes autres connexions" is ticked by default): the
//     old stamp then joins the account's KeptStamps (at most 5), whose sessions stay valid;
//     the stamp is renewed all the same, so reset links made before still end.
//   - Limits: each is a counter per key and fixed window, taken with one conditional write
//     before the work it guards, so however many requests race it never passes its maximum.
//     Logins: 5 attempts per account and 20 per client address per 15 minutes, taken before the
//     password is looked at. Past either, the login is not refused for good (a stranger could
//     lock a parent or a school's shared connection out): it needs a proof of work, the
//     sign-up's, so the owner who knows the password gets in and each further guess costs the
//     guesser. Re-authentication (password change, deletion) counts against the account's
//     login limit; past it, it is refused until the window ends. Subscriber codes: 5 an hour
//     per account and 20 per address, before the lookup. Sign-ups: 20 an hour per address;
//     resend and reset requests: 20 an hour per address; e-mails to one address: 5 an hour.
//     The client address is API Gateway's sourceIp (never X-Forwarded-For); only its keyed
//     hash is stored.
//   - Anti-robot: a stateless challenge signed with the stack's secret (nonce, expiry,
//     difficulty). The page's script finds a proof of work (SHA-256 with 16 leading zero bits,
//     a second or two on a phone); without JavaScript the parent answers a simple French question
//     derived from the same signed nonce. The question exists on pages only: the JSON API has
//     neither the question nor a field for its answer, so scripts must do the work; answers are
//     limited to 10 an hour per address. A challenge is spent (a conditional write of the
//     nonce) before its answer is checked, so it allows one attempt, right or wrong: the answer
//     is a small number, and a challenge that survived a wrong guess could be retried until one
//     passed. A refused form comes back with a new question. The subscriber code is looked up
//     only after the check passed. ANTIROBOT_DISABLED=1 switches it off, in the local stack only.
//   - Input: every field is checked (shape, length) before any storage call, so a value that
//     DynamoDB would refuse as a key is a 400, never a 500.
//   - Family link at sign-up: the account keeps the code given (not only its family) and checks
//     it again on confirmation, so a code the town hall revoked meanwhile links nothing; the
//     parent is told. Every link writes the family's MEMBER# item and every unlink (another
//     code, deletion, removal by another member) removes it: access to a family's pages and
//     feed requires that item.
//   - Membership: the code is shown masked once linked (it links anyone who reads it, and a
//     session can be stolen; the town hall reissues it). A new member is recorded and every
//     member already linked is told by e-mail. Members see each other in Mon espace and a
//     member can remove another: the MEMBER# item goes first (access ends at once), then the
//     account forgets the family, the removal is recorded (FAMILYEVENT#: who, when, whom) and
//     the removed parent is told.
//   - Enumeration safety: sign-up answers 202 whether or not the e-mail has an account, hashes
//     the password and sends one e-mail in both cases (an existing owner is told so instead);
//     an existing account costs a few more storage calls, which the floor below hides (it
//     applies to a sign-up from the hash on).
//     A sign-up with the address of an account never confirmed replaces that account's names,
//     password, code and stamp (a conditional write on "still unconfirmed"), and confirmation
//     links carry the stamp they were sent with: whoever signed up first with someone else's
//     address cannot have the owner confirm the squatter's account.
//     Reset and resend requests answer 202 in every case and make the same storage calls: an
//     address without an account (or, for a resend, an account already confirmed) gets the
//     same throttle write and a decoy token write (no address in it, gone when it would have
//     expired). Only a real link calls SES; a floor of 400 ms on these requests hides that call
//     (a bounded wait, the one place the code reads the monotonic clock).
package accounts
