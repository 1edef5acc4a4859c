package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/preau/preau/shared/accounts"
)

// tokenItem is TOKEN#<sha256(secret)> / TOKEN in the session table: a one-time link.
type tokenItem struct {
	PK, SK     string
	Purpose    string `dynamodbav:"purpose"`
	Email      string `dynamodbav:"email"`
	CreatedAt  string `dynamodbav:"createdAt"`
	ValidUntil int64  `dynamodbav:"validUntil"`       // epoch seconds: the link works until then
	UsedAt     string `dynamodbav:"usedAt,omitempty"` // set once, conditionally
	Stamp      string `dynamodbav:"stamp,omitempty"`  // the account's session stamp when made
	ExpiresAt  int64  `dynamodbav:"expiresAt"`        // epoch seconds, TTL (kept a while after validUntil)
}

// PutToken stores a new one-time link.
func (st *Store) PutToken(ctx context.Context, t accounts.Token) error {
	err := st.put(ctx, st.tables.Session, tokenItem{PK: tokenPK(t.Hash), SK: skToken, Purpose: string(t.Purpose), Email: t.Email, Stamp: t.Stamp,
		CreatedAt: timeText(t.CreatedAt), ValidUntil: t.ValidUntil.Unix(), UsedAt: timeText(t.UsedAt), ExpiresAt: t.ExpiresAt.Unix()})
	if err != nil {
		return fmt.Errorf("put token: %w", err)
	}
	return nil
}

// Token reads a one-time link by hash; accounts.ErrNotFound when absent.
func (st *Store) Token(ctx context.Context, hash string) (accounts.Token, error) {
	var it tokenItem
	if err := st.get(ctx, st.tables.Session, tokenPK(hash), skToken, &it); err != nil {
		return accounts.Token{}, notFound(err)
	}
	return accounts.Token{Hash: hash, Purpose: accounts.Purpose(it.Purpose), Email: it.Email, Stamp: it.Stamp, CreatedAt: parseTime(it.CreatedAt),
		ValidUntil: time.Unix(it.ValidUntil, 0), UsedAt: parseTime(it.UsedAt), ExpiresAt: time.Unix(it.ExpiresAt, 0)}, nil
}

// UseToken marks a link used, once: accounts.ErrSpent when it already was (or is gone). The
// item stays until its expiry so that "already used" can be told from "unknown".
func (st *Store) UseToken(ctx context.Context, hash string, at time.Time) error {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &st.tables.Session,
		Key:                       key(tokenPK(hash), skToken),
		UpdateExpression:          aws.String("SET usedAt = :t"),
		ConditionExpression:       aws.String("attribute_exists(PK) AND attribute_not_exists(usedAt)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": s(timeText(at))},
	})
	if isConditionFailed(err) {
		return accounts.ErrSpent
	}
	if err != nil {
		return fmt.Errorf("use token: %w", err)
	}
	return nil
}
