package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/family"
)

// accountItem is ACCOUNT#<email> / ACCOUNT in the data table.
type accountItem struct {
	PK, SK          string
	Email           string   `dynamodbav:"email"`
	Civility        string   `dynamodbav:"civility"`
	LastName        string   `dynamodbav:"lastName"`
	FirstName       string   `dynamodbav:"firstName"`
	PasswordHash    string   `dynamodbav:"passwordHash"`
	CreatedAt       string   `dynamodbav:"createdAt"`
	ConfirmedAt     string   `dynamodbav:"confirmedAt,omitempty"`
	FamilyID        string   `dynamodbav:"familyId,omitempty"`
	PendingCode     string   `dynamodbav:"pendingCode,omitempty"`
	SessionStamp    string   `dynamodbav:"sessionStamp"`
	PasswordChanged string   `dynamodbav:"passwordChangedAt,omitempty"`
	KeptStamps      []string `dynamodbav:"keptStamps,omitempty"`
	// GSI1PK / GSI1SK: ACCOUNTS / the e-mail, the Retention job's list of accounts. Accounts
	// created before it was written are put there by the job's first run.
	GSI1PK string `dynamodbav:",omitempty"`
	GSI1SK string `dynamodbav:",omitempty"`
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// notFound wraps ErrNotFound with the accounts sentinel, so either package's check matches.
func notFound(err error) error {
	if isNotFound(err) {
		return fmt.Errorf("%w: %w", accounts.ErrNotFound, err)
	}
	return err
}

// CreateAccount stores a new account; accounts.ErrExists when the e-mail already has one (a
// conditional put, so of two simultaneous sign-ups with one e-mail exactly one succeeds).
func (st *Store) CreateAccount(ctx context.Context, a accounts.Account) error {
	it := accountItem{PK: accountPK(a.Email), SK: skAccount, Email: a.Email, Civility: a.Civility, LastName: a.LastName,
		FirstName: a.FirstName, PasswordHash: a.PasswordHash, CreatedAt: timeText(a.CreatedAt),
		ConfirmedAt: timeText(a.ConfirmedAt), FamilyID: a.FamilyID, PendingCode: a.PendingCode, SessionStamp: a.SessionStamp,
		GSI1PK: gsiAccounts, GSI1SK: a.Email}
	err := st.putIf(ctx, st.tables.Data, it, "attribute_not_exists(PK)")
	if isConditionFailed(err) {
		return accounts.ErrExists
	}
	if err != nil {
		return fmt.Errorf("create account: %w", err)
	}
	return nil
}

// Account reads an account by e-mail; accounts.ErrNotFound when there is none.
func (st *Store) Account(ctx context.Context, email string) (accounts.Account, error) {
	var it accountItem
	if err := st.get(ctx, st.tables.Data, accountPK(email), skAccount, &it); err != nil {
		return accounts.Account{}, notFound(err)
	}
	return it.account(), nil
}

func (it accountItem) account() accounts.Account {
	return accounts.Account{Email: it.Email, Civility: it.Civility, LastName: it.LastName, FirstName: it.FirstName,
		PasswordHash: it.PasswordHash, CreatedAt: parseTime(it.CreatedAt), ConfirmedAt: parseTime(it.ConfirmedAt),
		FamilyID: it.FamilyID, PendingCode: it.PendingCode, SessionStamp: it.SessionStamp,
		PasswordChangedAt: parseTime(it.PasswordChanged), KeptStamps: it.KeptStamps}
}

// updateAccount runs one update on an existing account (accounts.ErrNotFound when gone).
func (st *Store) updateAccount(ctx context.Context, email, expr string, names map[string]string, values map[string]types.AttributeValue) error {
	in := &dynamodb.UpdateItemInput{
		TableName:                 &st.tables.Data,
		Key:                       key(accountPK(email), skAccount),
		UpdateExpression:          aws.String(expr),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: values,
	}
	if len(names) > 0 {
		in.ExpressionAttributeNames = names
	}
	_, err := st.db.UpdateItem(ctx, in)
	if isConditionFailed(err) {
		return fmt.Errorf("account: %w", accounts.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("update account: %w", err)
	}
	return nil
}

// ReplaceUnconfirmed overwrites what a sign-up chose (civility, names, password hash, pending
// code, session stamp) on an account that is still unconfirmed: accounts.ErrExists when it
// was confirmed (or deleted) meanwhile. One conditional update, so a confirmation racing it
// either lands first (and the replacement is refused) or is refused itself: ConfirmAccount
// requires the stamp the link was made with, which this write renews.
func (st *Store) ReplaceUnconfirmed(ctx context.Context, a accounts.Account) error {
	expr := "SET civility = :c, lastName = :l, firstName = :f, passwordHash = :h, sessionStamp = :s"
	values := map[string]types.AttributeValue{":c": s(a.Civility), ":l": s(a.LastName), ":f": s(a.FirstName),
		":h": s(a.PasswordHash), ":s": s(a.SessionStamp)}
	if a.PendingCode != "" {
		expr += ", pendingCode = :p"
		values[":p"] = s(a.PendingCode)
	} else {
		expr += " REMOVE pendingCode"
	}
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &st.tables.Data,
		Key:                       key(accountPK(a.Email), skAccount),
		UpdateExpression:          aws.String(expr),
		ConditionExpression:       aws.String("attribute_exists(PK) AND attribute_not_exists(confirmedAt)"),
		ExpressionAttributeValues: values,
	})
	if isConditionFailed(err) {
		return accounts.ErrExists
	}
	if err != nil {
		return fmt.Errorf("replace unconfirmed account: %w", err)
	}
	return nil
}

