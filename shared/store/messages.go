package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/preau/preau/shared/messages"
)

// "Nous contacter" items (owner: shared/messages):
//
//	thread     THREAD#<id> / THREAD                GSI1 THREADS / <updatedAt>#<id>; messages map id → message
//	pointer    ACCOUNT#<email> / THREAD#<id>       a signed-in parent's thread (Mon espace, export)
type threadItem struct {
	PK, SK    string
	GSI1PK    string               `dynamodbav:"GSI1PK"`
	GSI1SK    string               `dynamodbav:"GSI1SK"`
	ID        string               `dynamodbav:"id"`
	Subject   string               `dynamodbav:"subject"`
	Name      string               `dynamodbav:"name"`
	Email     string               `dynamodbav:"email"`
	Account   string               `dynamodbav:"account,omitempty"`
	FamilyID  string               `dynamodbav:"familyId,omitempty"`
	CreatedAt string               `dynamodbav:"createdAt"`
	UpdatedAt string               `dynamodbav:"updatedAt"`
	Messages  map[string]messageAV `dynamodbav:"messages"`
}

type messageAV struct {
	At     string `dynamodbav:"at"`
	Staff  bool   `dynamodbav:"staff,omitempty"`
	Author string `dynamodbav:"author"`
	Body   string `dynamodbav:"body"`
}

type threadPointer struct {
	PK, SK    string
	ID        string `dynamodbav:"id"`
	CreatedAt string `dynamodbav:"createdAt"`
}

func messageValue(m messages.Message) messageAV {
	return messageAV{At: m.At.UTC().Format(stamp), Staff: m.Staff, Author: m.Author, Body: m.Body}
}

// CreateThread stores a new thread (attribute_not_exists), then the account's pointer to it
// (messages.Store).
func (s *Store) CreateThread(ctx context.Context, t messages.Thread) error {
	it := threadItem{PK: threadPK(t.ID), SK: skThread, GSI1PK: gsi1Threads, GSI1SK: threadGSI1SK(t.UpdatedAt, t.ID), ID: t.ID,
		Subject: t.Subject, Name: t.Name, Email: t.Email, Account: t.Account, FamilyID: t.FamilyID,
		CreatedAt: t.CreatedAt.UTC().Format(stamp), UpdatedAt: t.UpdatedAt.UTC().Format(stamp), Messages: map[string]messageAV{}}
	for _, m := range t.Messages {
		it.Messages[m.ID] = messageValue(m)
	}
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return fmt.Errorf("encode thread: %w", err)
	}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.tables.Data, Item: av,
		ConditionExpression: aws.String("attribute_not_exists(PK)")}); err != nil {
		return fmt.Errorf("put thread: %w", err)
	}
	if t.Account == "" {
		return nil
	}
	return s.put(ctx, s.tables.Data, threadPointer{PK: accountPK(t.Account), SK: threadPointerSK(t.ID), ID: t.ID,
		CreatedAt: it.CreatedAt})
}

// Thread reads a thread; messages.ErrNotFound when there is none (messages.Store).
func (s *Store) Thread(ctx context.Context, id string) (messages.Thread, error) {
	var it threadItem
	err := s.get(ctx, s.tables.Data, threadPK(id), skThread, &it)
	if errors.Is(err, ErrNotFound) {
		return messages.Thread{}, messages.ErrNotFound
	}
	if err != nil {
		return messages.Thread{}, err
	}
	return it.thread(), nil
}

