// Package store is the only package that speaks to DynamoDB. It keeps Préau's invariants each
// on one item, with single-item conditional writes (the local emulator has no transactions),
// and translates DynamoDB errors into the domain's refusals.
//
// # Tables
//
// DataTable holds durable records; SessionTable holds ephemeral ones, each with an expiresAt
// (epoch seconds) that DynamoDB's TTL removes lazily — readers always check it themselves.
// Both have string keys PK and SK; DataTable has one index, GSI1 (GSI1PK, GSI1SK).
//
// # Items (the key builders in keys.go are the only way to make keys; keys_test.go pins them)
//
//	table    item                 PK                               SK                       GSI1PK / GSI1SK
//	Data     family               FAMILY#<familyId>                FAMILY
//	Data     child                FAMILY#<familyId>                CHILD#<childId>
//	Data     enrolment            FAMILY#<familyId>                ENROL#<childId>#<activity>  ENROL#<activity> / <site>#<childId>
//	Data     family member        FAMILY#<familyId>                MEMBER#<email>
//	Data     subscriber code      CODE#<code>                      CODE
//	Data     activity settings    ACTIVITY#<activity>              SITE#<site>
//	Data     closure              CALENDAR                         CLOSURE#<yyyy-mm-dd>
//	Data     account              ACCOUNT#<email>                  ACCOUNT
//	Data     reservation day      DAY#<activity>#<site>#<yyyy-mm>  <yyyy-mm-dd>
//	Data     calendar feed        FEED#<sha256(token)>             FEED
//	Data     family's feed        FAMILY#<familyId>                FEED
//	Session  session              SESSION#<sha256(token)>          SESSION
//	Session  one-time token       TOKEN#<sha256(token)>            TOKEN
//	Session  throttle counter     THROTTLE#<scope>#<key>           <window start, RFC 3339>
//	Session  spent anti-robot     PROOF#<nonce>                    PROOF
//
// # Access patterns
//
//   - Family with its children, enrolments and members: Query PK=FAMILY#id (one call).
//   - Link a code: GetItem CODE#code, then a conditional update of the account.
//   - Book or cancel a day: one conditional UpdateItem on the reservation day item, which holds
//     the map of bookings keyed by child, the count, and the day's change log (history).
//   - A month of one activity at one site (planning, headcounts, billing): Query
//     PK=DAY#activity#site#yyyy-mm (one call).
//   - Calendar feed URL: GetItem FEED#hash, then GetItem FAMILY#id/FEED (valid while they agree),
//     then GetItem FAMILY#id/MEMBER#email (valid while the parent who created it is a member).
//   - Children enrolled in an activity (reminders): Query GSI1 GSI1PK=ENROL#activity.
//   - Sessions, tokens, throttles, proofs: GetItem / conditional PutItem or UpdateItem by key.
package store