// UpdateProfile changes civility and names.
func (st *Store) UpdateProfile(ctx context.Context, email, civility, lastName, firstName string) error {
	return st.updateAccount(ctx, email, "SET civility = :c, lastName = :l, firstName = :f", nil,
		map[string]types.AttributeValue{":c": s(civility), ":l": s(lastName), ":f": s(firstName)})
}

// SetPassword applies a password write to the account whose session stamp is still oldStamp:
// the hash and, when w.Stamp is not "", the new session stamp, the change's time and the
// stamps whose sessions stay open (a rehash at login passes no stamp: the password is the
// same). accounts.ErrStale when the stamp changed meanwhile (another reset or change, a
// sign-up replacing an unconfirmed account) or the account is gone: of two password writes
// made from one state, exactly one lands.
func (st *Store) SetPassword(ctx context.Context, email, oldStamp string, w accounts.PasswordWrite) error {
	expr := "SET passwordHash = :h"
	values := map[string]types.AttributeValue{":h": s(w.Hash), ":old": s(oldStamp)}
	if w.Stamp != "" {
		expr += ", sessionStamp = :s, passwordChangedAt = :t"
		values[":s"], values[":t"] = s(w.Stamp), s(timeText(w.ChangedAt))
		if len(w.KeptStamps) > 0 {
			kept := make([]types.AttributeValue, len(w.KeptStamps))
			for i, k := range w.KeptStamps {
				kept[i] = s(k)
			}
			expr += ", keptStamps = :k"
			values[":k"] = &types.AttributeValueMemberL{Value: kept}
		} else {
			expr += " REMOVE keptStamps"
		}
	}
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &st.tables.Data,
		Key:                       key(accountPK(email), skAccount),
		UpdateExpression:          aws.String(expr),
		ConditionExpression:       aws.String("sessionStamp = :old"),
		ExpressionAttributeValues: values,
	})
	if isConditionFailed(err) {
		return fmt.Errorf("set password: %w", accounts.ErrStale)
	}
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}

