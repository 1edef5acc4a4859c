package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Tables names the two tables of the stack (DATA_TABLE and SESSION_TABLE).
type Tables struct {
	Data    string
	Session string
}

// Store reads and writes Préau's items.
type Store struct {
	db     operations
	tables Tables
}

// operations are the DynamoDB calls the store makes, held as the client's method values and
// never as the client itself: a Store is held in interfaces everywhere, and the pages' templates
// call methods by name, so the linker keeps every exported method of any type reachable from an
// interface. Held as a *dynamodb.Client, the store would link every DynamoDB operation with its
// serialisers into each function (a megabyte); held as these six funcs, it links these six.
type operations struct {
	GetItem    func(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem    func(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem func(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem func(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query      func(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	Scan       func(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

// New returns a Store over db. Build db once per cold start and share it.
func New(db *dynamodb.Client, tables Tables) *Store {
	return &Store{tables: tables, db: operations{GetItem: db.GetItem, PutItem: db.PutItem, UpdateItem: db.UpdateItem,
		DeleteItem: db.DeleteItem, Query: db.Query, Scan: db.Scan}}
}

// NewFromConfig builds the DynamoDB client from an SDK configuration.
func NewFromConfig(cfg aws.Config, tables Tables) *Store {
	return New(dynamodb.NewFromConfig(cfg), tables)
}

// ErrNotFound is returned by lookups of absent items (domain packages turn it into a refusal).
var ErrNotFound = errors.New("store: not found")

// isConditionFailed reports whether err is a failed condition of a conditional write.
func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

// key builds a PK/SK key map.
func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: pk},
		"SK": &types.AttributeValueMemberS{Value: sk},
	}
}

// wrap prefixes err with what it was doing; nil stays nil.
func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// lookup reads one item into out as get does, an absent item being no error: false, out left as
// it was.
func (s *Store) lookup(ctx context.Context, table, pk, sk string, out any) (bool, error) {
	err := s.get(ctx, table, pk, sk, out)
	if isNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// get reads one item into out; ErrNotFound when absent. Reads are strongly consistent: a
// parent who just booked must see the booking.
func (s *Store) get(ctx context.Context, table, pk, sk string, out any) error {
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key(pk, sk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return fmt.Errorf("get %s: %w", itemKind(pk), err)
	}
	if res.Item == nil {
		return ErrNotFound
	}
	if err := attributevalue.UnmarshalMap(res.Item, out); err != nil {
		return fmt.Errorf("decode %s: %w", itemKind(pk), err)
	}
	return nil
}

// itemKind is the part of a partition key before its first "#" (ACCOUNT, CODE, TOKEN...):
// error texts name the kind of item only, never the key's value, because keys hold e-mail
// addresses, subscriber codes and token hashes, and errors end up in logs.
func itemKind(pk string) string {
	kind, _, _ := strings.Cut(pk, "#")
	return kind
}

// put writes item unconditionally.
func (s *Store) put(ctx context.Context, table string, item any) error {
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: av}); err != nil {
		return fmt.Errorf("put: %w", err)
	}
	return nil
}

// putIf writes item when cond holds; the caller tests isConditionFailed.
func (s *Store) putIf(ctx context.Context, table string, item any, cond string) error {
	av, err := marshal(item)
	if err != nil {
		return err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: av, ConditionExpression: aws.String(cond)})
	return err
}

// putNew writes item unless its key holds one already: false, and nothing written, when it does.
func (s *Store) putNew(ctx context.Context, table string, item any) (bool, error) {
	err := s.putIf(ctx, table, item, "attribute_not_exists(PK)")
	if isConditionFailed(err) {
		return false, nil
	}
	return err == nil, err
}

// decodeEach unmarshals each item into an I and turns it into a T with conv, in order; kind names
// the item in errors ("thread"), never its content.
func decodeEach[I, T any](items []map[string]types.AttributeValue, kind string, conv func(I) (T, error)) ([]T, error) {
	return decodeItems(items, func(av map[string]types.AttributeValue) (T, error) {
		var it I
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			var zero T
			return zero, fmt.Errorf("decode %s: %w", kind, err)
		}
		return conv(it)
	})
}

// decodeItems decodes each item with decode, in order, stopping at the first error.
func decodeItems[T any](items []map[string]types.AttributeValue, decode func(map[string]types.AttributeValue) (T, error)) ([]T, error) {
	out := make([]T, 0, len(items))
	for _, av := range items {
		v, err := decode(av)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// queryAllAtOnce runs the queries together (each to the end) and returns their items, those of
// the first query first: the reads of one request that do not depend on each other wait for the
// slowest, not for their sum.
func (s *Store) queryAllAtOnce(ctx context.Context, queries []*dynamodb.QueryInput) ([]map[string]types.AttributeValue, error) {
	results := make([][]map[string]types.AttributeValue, len(queries))
	errs := make([]error, len(queries))
	var wg sync.WaitGroup
	for i, q := range queries {
		wg.Go(func() { results[i], errs[i] = s.queryAll(ctx, q) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return slices.Concat(results...), nil
}

// queryAll runs q to the end (following pages) and returns every item. It pages by hand: the
// SDK's paginator takes the client itself (see operations).
func (s *Store) queryAll(ctx context.Context, q *dynamodb.QueryInput) ([]map[string]types.AttributeValue, error) {
	var items []map[string]types.AttributeValue
	in := *q
	for {
		page, err := s.db.Query(ctx, &in)
		if err != nil {
			return nil, fmt.Errorf("query: %w", err)
		}
		items = append(items, page.Items...)
		if len(page.LastEvaluatedKey) == 0 {
			return items, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

// queryPartition returns every item of partition pk whose SK begins with prefix ("" = all).
func (s *Store) queryPartition(ctx context.Context, table, pk, prefix string) ([]map[string]types.AttributeValue, error) {
	q := &dynamodb.QueryInput{
		TableName:              &table,
		ConsistentRead:         aws.Bool(true),
		KeyConditionExpression: aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: pk},
		},
	}
	if prefix != "" {
		q.KeyConditionExpression = aws.String("PK = :pk AND begins_with(SK, :sk)")
		q.ExpressionAttributeValues[":sk"] = &types.AttributeValueMemberS{Value: prefix}
	}
	return s.queryAll(ctx, q)
}
