// Package staff holds the rules of the town hall's staff accounts, who use the back-office
// under /gestion/: login with the same password rule and hashing as parents, a second factor
// (TOTP, RFC 6238) enrolled with a QR code at the first login, short sessions, and the journal
// in which every staff action is recorded (who, when, what, before → after). The hashing
// (accounts/argon2id) and the TOTP (staff/totp) are given to the Service by the Gestion
// function's main.go, so that no other function links them.
//
// It imports no AWS package: the Service reaches storage through the small interfaces below
// (Members, Sessions, Attempts, Journal), which shared/store's *store.Store satisfies; the
// package stafftest holds an in-memory implementation of them and the contract suite run
// against both.
//
// # Decisions, and why
//
//   - Staff and parents are different accounts in different items (STAFF#<email>, not
//     ACCOUNT#<email>) with different session items (STAFFSESSION#…) and a different cookie
//     (preau_staff). No parent function reads a staff session and the back-office reads no
//     parent session, so neither can reach the other's routes by construction; infra/local's
//     route test checks it on every route of template.yaml.
//   - A staff session lasts SessionLifetime (4 h, absolute; parents have 12 h). It begins
//     "pending" after the password and becomes a full session only after the second factor:
//     the verified session is a new token (the pending one is deleted), so a token seen before
//     the second factor never grants the back-office.
//   - TOTP: SHA-1, 6 digits, 30 s (what every authenticator app reads), one step of drift
//     either way. The secret is drawn at the first login and kept on the pending session until
//     a code from it is typed; only then is it written on the member, by a write conditioned
//     on no secret being there (two enrolments at once: one wins). A code is accepted once: the
//     member keeps the last step used and the write requires a later one, so a code seen over a
//     shoulder cannot be replayed within its 30 s.
//   - Throttling: 5 failed passwords per account in 15 minutes, and 5 wrong codes per pending
//     session (then the session is ended and the password must be typed again).
//   - The journal is one item per action under its month (AUDIT#<yyyy-mm>), listed newest first.
//     Before and after are short French texts written by the use case, not raw items, so the
//     list reads as what happened. It never holds a password, code or TOTP secret.
package staff
