package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/preau/preau/shared/staff"
)

// staffItem is STAFF#<email> / STAFF in the data table (GSI1: STAFF / <email>).
type staffItem struct {
	PK, SK         string
	GSI1PK, GSI1SK string
	Email          string `dynamodbav:"email"`
	Name           string `dynamodbav:"name"`
	PasswordHash   string `dynamodbav:"passwordHash"`
	Stamp          string `dynamodbav:"sessionStamp"`
	CreatedAt      string `dynamodbav:"createdAt"`
	TOTPSecret     string `dynamodbav:"totpSecret,omitempty"`
	EnrolledAt     string `dynamodbav:"enrolledAt,omitempty"`
	LastStep       int64  `dynamodbav:"totpStep,omitempty"`
	LastLoginAt    string `dynamodbav:"lastLoginAt,omitempty"`
}

func (it staffItem) member() staff.Member {
	return staff.Member{Email: it.Email, Name: it.Name, PasswordHash: it.PasswordHash, Stamp: it.Stamp,
		CreatedAt: parseTime(it.CreatedAt), TOTPSecret: it.TOTPSecret, EnrolledAt: parseTime(it.EnrolledAt), LastStep: it.LastStep,
		LastLoginAt: parseTime(it.LastLoginAt)}
}

// staffSessionItem is STAFFSESSION#<sha256(token)> / SESSION in the session table.
type staffSessionItem struct {
	PK, SK        string
	Email         string `dynamodbav:"email"`
	Stamp         string `dynamodbav:"stamp"`
	Verified      bool   `dynamodbav:"verified"`
	PendingSecret string `dynamodbav:"pendingSecret,omitempty"`
	CreatedAt     string `dynamodbav:"createdAt"`
	ExpiresAt     int64  `dynamodbav:"expiresAt"`
}

// auditItem is AUDIT#<yyyy-mm> / <RFC 3339 UTC>#<id> in the data table.
type auditItem struct {
	PK, SK string
	At     string `dynamodbav:"at"`
	Who    string `dynamodbav:"who"`
	Action string `dynamodbav:"action"`
	Target string `dynamodbav:"target"`
	Before string `dynamodbav:"before,omitempty"`
	After  string `dynamodbav:"after,omitempty"`
}

func staffNotFound(err error) error {
	if isNotFound(err) {
		return fmt.Errorf("%w: %w", staff.ErrNotFound, err)
	}
	return err
}

// CreateMember stores a new staff member; staff.ErrExists when the e-mail has one.
func (st *Store) CreateMember(ctx context.Context, m staff.Member) error {
	it := staffItem{PK: staffPK(m.Email), SK: skStaff, GSI1PK: gsiStaff, GSI1SK: m.Email, Email: m.Email, Name: m.Name,
		PasswordHash: m.PasswordHash, Stamp: m.Stamp, CreatedAt: timeText(m.CreatedAt), TOTPSecret: m.TOTPSecret,
		EnrolledAt: timeText(m.EnrolledAt), LastStep: m.LastStep}
	err := st.putIf(ctx, st.tables.Data, it, "attribute_not_exists(PK)")
	if isConditionFailed(err) {
		return staff.ErrExists
	}
	if err != nil {
		return fmt.Errorf("create staff: %w", err)
	}
	return nil
}

// Member reads a staff member; staff.ErrNotFound when there is none.
func (st *Store) Member(ctx context.Context, email string) (staff.Member, error) {
	var it staffItem
	if err := st.get(ctx, st.tables.Data, staffPK(email), skStaff, &it); err != nil {
		return staff.Member{}, staffNotFound(err)
	}
	return it.member(), nil
}

// Members lists the staff (Query GSI1 STAFF).
func (st *Store) Members(ctx context.Context) ([]staff.Member, error) {
	items, err := st.queryAll(ctx, &dynamodb.QueryInput{
		TableName:                 &st.tables.Data,
		IndexName:                 aws.String("GSI1"),
		KeyConditionExpression:    aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(gsiStaff)},
	})
	if err != nil {
		return nil, fmt.Errorf("staff members: %w", err)
	}
	return decodeEach(items, "staff", func(it staffItem) (staff.Member, error) { return it.member(), nil })
}

// EnrolSecondFactor sets the member's TOTP secret if none is set and the stamp is still
// stamp, recording step as used; staff.ErrStale otherwise. One conditional update.
func (st *Store) EnrolSecondFactor(ctx context.Context, email, stamp, secret string, step int64, at time.Time) error {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           &st.tables.Data,
		Key:                 key(staffPK(email), skStaff),
		UpdateExpression:    aws.String("SET totpSecret = :s, enrolledAt = :t, totpStep = :n"),
		ConditionExpression: aws.String("sessionStamp = :stamp AND attribute_not_exists(totpSecret)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": s(secret), ":t": s(timeText(at)),
			":n": &types.AttributeValueMemberN{Value: strconv.FormatInt(step, 10)}, ":stamp": s(stamp)},
	})
	if isConditionFailed(err) {
		return fmt.Errorf("enrol second factor: %w", staff.ErrStale)
	}
	if err != nil {
		return fmt.Errorf("enrol second factor: %w", err)
	}
	return nil
}

