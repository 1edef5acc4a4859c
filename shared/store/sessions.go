package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/preau/preau/shared/accounts"
)

// sessionItem is SESSION#<sha256(token)> / SESSION in the session table.
type sessionItem struct {
	PK, SK    string
	Email     string `dynamodbav:"email"`
	Stamp     string `dynamodbav:"stamp"`
	CreatedAt string `dynamodbav:"createdAt"`
	ExpiresAt int64  `dynamodbav:"expiresAt"` // epoch seconds, TTL
}

func marshal(item any) (map[string]types.AttributeValue, error) {
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return av, nil
}

// PutSession stores a new session.
func (st *Store) PutSession(ctx context.Context, ss accounts.Session) error {
	err := st.put(ctx, st.tables.Session, sessionItem{PK: sessionPK(ss.Hash), SK: skSession, Email: ss.Email, Stamp: ss.Stamp,
		CreatedAt: timeText(ss.CreatedAt), ExpiresAt: ss.ExpiresAt.Unix()})
	if err != nil {
		return fmt.Errorf("put session: %w", err)
	}
	return nil
}

// Session reads a session by the hash of its token; accounts.ErrNotFound when absent. The
// caller checks ExpiresAt (TTL deletion is lazy).
func (st *Store) Session(ctx context.Context, hash string) (accounts.Session, error) {
	var it sessionItem
	if err := st.get(ctx, st.tables.Session, sessionPK(hash), skSession, &it); err != nil {
		return accounts.Session{}, notFound(err)
	}
	return accounts.Session{Hash: hash, Email: it.Email, Stamp: it.Stamp, CreatedAt: parseTime(it.CreatedAt),
		ExpiresAt: time.Unix(it.ExpiresAt, 0)}, nil
}

// DeleteSession ends a session (idempotent).
func (st *Store) DeleteSession(ctx context.Context, hash string) error {
	_, err := st.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &st.tables.Session, Key: key(sessionPK(hash), skSession)})
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}
