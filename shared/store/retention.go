package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/retention"
)

// sortableTime is how lastLoginAt and warnedAt are written: fixed width in UTC, so that the
// conditions of the Retention job's writes compare them as strings in time order (RFC 3339
// with trimmed fractions does not sort: "…05Z" > "…05.5Z").
const sortableTime = "2006-01-02T15:04:05.000Z"

func sortable(t time.Time) string { return t.UTC().Format(sortableTime) }

// RecordLogin notes the account's last sign-in (the Retention job's measure of activity).
func (st *Store) RecordLogin(ctx context.Context, email string, at time.Time) error {
	return st.updateAccount(ctx, email, "SET lastLoginAt = :t", nil, map[string]types.AttributeValue{":t": s(sortable(at))})
}

// RetentionRead reads what the Retention job decides on: every account, from GSI1
// (GSI1PK = ACCOUNTS), and the reservation days before keptFrom not purged yet, by Query of
// the month partitions known by their key (DAY#<activity>#<site>#<yyyy-mm>, for each activity
// and site of the activity settings) from the retention index's first day not purged to
// keptFrom. Nothing is read when every day before keptFrom is purged already, which is every
// night but the first of a year.
//
// Before the index exists (a table of an earlier version, whose accounts are not in GSI1, or a
// new table) it is the one-time backfill: one Scan of the table reads every account and every
// day before keptFrom, and puts each account lacking them in GSI1. RetentionPurged then
// writes the index, and later runs never scan.
func (st *Store) RetentionRead(ctx context.Context, keptFrom date.Date) ([]retention.Account, []reservations.Slot, error) {
	var idx retentionIndexItem
	err := st.get(ctx, st.tables.Data, pkRetention, skRetentionIndex, &idx)
	if isNotFound(err) {
		return st.retentionBackfill(ctx, keptFrom)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("retention index: %w", err)
	}
	purged, err := date.Parse(idx.PurgedBefore)
	if err != nil {
		return nil, nil, fmt.Errorf("retention index: %w", err)
	}
	accs, err := st.retentionAccounts(ctx)
	if err != nil {
		return nil, nil, err
	}
	days, err := st.retentionDays(ctx, purged, keptFrom)
	if err != nil {
		return nil, nil, err
	}
	return accs, days, nil
}

// RetentionPurged records that every reservation day before keptFrom is purged (the job calls
// it once each day RetentionRead returned is deleted): the next runs read from there. The
// index never moves back (a run with an earlier keptFrom leaves it).
func (st *Store) RetentionPurged(ctx context.Context, keptFrom date.Date) error {
	_, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &st.tables.Data,
		Item: map[string]types.AttributeValue{"PK": s(pkRetention), "SK": s(skRetentionIndex),
			"purgedBefore": s(keptFrom.String())},
		ConditionExpression:       aws.String("attribute_not_exists(PK) OR purgedBefore <= :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(keptFrom.String())},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("retention index: %w", err)
	}
	return nil
}

// retentionIndexItem is RETENTION/INDEX: every reservation day before purgedBefore is purged,
// and every account is in GSI1 (its presence says the backfill is done).
type retentionIndexItem struct {
	PurgedBefore string `dynamodbav:"purgedBefore"`
}

// retentionProjection is what the job reads of an account or a day (a day's keys say it all).
const retentionProjection = "PK, SK, email, civility, lastName, firstName, createdAt, confirmedAt, " +
	"lastLoginAt, warnedAt"

// retentionAccounts Queries GSI1 ACCOUNTS, paged: every account, as the job decides on it.
func (st *Store) retentionAccounts(ctx context.Context) ([]retention.Account, error) {
	items, err := st.queryAll(ctx, &dynamodb.QueryInput{
		TableName:                 &st.tables.Data,
		IndexName:                 aws.String("GSI1"),
		KeyConditionExpression:    aws.String("GSI1PK = :pk"),
		ProjectionExpression:      aws.String(retentionProjection),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(gsiAccounts)},
	})
	if err != nil {
		return nil, fmt.Errorf("retention accounts: %w", err)
	}
	accs := make([]retention.Account, 0, len(items))
	for _, av := range items {
		if attr(av, "SK") == skAccount {
			accs = append(accs, retentionAccount(av))
		}
	}
	return accs, nil
}