// ConfirmAccount confirms the account if it is still the one a confirmation link was made
// for (its session stamp is stamp) and not yet confirmed, and returns the account as
// written. accounts.ErrStale otherwise (confirmed already, replaced by a later sign-up, or
// gone): the condition is on the write itself, so a sign-up replacing the account between the
// caller's read and this write is never confirmed by the earlier sign-up's link.
func (st *Store) ConfirmAccount(ctx context.Context, email, stamp string, at time.Time) (accounts.Account, error) {
	out, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &st.tables.Data,
		Key:                       key(accountPK(email), skAccount),
		UpdateExpression:          aws.String("SET confirmedAt = :t"),
		ConditionExpression:       aws.String("sessionStamp = :s AND attribute_not_exists(confirmedAt)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": s(timeText(at)), ":s": s(stamp)},
		ReturnValues:              types.ReturnValueAllNew,
	})
	if isConditionFailed(err) {
		return accounts.Account{}, fmt.Errorf("confirm account: %w", accounts.ErrStale)
	}
	if err != nil {
		return accounts.Account{}, fmt.Errorf("confirm account: %w", err)
	}
	var it accountItem
	if err := attributevalue.UnmarshalMap(out.Attributes, &it); err != nil {
		return accounts.Account{}, fmt.Errorf("decode account: %w", err)
	}
	return it.account(), nil
}

// LinkFamily sets the account's family and forgets the code pending since sign-up.
func (st *Store) LinkFamily(ctx context.Context, email, familyID string) error {
	return st.updateAccount(ctx, email, "SET familyId = :f REMOVE pendingCode", nil,
		map[string]types.AttributeValue{":f": s(familyID)})
}

// UnlinkFamily clears the account's family provided it is still familyID: a parent removed
// from a family who linked another one since keeps the new one. Idempotent; an account gone
// or elsewhere is left as it is.
func (st *Store) UnlinkFamily(ctx context.Context, email, familyID string) error {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &st.tables.Data,
		Key:                       key(accountPK(email), skAccount),
		UpdateExpression:          aws.String("REMOVE familyId"),
		ConditionExpression:       aws.String("familyId = :f"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":f": s(familyID)},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("unlink family: %w", err)
	}
	return nil
}

// DeleteAccount deletes the account item and its reminder preferences (idempotent).
func (st *Store) DeleteAccount(ctx context.Context, email string) error {
	_, err := st.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &st.tables.Data, Key: key(accountPK(email), skAccount)})
	if err != nil {
		return fmt.Errorf("delete account: %w", err)
	}
	return st.deleteReminderPreferences(ctx, email)
}

// IssuedCode looks up a subscriber code; accounts.ErrNotFound when it was never issued.
func (st *Store) IssuedCode(ctx context.Context, code string) (family.SubscriberCode, error) {
	c, err := st.SubscriberCode(ctx, code)
	return c, notFound(err)
}

// FamilyOfMember reads a family and its children for the account email; accounts.ErrNotFound
// when the family is absent or email is not (or no longer) its member. One query: the
// family's partition holds its members.
func (st *Store) FamilyOfMember(ctx context.Context, familyID, email string) (family.Family, []family.Child, error) {
	rec, err := st.Family(ctx, familyID)
	if errors.Is(err, ErrNotFound) {
		return family.Family{}, nil, fmt.Errorf("%w: %w", accounts.ErrNotFound, err)
	}
	if err != nil {
		return family.Family{}, nil, err
	}
	if !slices.Contains(rec.Members, email) {
		return family.Family{}, nil, fmt.Errorf("family member: %w", accounts.ErrNotFound)
	}
	return rec.Family, rec.Children, nil
}

// The account use cases' storage is this store.
var (
	_ accounts.SignupStore         = (*Store)(nil)
	_ accounts.ConfirmationStore   = (*Store)(nil)
	_ accounts.LoginStore          = (*Store)(nil)
	_ accounts.ResetStore          = (*Store)(nil)
	_ accounts.PasswordChangeStore = (*Store)(nil)
	_ accounts.ProfileStore        = (*Store)(nil)
	_ accounts.FamilyLinkStore     = (*Store)(nil)
	_ accounts.DeletionStore       = (*Store)(nil)
	_ accounts.SessionReader       = (*Store)(nil)
)
