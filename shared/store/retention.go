package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
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

// RetentionScan reads, in one Scan of the data table, every account (what retention decides
// on) and the reservation days before keptFrom (to purge). It is the Retention job's nightly
// read; nothing else scans.
func (st *Store) RetentionScan(ctx context.Context, keptFrom date.Date) ([]retention.Account, []reservations.Slot, error) {
	in := &dynamodb.ScanInput{
		TableName: &st.tables.Data,
		FilterExpression: aws.String("SK = :account OR (begins_with(PK, :day) AND (SK < :kept OR " +
			"(begins_with(SK, :child) AND #day < :kept)))"),
		ProjectionExpression: aws.String("PK, SK, email, civility, lastName, firstName, createdAt, confirmedAt, " +
			"lastLoginAt, warnedAt, activity, site, #day"),
		ExpressionAttributeNames: map[string]string{"#day": "day"},
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
			var it struct {
				PK, SK    string
				Email     string `dynamodbav:"email"`
				Civility  string `dynamodbav:"civility"`
				LastName  string `dynamodbav:"lastName"`
				FirstName string `dynamodbav:"firstName"`
				Activity  string `dynamodbav:"activity"`
				Site      string `dynamodbav:"site"`
				Day       string `dynamodbav:"day"`
			}
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return nil, nil, fmt.Errorf("retention scan: decode: %w", err)
			}
			if it.SK == skAccount {
				accs = append(accs, retention.Account{Email: it.Email, Civility: it.Civility, LastName: it.LastName,
					FirstName: it.FirstName, CreatedAt: parseTime(attr(av, "createdAt")), ConfirmedAt: parseTime(attr(av, "confirmedAt")),
					LastLoginAt: parseTime(attr(av, "lastLoginAt")), WarnedAt: parseTime(attr(av, "warnedAt"))})
				continue
			}
			when := it.SK
			if strings.HasPrefix(it.SK, childPrefix) {
				when = it.Day // a child's day: its day's slot, deleted whole
			}
			d, err := date.Parse(when)
			if err != nil || !strings.HasPrefix(it.PK, "DAY#") {
				continue
			}
			a, site := calendar.Activity(it.Activity), it.Site
			if a == "" || site == "" {
				// DAY#<activity>#<site>#<yyyy-mm>: activities and sites hold no '#'.
				parts := strings.Split(it.PK, "#")
				if len(parts) != 4 {
					continue
				}
				a, site = calendar.Activity(parts[1]), parts[2]
			}
			if sl := (reservations.Slot{Activity: a, Site: site, Day: d}); !seen[sl] {
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

// DeleteDay deletes a reservation day whose records are past their retention: its children's
// items (found by one Query of the month's child items, filtered to the day), then its counter
// (idempotent).
func (st *Store) DeleteDay(ctx context.Context, sl reservations.Slot) error {
	pk := dayPK(sl.Activity, sl.Site, sl.Day)
	items, err := st.queryAll(ctx, &dynamodb.QueryInput{
		TableName:                 &st.tables.Data,
		KeyConditionExpression:    aws.String("PK = :pk AND begins_with(SK, :child)"),
		FilterExpression:          aws.String("#day = :d"),
		ProjectionExpression:      aws.String("SK"),
		ExpressionAttributeNames:  map[string]string{"#day": "day"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(pk), ":child": s(childPrefix), ":d": s(sl.Day.String())},
	})
	if err != nil {
		return fmt.Errorf("delete day %s: %w", sl.Day, err)
	}
	for _, it := range items {
		if err := st.deleteItem(ctx, pk, attr(it, "SK")); err != nil {
			return err
		}
	}
	return st.deleteItem(ctx, pk, daySK(sl.Day))
}