// retentionDays Queries the month partitions of every activity and site holding days from
// purged (the first day not purged) to keptFrom (the first day kept): whole months before
// keptFrom's, and in keptFrom's month the counters before it (a child's item of that month
// without its counter, which no write leaves, would be found when the month is whole).
func (st *Store) retentionDays(ctx context.Context, purged, keptFrom date.Date) ([]reservations.Slot, error) {
	if !purged.Before(keptFrom) {
		return nil, nil
	}
	settings, err := st.Activities(ctx)
	if err != nil {
		return nil, fmt.Errorf("retention days: %w", err)
	}
	var days []reservations.Slot
	seen := map[reservations.Slot]bool{}
	last := keptFrom.FirstOfMonth()
	for _, set := range settings {
		for m := purged.FirstOfMonth(); !last.Before(m); m = m.AddMonths(1) {
			q := &dynamodb.QueryInput{
				TableName:                 &st.tables.Data,
				KeyConditionExpression:    aws.String("PK = :pk"),
				ProjectionExpression:      aws.String("PK, SK"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(dayPK(set.Activity, set.Site, m))},
			}
			if m.Compare(last) == 0 {
				if keptFrom.Compare(last) == 0 {
					continue // nothing of keptFrom's month is due
				}
				q.KeyConditionExpression = aws.String("PK = :pk AND SK < :kept") // the counters, before "CHILD#"
				q.ExpressionAttributeValues[":kept"] = s(keptFrom.String())
			}
			items, err := st.queryAll(ctx, q)
			if err != nil {
				return nil, fmt.Errorf("retention days: %w", err)
			}
			for _, av := range items {
				if sl, ok := retentionSlot(av); ok && sl.Day.Before(keptFrom) && !seen[sl] {
					seen[sl] = true
					days = append(days, sl)
				}
			}
		}
	}
	return days, nil
}

