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
// # Items (the key builders in keys.go and keys_backoffice.go are the only way to make keys;
// keys_test.go and keys_backoffice_test.go pin them). Owner: the domain package whose rules the
// item holds.
//
//	table    item                 owner          PK                               SK                          GSI1PK / GSI1SK
//	Data     family               family         FAMILY#<familyId>                FAMILY                      FAMILIES / <lower name>#<id>
//	Data     child                family         FAMILY#<familyId>                CHILD#<childId>
//	Data     enrolment            family         FAMILY#<familyId>                ENROL#<childId>#<activity>  ENROL#<activity> / <site>#<childId>
//	Data     family member        accounts       FAMILY#<familyId>                MEMBER#<email>
//	Data     membership event     accounts       FAMILYEVENT#<familyId>           <time, ns>#<random>
//	Data     subscriber code      family         CODE#<code>                      CODE
//	Data     activity settings    family         ACTIVITY#<activity>              SITE#<site>
//	Data     closure              townhall       CALENDAR                         CLOSURE#<yyyy-mm-dd>
//	Data     account              accounts       ACCOUNT#<email>                  ACCOUNT                     ACCOUNTS / <email> (the Retention job's list)
//	Data     retention index      retention      RETENTION                        INDEX                       (purgedBefore: the first day not purged)
//	Data     day's seat counter   reservations   DAY#<activity>#<site>#<yyyy-mm>  <yyyy-mm-dd>
//	Data     child's day          reservations   DAY#<activity>#<site>#<yyyy-mm>  CHILD#<childId>#<yyyy-mm-dd>
//	Data     calendar feed        reservations   FEED#<sha256(token)>             FEED
//	Data     member's feed        reservations   FAMILY#<familyId>                FEED#<email>
//	Data     invoice run          billing        BILLRUN#<yyyy-mm>                RUN
//	Data     invoice counter      billing        INVOICESEQ#<yyyy>                COUNTER
//	Data     invoice              billing        FAMILY#<familyId>                INVOICE#<number>            INVOICES#<yyyy-mm> / <number>
//	Data     payment attempt      billing        PAYMENT#<idOp>                   PAYMENT                     PAYPENDING / <createdAt>#<idOp> while pending
//	Data     overpayment          billing        OVERPAYMENT                      <at>#<idOp>                 (refundedAt/By/Note once refunded)
//	Data     unbilled day         billing        UNBILLED#<yyyy-mm>               <day>#<activity>#<site>#<childId or *>  (set by the back-office)
//	Data     reminder choices     reminders      ACCOUNT#<email>                  REMINDERS                   REMINDERS#SUMMARY / <email> (only while the weekly summary is on)
//	Session  session              accounts       SESSION#<sha256(token)>          SESSION
//	Session  one-time token       accounts       TOKEN#<sha256(token)>            TOKEN
//	Session  throttle counter     accounts       THROTTLE#<scope>#<key>           <window start, RFC 3339>
//	Session  spent anti-robot     accounts       PROOF#<nonce>                    PROOF
//	Session  reminder marker      reminders      REMINDER#<email>                 DEADLINE#<instant, UTC> or WEEK#<monday>
//	Data     staff member         staff          STAFF#<email>                    STAFF                       STAFF / <email>
//	Session  staff session        staff          STAFFSESSION#<sha256(token)>     SESSION
//	Data     journal entry        staff          AUDIT#<yyyy-mm> (UTC)            <RFC 3339 UTC ns>#<id>
//	Data     closure notice       townhall       NOTICE#<yyyy-mm-dd>              <familyId>#<activity>
//	Data     school year          townhall       CALENDAR                         SCHOOLYEAR#<yyyy>
//	Data     staff change         townhall       FAMILYLOG#<familyId>             <time, ns>#<id>
//	Data     message thread       messages       THREAD#<id>                      THREAD                      THREADS / <last activity, UTC ns>#<id>
//	Data     parent's thread      messages       ACCOUNT#<email>                  THREAD#<id>                 (written signed in only)
//
// # Access patterns
//
//   - Family with its children, enrolments and members (Family: every booking, planning, long
//     period, reminder and invoice run reads it): two Queries of PK=FAMILY#id run together, SK <
//     "FEED#" (CHILD#, ENROL#, FAMILY) and SK begins_with MEMBER#, which leave out the member's
//     feeds and the invoices sorting between them: a family keeps ten invoices a year for ten
//     years, and read whole, its partition weighed 14 read units instead of 1 at the end
//     (keys_test.go pins the order).
//   - Link a code (shared/accounts): UpdateItem THROTTLE# twice (the account's and the
//     address's limits), GetItem CODE#code, GetItem ACCOUNT#email, Query FAMILY#id MEMBER#
//     (the members to tell), then three writes in this order: PutItem FAMILY#id/MEMBER#email
//     (access starts), UpdateItem ACCOUNT#email (familyId, pendingCode removed), DeleteItem of
//     the old family's MEMBER# item; a new member adds PutItem FAMILYEVENT# (the record).
//   - Members of a family: Query PK=FAMILY#id, SK begins_with MEMBER# (one call).
//   - Remove a member: DeleteItem FAMILY#id/MEMBER#email (access ends), then UpdateItem
//     ACCOUNT#email REMOVE familyId conditioned on familyId = id (a parent who linked another
//     family since keeps it), then PutItem FAMILYEVENT#id (who, when, whom).
//   - Take an attempt (logins, re-authentication, codes, sign-ups, link requests, e-mails,
//     answers to the anti-robot question): one UpdateItem on THROTTLE#scope#key / window,
//     ADD count conditioned on count < max: never past max, whatever the concurrency.
//   - Confirm an account: one UpdateItem on ACCOUNT#email conditioned on the sessionStamp its
//     link carries and on no confirmedAt; it returns the item written (ReturnValues ALL_NEW).
//   - Set a password (reset, change, rehash): one UpdateItem on ACCOUNT#email conditioned on
//     the sessionStamp read (the reset link's), so of two writes from one state one lands; it
//     sets the new stamp and keptStamps (the stamps of sessions the parent chose to keep).
//   - Book a day: UpdateItem of the day's counter (ADD booked 1 while booked < capacity: the
//     seat), then UpdateItem of the child's day (s = true and a history entry, while it has no
//     seat and fewer than MaxChangesPerDay changes); refused there, the seat is given back
//     (ADD -1) and the child's day read (GetItem) to say why. Cancel a day: UpdateItem of the
//     child's day (seat removed, entry appended, while it has a seat), then the counter's ADD -1.
//     Each write is 1 write unit whatever the school's size (see below). Both counter writes set
//     ch, the change's time.
//   - Free a lost seat (a booking that finds the day full, or the nightly sweep, FreeLostSeats:
//     Query PK=DAY#activity#site#yyyy-mm, SK BETWEEN the days to come, filtered to counters at
//     or above the capacity and without the former model's maps, projected to SK, booked, ch,
//     ck; then for each, when the counter's ch and every child's last history entry are older
//     than 20 minutes and ck is not newer than ch): Query
//     PK=DAY#activity#site#yyyy-mm, SK begins_with CHILD#, kept to the day's by the end of their
//     SK (the month's child items are read and billed), then one UpdateItem of the counter
//     conditioned on booked and ch being those read: booked = the children seated when some
//     seat is held by nobody, else ck = now, so that the day is not counted again until a seat
//     changes hands.
//   - A month of one activity at one site, whole (headcounts, billing: DaysOfMonth; reminders:
//     ReminderDays, the same read eventually consistent): Query PK=DAY#activity#site#yyyy-mm,
//     paged: the counters, then every child's days. A
//     family's month (FamilyDaysOfMonth: planning, long periods, export): Query of the counters
//     (SK < "CHILD#", each day's count) and one Query per child (SK begins_with
//     CHILD#<childId>#), run together: it reads, and is billed for, its own children's items and
//     the counters only, never other families' entries.
//
// # The reservation day items and their size
//
//	counter      SK <yyyy-mm-dd>                  booked: the seats taken; ch: when a seat last
//	                                              changed hands, ck: when the children were last
//	                                              counted (Unix ms)
//	child's day  SK CHILD#<childId>#<yyyy-mm-dd>  s: its seat, true while booked (the booking is
//	                                              the history's last entry); h: its history, a
//	                                              list of strings "<action><channel><Unix ms in
//	                                              base 36> <who>", a letter for the action (b
//	                                              book, c cancel) and one for the channel (w web,
//	                                              a api, l long-period, t town-hall, f closure),
//	                                              e.g. "blmt167og0 anne.martin@exemple.fr".
//
// Short names and nothing the keys say (the activity, site, child and day are read from PK and
// SK): a family keeps one child's day per child, activity and day for ten years, and what it
// keeps is most of what it costs (docs/cost.md). An ordinary child's day (one booking by long
// period, a 22-character address) weighs 120 bytes, against 156 before. Items
// written before are read as they are: a counter with activity, site and day attributes, a
// child's day with a day attribute and entries as maps {t, w, a, c} (Unix ms, who, action,
// channel), to which a change appends an entry of the compact form. An action or channel
// without a letter (none today) would be written as such a map; a letter, once written, keeps
// its meaning. The step is one-way, as is an invoice's (Billing, below): a former version cannot
// read these items (docs/deploy.md, "Upgrading and rolling back").
//
// Its rules are shared/reservations' (reservations.Repository, kept by this store and by
// reservationstest.Memory under one contract, reservationstest.StoreContract); so are those of
// activity settings and closures, which the reservation rules read together (Activities,
// Closures) and keep for a minute, and of calendar feeds (reservations.FeedStore).
//
// Why two kinds of items. A day used to be one item holding every child's seat and history,
// so every booking rewrote, and paid for, the whole school's day: at a site of 400 children
// (BenchmarkSite400) the item weighed 106 KB with ordinary histories and 228 KB with every child
// at the change cap, so a booking cost up to 220 write units and a family's month read 219 read
// units (DynamoDB bills a Query for the items it reads, whatever the projection), and a site of
// some 700 children at the cap would have reached the 400 KB item limit, after which nobody could
// book that day. A day is now a counter, whose size does not depend on the school (under 200
// bytes), and one item per child, whose size depends only on that child's changes: under 512
// bytes with an ordinary history and a 40-character address (257), under 1 KB (1 write unit)
// even with MaxChangesPerDay+1 changes (673), under 4 KB with the longest address accepted (254).
// daysize_test.go pins these figures. Sharding the day item instead would have split the
// capacity between shards (a shard full while another has seats) or kept a counter anyway.
//
// Each invariant is still one conditional write on one item. The capacity is the counter's
// (booked < capacity, so the last seat goes to one child); a child's seat, its history and its
// change cap are its own item's, set or removed by the write that appends the history entry, so
// history never drifts from the seat. Across the two, the order keeps the children booked never
// above the counter: a booking takes the counter's seat first and gives it back when the child's
// write is refused; a cancellation removes the child's seat first and gives the counter's back
// after. A process stopped between the two (or a write whose answer was lost, which is never
// undone) can only leave the counter above the children booked, never a child booked beyond the
// capacity. Planning and long periods read "full" from the counter; the next booking that finds
// the day full (a parent through the API or a long period, or the town hall for a family), or the
// nightly sweep of the days to come (FreeLostSeats, run by the Retention job), gives the lost
// seat back: once nothing has changed the day for longer than any function runs (20
// minutes; Lambda stops one after 15), no change can be half-way, and the counter is set to the
// children seated by a write conditioned on it being unchanged, so a change starting meanwhile
// makes it give up (see "Free a lost seat" above).
//
// A booking also needs size(history) < reservations.MaxChangesPerDay (10); a cancellation needs
// only the child's seat, so a booked child is never trapped by the cap. A child's history holds
// at most MaxChangesPerDay+1 entries (a booking needs fewer than 10, and two cancellations cannot
// follow each other).
//
// Days stored before this model (the whole day on the counter's key, with bookings and history
// maps) are read as they are: a family's read projects its own children's entries out of them.
// The first booking or cancellation of such a day after the upgrade moves it (migrateDay): one
// UpdateItem per child creating its item from the maps (attribute_not_exists: a move that
// stopped half-way is finished, never doubled), then one UpdateItem removing the maps from the
// counter, conditioned on the count read; the counter's write refuses while the maps are there
// (attribute_not_exists(bookings)), so no new-model change lands beside them. Past days are never
// moved and are read as they are until the retention purges them. A commune upgrading needs no
// script; a change made by a function of the former version during the deploy, on a day already
// moved, lands in maps the next change moves again (a child already moved keeps its item). The
// step is one-way: a former version cannot read a month holding child items (docs/deploy.md,
// "Upgrading and rolling back").
//   - Activity settings and closures, for the reservation rules: one Query per activity partition
//     (ACTIVITY#<activity>, five) and one of CALENDAR/CLOSURE#, read together once a minute.
//   - Calendar feed URL (rules: shared/reservations' feeds.go): GetItem FEED#hash (family and
//     member), then GetItem FAMILY#id/FEED#email (the feed answers while they agree), then the
//     family's Query (while that parent is a member). Starting a feed is three writes: the new
//     FEED# item, the member's pointer, then the deletion of the replaced FEED# item.
//   - Reminders (shared/reminders, run by the Reminder function twice a day), without a scan:
//     Query GSI1 GSI1PK=ENROL#activity for each activity (five queries, paginated: every
//     enrolment with its family id); for each site with days closing in the window, the month
//     of those days (Query PK=DAY#activity#site#yyyy-mm, whole items, shared by every family of
//     the site; eventually consistent, at half the read units: a booking of the last second may
//     be missed, and its parent reminded of a day just booked, as of one booked just after the
//     run); then, only for the families with an unbooked day due, Query PK=FAMILY#id (children,
//     members, bracket) and, per member, Query PK=ACCOUNT#email (the account and its
//     REMINDERS choices in one call). The prices are GetItem ACTIVITY#activity/SITE#site.
//   - Never twice: before sending, a conditional PutItem of the marker REMINDER#email /
//     DEADLINE#instant (attribute_not_exists(PK), or a "claimed" marker whose claimedAt is older
//     than the lease: a run that stopped between claiming and sending); after the send an
//     UpdateItem to "sent" conditioned on the run's own claim; after a failed send a DeleteItem
//     conditioned on the same (the send marker of markers.go, which the closure notices share).
//     Markers expire by TTL (expiresAt) 45 days after their deadline.
//   - Weekly summary: Query GSI1 GSI1PK=REMINDERS#SUMMARY (the parents who asked), then per
//     parent the account partition, the family partition and the months of next week
//     (ReminderDays, each read once per run), and the marker REMINDER#email / WEEK#monday as
//     above.
//   - A parent's reminder choices: Query PK=ACCOUNT#email (with the account); PutItem
//     ACCOUNT#email/REMINDERS to change them; deleting the account deletes them too.
//   - Children enrolled in an activity (reminders): Query GSI1 GSI1PK=ENROL#activity.
//   - Retention (shared/retention, nightly), without a scan: GetItem RETENTION/INDEX (every
//     reservation day before its purgedBefore is purged), Query GSI1 GSI1PK=ACCOUNTS (paged:
//     every account, which CreateAccount puts there), and, only when the first day kept
//     (January 1 of the year the records' retention reaches back to) is past purgedBefore, so
//     one night a year: the activity settings (one Query per ACTIVITY# partition) and, for each
//     activity and site, a Query of each month partition DAY#activity#site#yyyy-mm (keys) from
//     purgedBefore's month to the first day kept's (whole months before it; in its own month
//     the counters before the day, SK < it); once every day found is purged, PutItem
//     RETENTION/INDEX with purgedBefore = the first day kept (conditioned on not moving it
//     back). While RETENTION/INDEX is absent (a new table, or one of a version whose accounts
//     were not in GSI1), the run is the one-time backfill, the only Scan: one Scan of the data
//     table filtered to accounts (SK=ACCOUNT) and to reservation days (PK begins with DAY#: the
//     counters before the first day kept, SK < it, and every child's day, whose day ends its SK
//     and is compared in code, the Scan being billed for what it reads whatever the filter
//     keeps); each account without
//     GSI1PK gets GSI1PK=ACCOUNTS, GSI1SK=its e-mail (UpdateItem, attribute_exists(PK)); the
//     days found are purged and the index written as above. A site whose settings were removed
//     is no longer purged after the backfill. The days purged are deleted month by month
//     (DeleteDays): one Query of each month's children's items (their SK), then a DeleteItem of
//     each of those days' (its SK ends with its day) and of each day's counter; the month is
//     read once for all its days, not once a day. An account's lastLoginAt (written at each sign-in) and warnedAt
//     (the inactivity warning) are fixed-width UTC times (sortableTime) so that the job's
//     conditions compare them as strings: warn with attribute_not_exists(warnedAt) OR warnedAt <
//     the last activity read, delete with warnedAt = the warning read AND no lastLoginAt after
//     it, so a parent who signs in while the job runs is never deleted. An unconfirmed account is
//     deleted only while still unconfirmed with the createdAt read. The deletion is three writes,
//     the account item last: SET deletingAt on that condition (or when a stopped run already set
//     it), then DeleteItem of the family's MEMBER#email, the member's feed and
//     ACCOUNT#email/REMINDERS, then DeleteItem of the account on deletingAt; a run stopped
//     half-way leaves the account with deletingAt, and the next run finishes the deletion.
//   - A parent's data export (shared/export): GetItem ACCOUNT#email, Query PK=FAMILY#id (twice:
//     the member's family, then its enrolments and members), and for each activity and site the
//     family's children are enrolled in, one FamilyDaysOfMonth per month from the enrolment's
//     start to 13 months ahead, projecting only the family's children; then the family's invoices
//     with their payments (Invoices, one Query).
//   - Sessions, tokens, throttles, proofs: GetItem / conditional PutItem or UpdateItem by key.
//
// # Billing (owner: shared/billing; items in billing.go)
//
//   - Invoice run of a month (Billing function): Query each ACTIVITY# partition (prices), Query
//     GSI1 ENROL#activity (child → family), DaysOfMonth per activity and site, Query
//     UNBILLED#month, Query FAMILY#id per family billed; then one conditional PutItem of
//     BILLRUN#month (families in number order, issue and due dates; the first run's wins), one
//     conditional write on INVOICESEQ#year that advances `last` and records claims.<month> =
//     first number (a month claims once), and per family one conditional PutItem of its invoice
//     (attribute_not_exists) and one conditional UpdateItem setting notifiedAt (whoever sets it
//     sends the e-mail; it is removed again if the send fails). The run item holds the family
//     ids as one list: about 15 bytes each, so up to some 25,000 families a month.
//   - An invoice stores neither its number, its family nor its month (its SK, PK and GSI1PK say
//     them) and its lines have short names (c the child, n the child's first name, a the
//     activity, s the site, sn the site's name, d the days, u the day's price and t the line's
//     amount, in cents): a family keeps ten a year for ten years, and one of two children at two
//     activities weighs 643 bytes instead of 895. Invoices written before (number, familyId and
//     month stored, lines with long names) are read as they are.
//   - A family's invoices: Query PK=FAMILY#id, SK begins_with INVOICE# (newest = highest number);
//     one invoice: GetItem FAMILY#id / INVOICE#number, so another family's number is not found.
//     Family (the household read) leaves them out.
//   - Start a payment: PutItem PAYMENT#idOp (attribute_not_exists: an idOp is used once) with
//     GSI1PK PAYPENDING, then UpdateItem lastIdOp on the invoice.
//   - Apply a payment (webhook, reconciliation, return page): one UpdateItem of the invoice
//     `SET payments.#idOp = :p, paidIdOp = if_not_exists(paidIdOp, :idOp)` if
//     `attribute_not_exists(payments.#idOp)`: replays and concurrent notifications apply it once;
//     the first payment settles the invoice, a later one stays beside it as an overpayment, also
//     listed under OVERPAYMENT for the town hall. Then the attempt's state is set, if pending,
//     and GSI1PK/GSI1SK removed.
//   - Attempts to reconcile: Query GSI1 GSI1PK=PAYPENDING AND GSI1SK >= now-24h (sparse index).
//   - The billing desk (functions/gestion): a month's invoices, Query GSI1 GSI1PK=INVOICES#month
//     (every invoice carries it from its creation; paginated); the payments listed are those of
//     these invoices. A payment received at the counter: one UpdateItem of the invoice
//     `SET payments.#key = :p, paidIdOp = :key` if `attribute_not_exists(payments.#key) AND
//     attribute_not_exists(paidIdOp)`, the key being guichet.<the form's random token>: the same
//     form submitted twice records one payment, and an invoice paid meanwhile (online or at
//     another counter) is refused, never paid twice. A payment record holds amountCents, at, and
//     for the counter method (especes, cheque, cesu), reference and by (the staff member).
//   - Overpayments to refund: Query PK=OVERPAYMENT; marking one refunded is one UpdateItem
//     SET refundedAt, refundedBy, refundNote if attribute_not_exists(refundedAt).
//
// # Back-office (owners: shared/staff, shared/registry, shared/headcount, shared/townhall; functions/gestion)
//
//   - Staff login: GetItem STAFF#email; a staff session is PutItem STAFFSESSION#hash (immutable:
//     the second factor writes a new, verified session and deletes the pending one). Failed
//     passwords and codes count on THROTTLE#staff-login#<sha256(email)> and
//     THROTTLE#staff-code#<session hash>.
//   - Enrol the second factor: one UpdateItem on STAFF#email conditioned on the session stamp
//     and attribute_not_exists(totpSecret); each later code: one UpdateItem conditioned on
//     totpStep < :step (a code is accepted once), which also rewrites a secret still stored in
//     clear in its sealed form (totpSecret "v1:…", AES-GCM, see staff.SecretBox). A complete
//     login: UpdateItem SET lastLoginAt (the staff page).
//   - List staff: Query GSI1 GSI1PK=STAFF. Journal of a month: Query PK=AUDIT#yyyy-mm,
//     newest first (ScanIndexForward false); each action is one PutItem.
//   - List families: Query GSI1 GSI1PK=FAMILIES (the family item carries GSI1PK/GSI1SK).
//   - Issue a code: PutItem CODE#code with attribute_not_exists(PK). Reissue: UpdateItem
//     revoked=true on the old CODE item, PutItem of the new one, then UpdateItem of the family's
//     subscriberCode conditioned on the old value (three writes; see shared/registry's doc for
//     why each order is safe).
//   - Edit a family: UpdateItem of name, bracket, nonResident (never the code). Remove a linked
//     parent: DeleteItem FAMILY#id/MEMBER#email. A child: PutItem FAMILY#id/CHILD#childId. An
//     enrolment (enrol, move site, end): PutItem FAMILY#id/ENROL#childId#activity.
//   - Headcounts (shared/headcount): per activity and site, Query PK=DAY#activity#site#yyyy-mm
//     (DaysOfMonth); which family each booked child belongs to: Query GSI1 ENROL#activity
//     (ChildFamilies); then Query PK=FAMILY#id once per family with a booked child (diet, PAI).
//   - Close a day (shared/townhall): PutItem CALENDAR/CLOSURE#day (label, activities and sites
//     closed, each list absent for "all"); Query ACTIVITY# (the sites); per activity and site
//     closed, GetItem of the day item (whole) and, for each child booked,
//     the parents' own cancellation (one conditional UpdateItem); Query GSI1 ENROL#activity
//     (child → family); per child cancelled a conditional PutItem UNBILLED#month /
//     day#activity#site#child; per family and activity a conditional PutItem of NOTICE#day /
//     family#activity (absent, or claimed past the lease) before the e-mail, then UpdateItem
//     state=sent conditioned on the claim (DeleteItem on the same condition when the send
//     failed): the reminders' send marker; Query FAMILY#id for the family's name, children and members. Reopen: DeleteItem
//     CALENDAR/CLOSURE#day, Query UNBILLED#month and DeleteItem of each mark the closure made
//     (conditioned on its reason).
//   - Activity settings (shared/townhall): Query each ACTIVITY# partition, PutItem
//     ACTIVITY#activity / SITE#site with the new settings.
//   - "Nous contacter" (shared/messages; Portal, Account, Gestion): a new thread is PutItem
//     THREAD#id (attribute_not_exists) holding its messages in a map keyed by a random id, then,
//     written signed in, PutItem ACCOUNT#email/THREAD#id (Mes messages). A message (the parent's
//     reply, the town hall's answer) is one UpdateItem SET messages.#id, updatedAt, GSI1SK if
//     attribute_not_exists(messages.#id) AND size(messages) < 40: a double submit adds it once,
//     and a thread stays far below the item size limit (40 × 4,000 characters). Staff list every
//     thread with Query GSI1 GSI1PK=THREADS (newest activity first); a parent's: Query
//     PK=ACCOUNT#email, SK begins_with THREAD#, then GetItem THREAD#id each, kept only while its
//     account is that parent. The account partition's other readers skip these items.
//     Retention (shared/retention, MessagesMonths after the last message): Query GSI1
//     GSI1PK=THREADS, GSI1SK < the oldest last activity kept, then per thread DeleteItem THREAD#id
//     conditioned on the GSI1SK read (a message arriving meanwhile keeps it) and DeleteItem of
//     the account's ACCOUNT#email / THREAD#id pointer.
//   - School years the town hall loaded (shared/townhall; read by the reservation rules with
//     the closures, reservations.HolidayStore): Query CALENDAR, SK begins_with SCHOOLYEAR#. Load a
//     year: one PutItem of CALENDAR / SCHOOLYEAR#yyyy conditioned on attribute_not_exists(PK) for
//     the first load, else on version = the version the preview read.
//   - A family's days for staff (shared/townhall): Query PK=FAMILY#id (household), per
//     enrolment the month's FamilyDaysOfMonth, Query UNBILLED#month, Query FAMILYLOG#id
//     (newest first). A change for the family: the parents' conditional UpdateItem of the day
//     (BookDay / CancelDay, the deadline aside), or for a justified absence GetItem of the day
//     then a conditional PutItem UNBILLED#month / day#activity#site#child; then PutItem
//     FAMILYLOG#id / <time>#<id> (who, when, what, reason) and the journal's AUDIT# item.
//   - CSV import: reads every family (Query PK=FAMILY#id) and code (GetItem) it names, then
//     PutItem of each CODE, FAMILY and CHILD item with keys derived from the file.
package store
