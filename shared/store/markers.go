package store

import (
	"context"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A send marker makes one e-mail go once, however many runs or saves try to send it: the one
// that claims the marker sends, then sets it sent; a failed send deletes it so that the next try
// sends it. A claim that is never followed by "sent" (a process stopped mid-way) may be taken
// over once its lease is over. The reminder markers (REMINDER#) and the closure notices
// (NOTICE#) are such markers; each write is conditioned on the claim, so a run that lost its
// marker to another changes nothing.
type markerItem struct {
	PK, SK    string
	State     string `dynamodbav:"state"` // "claimed" (being sent) or "sent"
	Claim     string `dynamodbav:"claim"`
	ClaimedAt int64  `dynamodbav:"claimedAt"` // Unix ms
	SentAt    int64  `dynamodbav:"sentAt,omitempty"`
	ExpiresAt int64  `dynamodbav:"expiresAt,omitempty"` // TTL, in the session table only
}

// claimMarker writes it, claimed, with one conditional PutItem: the marker must be absent, or
// claimed (not sent) before staleBefore. It reports false when another holds it or it was sent.
func (s *Store) claimMarker(ctx context.Context, table string, it markerItem, staleBefore time.Time) (bool, error) {
	it.State = "claimed"
	av, err := marshal(it)
	if err != nil {
		return false, err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                &table,
		Item:                     av,
		ConditionExpression:      aws.String("attribute_not_exists(PK) OR (#state = :claimed AND claimedAt < :stale)"),
		ExpressionAttributeNames: map[string]string{"#state": "state"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":claimed": avS("claimed"),
			":stale":   &types.AttributeValueMemberN{Value: strconv.FormatInt(staleBefore.UnixMilli(), 10)},
		},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	return err == nil, err
}

// markerSent sets the marker pk/sk sent at now if claim still holds it; held is false when it
// does not (taken over by another run).
func (s *Store) markerSent(ctx context.Context, table, pk, sk, claim string, now time.Time) (held bool, err error) {
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                &table,
		Key:                      key(pk, sk),
		UpdateExpression:         aws.String("SET #state = :sent, sentAt = :now"),
		ConditionExpression:      aws.String("claim = :claim"),
		ExpressionAttributeNames: map[string]string{"#state": "state"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":sent":  avS("sent"),
			":now":   &types.AttributeValueMemberN{Value: strconv.FormatInt(now.UnixMilli(), 10)},
			":claim": avS(claim),
		},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	return err == nil, err
}

// releaseMarker deletes the marker pk/sk if claim still holds it unsent (a failed send), so the
// next try sends it; a marker taken over or sent meanwhile is left alone.
func (s *Store) releaseMarker(ctx context.Context, table, pk, sk, claim string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                &table,
		Key:                      key(pk, sk),
		ConditionExpression:      aws.String("claim = :claim AND #state = :claimed"),
		ExpressionAttributeNames: map[string]string{"#state": "state"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":claim":   avS(claim),
			":claimed": avS("claimed"),
		},
	})
	if isConditionFailed(err) {
		return nil
	}
	return err
}