// retentionBackfill is the first run's read: one Scan of the data table for every account and
// every reservation day before keptFrom; each account not yet in GSI1 is put there (accounts
// created by an earlier version), so that later runs Query it. A child's day says its day in
// its SK's end, which a filter cannot compare: every child's day is returned and compared
// here (a Scan is billed for what it reads, whatever the filter keeps).
func (st *Store) retentionBackfill(ctx context.Context, keptFrom date.Date) ([]retention.Account, []reservations.Slot, error) {
	in := &dynamodb.ScanInput{
		TableName:            &st.tables.Data,
		FilterExpression:     aws.String("SK = :account OR (begins_with(PK, :day) AND (SK < :kept OR begins_with(SK, :child)))"),
		ProjectionExpression: aws.String(retentionProjection + ", GSI1PK"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":account": s(skAccount), ":day": s("DAY#"), ":kept": s(keptFrom.String()), ":child": s(childPrefix)},
	}
	var accs []retention.Account
	var days []reservations.Slot
	seen := map[reservations.Slot]bool{}
	for { // paged by hand, as queryAll
		page, err := st.db.Scan(ctx, in)
		if err != nil {
			return nil, nil, fmt.Errorf("retention scan: %w", err)
		}
		for _, av := range page.Items {
			if attr(av, "SK") == skAccount && strings.HasPrefix(attr(av, "PK"), "ACCOUNT#") {
				a := retentionAccount(av)
				if attr(av, "GSI1PK") != gsiAccounts {
					if err := st.indexAccount(ctx, a.Email); err != nil {
						return nil, nil, err
					}
				}
				accs = append(accs, a)
				continue
			}
			if sl, ok := retentionSlot(av); ok && sl.Day.Before(keptFrom) && !seen[sl] {
				seen[sl] = true
				days = append(days, sl)
			}
		}
		if len(page.LastEvaluatedKey) == 0 {
			return accs, days, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

// indexAccount puts an account created by an earlier version in GSI1 (ACCOUNTS / its e-mail),
// as CreateAccount does now; an account deleted meanwhile is left alone.
func (st *Store) indexAccount(ctx context.Context, email string) error {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &st.tables.Data,
		Key:                       key(accountPK(email), skAccount),
		UpdateExpression:          aws.String("SET GSI1PK = :pk, GSI1SK = :sk"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(gsiAccounts), ":sk": s(email)},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("retention: index account: %w", err)
	}
	return nil
}

func retentionAccount(av map[string]types.AttributeValue) retention.Account {
	return retention.Account{Email: attr(av, "email"), Civility: attr(av, "civility"), LastName: attr(av, "lastName"),
		FirstName: attr(av, "firstName"), CreatedAt: parseTime(attr(av, "createdAt")), ConfirmedAt: parseTime(attr(av, "confirmedAt")),
		LastLoginAt: parseTime(attr(av, "lastLoginAt")), WarnedAt: parseTime(attr(av, "warnedAt"))}
}

// retentionSlot is the reservation day an item of a DAY# partition belongs to, from its keys:
// a counter's SK is its day, a child's day's SK ends with it (the day's slot is deleted whole).
func retentionSlot(av map[string]types.AttributeValue) (reservations.Slot, bool) {
	pk, sk := attr(av, "PK"), attr(av, "SK")
	// DAY#<activity>#<site>#<yyyy-mm>: activities and sites hold no '#'.
	parts := strings.Split(pk, "#")
	if len(parts) != 4 || parts[0] != "DAY" {
		return reservations.Slot{}, false
	}
	d, err := date.Parse(sk)
	if strings.HasPrefix(sk, childPrefix) {
		var ok bool
		if _, d, ok = childDayOf(sk); !ok {
			return reservations.Slot{}, false
		}
		err = nil
	}
	if err != nil {
		return reservations.Slot{}, false
	}
	return reservations.Slot{Activity: calendar.Activity(parts[1]), Site: parts[2], Day: d}, true
}

func attr(av map[string]types.AttributeValue, name string) string {
	if v, ok := av[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// MarkWarned records that the inactivity warning is sent at, provided the account is not
// warned since its last activity and nobody signed in after it (retention.ErrChanged otherwise).
func (st *Store) MarkWarned(ctx context.Context, email string, at, lastActivity time.Time) error {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        &st.tables.Data,
		Key:              key(accountPK(email), skAccount),
		UpdateExpression: aws.String("SET warnedAt = :at"),
		ConditionExpression: aws.String("attribute_exists(PK) AND (attribute_not_exists(warnedAt) OR warnedAt < :last) " +
			"AND (attribute_not_exists(lastLoginAt) OR lastLoginAt <= :last)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": s(sortable(at)), ":last": s(sortable(lastActivity))},
	})
	if isConditionFailed(err) {
		return retention.ErrChanged
	}
	if err != nil {
		return fmt.Errorf("mark warned: %w", err)
	}
	return nil
}

// UnmarkWarned takes back a warning whose e-mail could not be sent (idempotent).
func (st *Store) UnmarkWarned(ctx context.Context, email string, at time.Time) error {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &st.tables.Data,
		Key:                       key(accountPK(email), skAccount),
		UpdateExpression:          aws.String("REMOVE warnedAt"),
		ConditionExpression:       aws.String("warnedAt = :at"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": s(sortable(at))},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("unmark warned: %w", err)
	}
	return nil
}

// DeleteInactiveAccount deletes the account warned at warnedAt provided nobody signed in since
// (retention.ErrChanged otherwise), then its membership of the family and its calendar feed.
func (st *Store) DeleteInactiveAccount(ctx context.Context, email string, warnedAt time.Time) error {
	return st.deleteAccountIf(ctx, email, "warnedAt = :w AND (attribute_not_exists(lastLoginAt) OR lastLoginAt < :w)",
		map[string]types.AttributeValue{":w": s(sortable(warnedAt))})
}

// DeleteUnconfirmedAccount deletes the account created at createdAt provided it is still not
// confirmed (retention.ErrChanged otherwise).
func (st *Store) DeleteUnconfirmedAccount(ctx context.Context, email string, createdAt time.Time) error {
	return st.deleteAccountIf(ctx, email, "attribute_not_exists(confirmedAt) AND createdAt = :c",
		map[string]types.AttributeValue{":c": s(timeText(createdAt))})
}

// deleteAccountIf deletes an account in three writes, the account item last, so that a run
// stopped half-way leaves nothing behind that no later run would find:
//
//  1. the decision: deletingAt is set on the account if cond still holds (or a run stopped
//     after this step already decided: the deletion then goes on, even if the parent signed in
//     since);
//  2. the family membership, the calendar feed and the reminder choices are removed
//     (idempotent);
//  3. the account item is deleted, on condition that it is still the one decided on.
//
// A run that stops after 1 or 2 leaves the account with deletingAt, which the next run decides
// to delete again (its warning and last activity have not changed) and finishes.
func (st *Store) deleteAccountIf(ctx context.Context, email, cond string, values map[string]types.AttributeValue) error {
	values[":deleting"] = s(sortable(time.Now()))
	out, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &st.tables.Data,
		Key:                       key(accountPK(email), skAccount),
		UpdateExpression:          aws.String("SET deletingAt = if_not_exists(deletingAt, :deleting)"),
		ConditionExpression:       aws.String("attribute_exists(PK) AND ((" + cond + ") OR attribute_exists(deletingAt))"),
		ExpressionAttributeValues: values,
		ReturnValues:              types.ReturnValueAllNew,
	})
	if isConditionFailed(err) {
		return retention.ErrChanged
	}
	if err != nil {
		return fmt.Errorf("delete account: %w", err)
	}
	if fam := attr(out.Attributes, "familyId"); fam != "" {
		if err := st.RemoveMember(ctx, fam, email); err != nil {
			return err
		}
		if err := st.RevokeMemberFeed(ctx, fam, email); err != nil {
			return err
		}
	}
	if err := st.deleteReminderPreferences(ctx, email); err != nil {
		return err
	}
	_, err = st.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 &st.tables.Data,
		Key:                       key(accountPK(email), skAccount),
		ConditionExpression:       aws.String("deletingAt = :deleting"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":deleting": out.Attributes["deletingAt"]},
	})
	if err != nil && !isConditionFailed(err) { // gone already: another run finished it
		return fmt.Errorf("delete account: %w", err)
	}
	return nil
}