// UseStep records step as the member's last TOTP step if it is later than the stored one;
// staff.ErrStale otherwise (a code used twice). A non-empty reseal replaces the stored secret
// in the same write (a clear secret sealed at its first use). One conditional update.
func (st *Store) UseStep(ctx context.Context, email string, step int64, reseal string) error {
	update := "SET totpStep = :n"
	values := map[string]types.AttributeValue{":n": &types.AttributeValueMemberN{Value: strconv.FormatInt(step, 10)}}
	if reseal != "" {
		update += ", totpSecret = :s"
		values[":s"] = s(reseal)
	}
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &st.tables.Data,
		Key:                       key(staffPK(email), skStaff),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String("attribute_exists(totpSecret) AND (attribute_not_exists(totpStep) OR totpStep < :n)"),
		ExpressionAttributeValues: values,
	})
	if isConditionFailed(err) {
		return fmt.Errorf("use totp step: %w", staff.ErrStale)
	}
	if err != nil {
		return fmt.Errorf("use totp step: %w", err)
	}
	return nil
}

// RecordStaffLogin records the member's last complete login. One update of an existing member.
func (st *Store) RecordStaffLogin(ctx context.Context, email string, at time.Time) error {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &st.tables.Data,
		Key:                       key(staffPK(email), skStaff),
		UpdateExpression:          aws.String("SET lastLoginAt = :t"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": s(timeText(at))},
	})
	if isConditionFailed(err) {
		return staff.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("record staff login: %w", err)
	}
	return nil
}

// PutStaffSession stores a staff session.
func (st *Store) PutStaffSession(ctx context.Context, ss staff.Session) error {
	err := st.put(ctx, st.tables.Session, staffSessionItem{PK: staffSessionPK(ss.Hash), SK: skSession, Email: ss.Email,
		Stamp: ss.Stamp, Verified: ss.Verified, PendingSecret: ss.PendingSecret, CreatedAt: timeText(ss.CreatedAt),
		ExpiresAt: ss.ExpiresAt.Unix()})
	if err != nil {
		return fmt.Errorf("put staff session: %w", err)
	}
	return nil
}

// StaffSession reads a staff session; staff.ErrNotFound when absent.
func (st *Store) StaffSession(ctx context.Context, hash string) (staff.Session, error) {
	var it staffSessionItem
	if err := st.get(ctx, st.tables.Session, staffSessionPK(hash), skSession, &it); err != nil {
		return staff.Session{}, staffNotFound(err)
	}
	return staff.Session{Hash: hash, Email: it.Email, Stamp: it.Stamp, Verified: it.Verified, PendingSecret: it.PendingSecret,
		CreatedAt: parseTime(it.CreatedAt), ExpiresAt: time.Unix(it.ExpiresAt, 0)}, nil
}

// DeleteStaffSession ends a staff session (idempotent).
func (st *Store) DeleteStaffSession(ctx context.Context, hash string) error {
	_, err := st.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &st.tables.Session, Key: key(staffSessionPK(hash), skSession)})
	if err != nil {
		return fmt.Errorf("delete staff session: %w", err)
	}
	return nil
}

// RecordEntry stores a journal entry (idempotent: its key is its instant and id).
func (st *Store) RecordEntry(ctx context.Context, e staff.Entry) error {
	at := e.At.UTC().Format("2006-01-02T15:04:05.000000000Z")
	err := st.put(ctx, st.tables.Data, auditItem{PK: auditPK(e.At.UTC().Format("2006-01")), SK: auditSK(at, e.ID), At: at,
		Who: e.Who, Action: e.Action, Target: e.Target, Before: e.Before, After: e.After})
	if err != nil {
		return fmt.Errorf("record journal entry: %w", err)
	}
	return nil
}

// Entries lists a month's journal ("2026-12", UTC months), newest first (one Query).
func (st *Store) Entries(ctx context.Context, month string) ([]staff.Entry, error) {
	if _, err := time.Parse("2006-01", month); err != nil {
		return nil, errors.New("entries: month is not yyyy-mm")
	}
	items, err := st.queryAll(ctx, &dynamodb.QueryInput{
		TableName:                 &st.tables.Data,
		ConsistentRead:            aws.Bool(true),
		ScanIndexForward:          aws.Bool(false),
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(auditPK(month))},
	})
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	out := make([]staff.Entry, 0, len(items))
	for _, av := range items {
		var it auditItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, fmt.Errorf("decode journal entry: %w", err)
		}
		id := it.SK[strings.LastIndex(it.SK, "#")+1:]
		out = append(out, staff.Entry{ID: id, At: parseTime(it.At), Who: it.Who, Action: it.Action, Target: it.Target,
			Before: it.Before, After: it.After})
	}
	return out, nil
}

// The staff rules' storage is this store.
var (
	_ staff.Members  = (*Store)(nil)
	_ staff.Sessions = (*Store)(nil)
	_ staff.Attempts = (*Store)(nil)
	_ staff.Journal  = (*Store)(nil)
)