func (it threadItem) thread() messages.Thread {
	t := messages.Thread{ID: it.ID, Subject: it.Subject, Name: it.Name, Email: it.Email, Account: it.Account, FamilyID: it.FamilyID}
	t.CreatedAt, _ = time.Parse(stamp, it.CreatedAt)
	t.UpdatedAt, _ = time.Parse(stamp, it.UpdatedAt)
	for id, m := range it.Messages {
		at, _ := time.Parse(stamp, m.At)
		t.Messages = append(t.Messages, messages.Message{ID: id, At: at, Staff: m.Staff, Author: m.Author, Body: m.Body})
	}
	slices.SortFunc(t.Messages, func(a, b messages.Message) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return t
}

// AddMessage adds m to the thread in one UpdateItem conditioned on the thread existing, m's id
// being absent and the thread holding fewer than max messages (messages.Store).
func (s *Store) AddMessage(ctx context.Context, threadID string, m messages.Message, max int) (messages.Thread, bool, error) {
	mv, err := attributevalue.Marshal(messageValue(m))
	if err != nil {
		return messages.Thread{}, false, fmt.Errorf("encode message: %w", err)
	}
	at := m.At.UTC().Format(stamp)
	res, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                &s.tables.Data,
		Key:                      key(threadPK(threadID), skThread),
		UpdateExpression:         aws.String("SET #m.#id = :m, updatedAt = :at, GSI1SK = :sk"),
		ConditionExpression:      aws.String("attribute_exists(#m) AND attribute_not_exists(#m.#id) AND size(#m) < :max"),
		ExpressionAttributeNames: map[string]string{"#m": "messages", "#id": m.ID},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":m": mv, ":at": avS(at), ":sk": avS(threadGSI1SK(m.At, threadID)), ":max": avN(max),
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	if err == nil {
		var it threadItem
		if err := attributevalue.UnmarshalMap(res.Attributes, &it); err != nil {
			return messages.Thread{}, false, fmt.Errorf("decode thread: %w", err)
		}
		return it.thread(), true, nil
	}
	if !isConditionFailed(err) {
		return messages.Thread{}, false, fmt.Errorf("add message: %w", err)
	}
	t, err := s.Thread(ctx, threadID)
	if err != nil {
		return messages.Thread{}, false, err
	}
	if slices.ContainsFunc(t.Messages, func(x messages.Message) bool { return x.ID == m.ID }) {
		return t, false, nil
	}
	return t, false, messages.ErrFull
}

// Threads lists every thread, the most recently active first: one Query of GSI1 THREADS,
// paginated (messages.Store).
func (s *Store) Threads(ctx context.Context) ([]messages.Thread, error) {
	items, err := s.queryAll(ctx, &dynamodb.QueryInput{
		TableName:                 &s.tables.Data,
		IndexName:                 aws.String("GSI1"),
		KeyConditionExpression:    aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": avS(gsi1Threads)},
		ScanIndexForward:          aws.Bool(false),
	})
	if err != nil {
		return nil, fmt.Errorf("threads: %w", err)
	}
	return decodeEach(items, "thread", func(it threadItem) (messages.Thread, error) { return it.thread(), nil })
}

// AccountThreads lists the threads of a signed-in parent, newest first: one Query of the
// account's THREAD# pointers, then one GetItem per thread; a thread no longer written by that
// account is left out (messages.Store).
func (s *Store) AccountThreads(ctx context.Context, email string) ([]messages.Thread, error) {
	items, err := s.queryPartition(ctx, s.tables.Data, accountPK(email), "THREAD#")
	if err != nil {
		return nil, fmt.Errorf("account threads: %w", err)
	}
	var out []messages.Thread
	for _, av := range items {
		var p threadPointer
		if err := attributevalue.UnmarshalMap(av, &p); err != nil {
			return nil, fmt.Errorf("decode thread pointer: %w", err)
		}
		t, err := s.Thread(ctx, p.ID)
		if errors.Is(err, messages.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if t.Account == email {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b messages.Thread) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, nil
}

var _ messages.Store = (*Store)(nil)

// PurgeThreads deletes the threads whose last message is before before (retention.Threads): one
// Query of GSI1 THREADS up to that instant (the sort key starts with the last activity), then
// per thread a DeleteItem conditioned on the sort key read, so a thread that got a message
// meanwhile stays, and a DeleteItem of the account's pointer to it.
func (s *Store) PurgeThreads(ctx context.Context, before time.Time) (int, error) {
	items, err := s.queryAll(ctx, &dynamodb.QueryInput{
		TableName:              &s.tables.Data,
		IndexName:              aws.String("GSI1"),
		KeyConditionExpression: aws.String("GSI1PK = :pk AND GSI1SK < :before"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": avS(gsi1Threads), ":before": avS(threadGSI1SK(before, ""))},
	})
	if err != nil {
		return 0, fmt.Errorf("old threads: %w", err)
	}
	n := 0
	for _, av := range items {
		var it threadItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return n, fmt.Errorf("decode thread: %w", err)
		}
		_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName:                 &s.tables.Data,
			Key:                       key(threadPK(it.ID), skThread),
			ConditionExpression:       aws.String("GSI1SK = :sk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":sk": avS(it.GSI1SK)},
		})
		if isConditionFailed(err) {
			continue // a message arrived since the Query: the thread is alive again
		}
		if err != nil {
			return n, fmt.Errorf("delete thread: %w", err)
		}
		if it.Account != "" {
			if err := s.deleteItem(ctx, accountPK(it.Account), threadPointerSK(it.ID)); err != nil {
				return n, fmt.Errorf("delete thread pointer: %w", err)
			}
		}
		n++
	}
	return n, nil
}