// DeleteDays deletes reservation days whose records are past their retention, month by month:
// one Query of the month partition's children's items (their SK), a DeleteItem of each child's
// item of those days (its SK ends with its day), then of each day's counter (idempotent). A
// month read once for all its days, not once a day: at a site of 400 children, a month's
// children's items weigh some 2 MB. It returns how many days it deleted; a month that fails is
// left for the next run, the others go on.
func (st *Store) DeleteDays(ctx context.Context, days []reservations.Slot) (int, error) {
	byMonth := map[string][]reservations.Slot{}
	var months []string
	for _, sl := range days {
		pk := dayPK(sl.Activity, sl.Site, sl.Day)
		if _, seen := byMonth[pk]; !seen {
			months = append(months, pk)
		}
		byMonth[pk] = append(byMonth[pk], sl)
	}
	deleted := 0
	var errs []error
	for _, pk := range months {
		n, err := st.deleteMonthDays(ctx, pk, byMonth[pk])
		deleted += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	return deleted, errors.Join(errs...)
}

// deleteMonthDays deletes days, all of month partition pk, and says how many it deleted whole.
func (st *Store) deleteMonthDays(ctx context.Context, pk string, days []reservations.Slot) (int, error) {
	items, err := st.queryAll(ctx, &dynamodb.QueryInput{
		TableName:                 &st.tables.Data,
		KeyConditionExpression:    aws.String("PK = :pk AND begins_with(SK, :child)"),
		ProjectionExpression:      aws.String("SK"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(pk), ":child": s(childPrefix)},
	})
	if err != nil {
		return 0, fmt.Errorf("delete days of %s: %w", pk, err)
	}
	due := map[string]bool{}
	for _, sl := range days {
		due[sl.Day.String()] = true
	}
	for _, it := range items {
		if _, d, ok := childDayOf(attr(it, "SK")); ok && due[d.String()] {
			if err := st.deleteItem(ctx, pk, attr(it, "SK")); err != nil {
				return 0, err
			}
		}
	}
	for i, sl := range days {
		if err := st.deleteItem(ctx, pk, daySK(sl.Day)); err != nil {
			return i, err
		}
	}
	return len(days), nil
}
