package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/registry"
)

// The back-office's register of families (shared/registry) on the family, code and member items.

// Families lists every family, by name (Query GSI1 FAMILIES).
func (st *Store) Families(ctx context.Context) ([]family.Family, error) {
	items, err := st.queryAll(ctx, &dynamodb.QueryInput{
		TableName:                 &st.tables.Data,
		IndexName:                 aws.String("GSI1"),
		KeyConditionExpression:    aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(gsiFamilies)},
	})
	if err != nil {
		return nil, fmt.Errorf("families: %w", err)
	}
	return decodeEach(items, "family", func(it familyItem) (family.Family, error) {
		return family.Family{ID: strings.TrimPrefix(it.PK, "FAMILY#"), Name: it.Name, SubscriberCode: it.SubscriberCode,
			QuotientBracket: it.QuotientBracket, NonResident: it.NonResident}, nil
	})
}

// FamilyRecord reads a family with its children, enrolments and members for the register;
// registry.ErrNotFound when absent.
func (st *Store) FamilyRecord(ctx context.Context, familyID string) (registry.Record, error) {
	rec, err := st.Family(ctx, familyID)
	if isNotFound(err) {
		return registry.Record{}, fmt.Errorf("%w: %w", registry.ErrNotFound, err)
	}
	if err != nil {
		return registry.Record{}, err
	}
	return registry.Record{Family: rec.Family, Children: rec.Children, Enrolments: rec.Enrolments, Members: rec.Members}, nil
}

// CreateFamily stores a new family; registry.ErrExists when its id is taken (conditional put).
func (st *Store) CreateFamily(ctx context.Context, f family.Family) error {
	it := familyItem{PK: familyPK(f.ID), SK: skFamily, GSI1PK: gsiFamilies, GSI1SK: familyDirectorySK(strings.ToLower(f.Name), f.ID),
		Name: f.Name, SubscriberCode: f.SubscriberCode, QuotientBracket: f.QuotientBracket, NonResident: f.NonResident}
	err := st.putIf(ctx, st.tables.Data, it, "attribute_not_exists(PK)")
	if isConditionFailed(err) {
		return registry.ErrExists
	}
	if err != nil {
		return fmt.Errorf("create family: %w", err)
	}
	return nil
}

// UpdateFamily changes a family's name, bracket and non-resident flag (its code stays);
// registry.ErrNotFound when the family is gone.
func (st *Store) UpdateFamily(ctx context.Context, f family.Family) error {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                &st.tables.Data,
		Key:                      key(familyPK(f.ID), skFamily),
		UpdateExpression:         aws.String("SET #n = :n, quotientBracket = :b, nonResident = :r, GSI1PK = :g, GSI1SK = :gs"),
		ConditionExpression:      aws.String("attribute_exists(PK)"),
		ExpressionAttributeNames: map[string]string{"#n": "name"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": s(f.Name), ":b": s(f.QuotientBracket),
			":r": &types.AttributeValueMemberBOOL{Value: f.NonResident}, ":g": s(gsiFamilies),
			":gs": s(familyDirectorySK(strings.ToLower(f.Name), f.ID))},
	})
	if isConditionFailed(err) {
		return fmt.Errorf("update family: %w", registry.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("update family: %w", err)
	}
	return nil
}

// CreateCode stores a new subscriber code for a family; registry.ErrExists when the code was
// ever issued (to this family or another), so a code is never given twice.
func (st *Store) CreateCode(ctx context.Context, c family.SubscriberCode) error {
	err := st.putIf(ctx, st.tables.Data, codeItem{PK: codePK(c.Code), SK: skCode, FamilyID: c.FamilyID, Revoked: c.Revoked},
		"attribute_not_exists(PK)")
	if isConditionFailed(err) {
		return registry.ErrExists
	}
	if err != nil {
		return fmt.Errorf("create code: %w", err)
	}
	return nil
}

// Code reads an issued code; registry.ErrNotFound when never issued.
func (st *Store) Code(ctx context.Context, code string) (family.SubscriberCode, error) {
	c, err := st.SubscriberCode(ctx, code)
	if isNotFound(err) {
		return c, fmt.Errorf("%w: %w", registry.ErrNotFound, err)
	}
	return c, err
}

// RevokeCode marks an issued code revoked (idempotent): it links no account any more.
func (st *Store) RevokeCode(ctx context.Context, code string) error {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &st.tables.Data,
		Key:                       key(codePK(code), skCode),
		UpdateExpression:          aws.String("SET revoked = :t"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": &types.AttributeValueMemberBOOL{Value: true}},
	})
	if isConditionFailed(err) {
		return fmt.Errorf("revoke code: %w", registry.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("revoke code: %w", err)
	}
	return nil
}

// SwitchCode sets the family's code to next if it is still old; registry.ErrStale otherwise
// (another reissue landed first). One conditional update.
func (st *Store) SwitchCode(ctx context.Context, familyID, old, next string) error {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &st.tables.Data,
		Key:                       key(familyPK(familyID), skFamily),
		UpdateExpression:          aws.String("SET subscriberCode = :n"),
		ConditionExpression:       aws.String("attribute_exists(PK) AND subscriberCode = :o"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": s(next), ":o": s(old)},
	})
	if isConditionFailed(err) {
		return fmt.Errorf("switch code: %w", registry.ErrStale)
	}
	if err != nil {
		return fmt.Errorf("switch code: %w", err)
	}
	return nil
}

// The register's storage is this store.
var _ registry.Store = (*Store)(nil)
