package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// throttleItem is THROTTLE#<scope>#<key> / <window start> in the session table: how many
// attempts (logins, e-mails sent, codes tried…) fell in one fixed window.
type throttleItem struct {
	PK, SK    string
	Count     int   `dynamodbav:"count"`
	ExpiresAt int64 `dynamodbav:"expiresAt"`
}

func windowSK(window time.Time) string { return window.UTC().Format(time.RFC3339) }

// TakeAttempt adds one to the window's counter provided it is below max, in one conditional
// UpdateItem: however many requests race, the counter never passes max, and false (nothing
// written) says the limit is reached.
func (st *Store) TakeAttempt(ctx context.Context, scope, k string, max int, window, expires time.Time) (bool, error) {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                &st.tables.Session,
		Key:                      key(throttlePK(scope, k), windowSK(window)),
		UpdateExpression:         aws.String("ADD #count :one SET expiresAt = :exp"),
		ConditionExpression:      aws.String("attribute_not_exists(#count) OR #count < :max"),
		ExpressionAttributeNames: map[string]string{"#count": "count"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one": &types.AttributeValueMemberN{Value: "1"},
			":max": &types.AttributeValueMemberN{Value: strconv.Itoa(max)},
			":exp": &types.AttributeValueMemberN{Value: strconv.FormatInt(expires.Unix(), 10)},
		},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("take attempt: %w", err)
	}
	return true, nil
}

// Attempts returns the count (the back-office's staff logins read it before checking) of scope/key in the window starting at window (0 when none).
func (st *Store) Attempts(ctx context.Context, scope, k string, window time.Time) (int, error) {
	var it throttleItem
	if _, err := st.lookup(ctx, st.tables.Session, throttlePK(scope, k), windowSK(window), &it); err != nil {
		return 0, fmt.Errorf("attempts: %w", err)
	}
	return it.Count, nil
}

// AddAttempt adds one to the window's counter (ADD: concurrent failures all count) and
// returns the new count.
func (st *Store) AddAttempt(ctx context.Context, scope, k string, window, expires time.Time) (int, error) {
	out, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &st.tables.Session,
		Key:                       key(throttlePK(scope, k), windowSK(window)),
		UpdateExpression:          aws.String("ADD #count :one SET expiresAt = :exp"),
		ExpressionAttributeNames:  map[string]string{"#count": "count"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}, ":exp": &types.AttributeValueMemberN{Value: strconv.FormatInt(expires.Unix(), 10)}},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return 0, fmt.Errorf("add attempt: %w", err)
	}
	n, ok := out.Attributes["count"].(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("add attempt: no count returned")
	}
	c, err := strconv.Atoi(n.Value)
	if err != nil {
		return 0, fmt.Errorf("add attempt: %w", err)
	}
	return c, nil
}
