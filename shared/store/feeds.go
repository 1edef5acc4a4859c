package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Calendar feeds: a secret URL per family serving its planning as iCalendar.
//
//	FEED#<sha256(token)> / FEED      {familyId, email, createdAt}: finds the family of a feed URL
//	FAMILY#<familyId>    / FEED      {nonce, tokenHash, email, createdAt}: the family's current feed
//
// The token itself is never stored. A feed is valid only while both items agree, so a revoked or
// replaced feed stops at once even if deleting its old FEED# item failed; and only while the
// parent who created it is still a member of the family (FAMILY#<familyId> / MEMBER#<email>),
// so a parent who leaves the family, or whose account is deleted, stops seeing its planning.
type feedItem struct {
	PK, SK    string
	FamilyID  string `dynamodbav:"familyId"`
	Email     string `dynamodbav:"email"`
	CreatedAt string `dynamodbav:"createdAt"`
}

type familyFeedItem struct {
	PK, SK    string
	Nonce     string `dynamodbav:"nonce"`
	TokenHash string `dynamodbav:"tokenHash"`
	Email     string `dynamodbav:"email"`
	CreatedAt string `dynamodbav:"createdAt"`
}

// FamilyFeed is a family's current calendar feed. Nonce lets the planning function derive the
// token again (keyed hash) to show the URL; TokenHash finds the family from the URL; Email is
// the member who created it, whose membership the feed lives on.
type FamilyFeed struct {
	Nonce     string
	TokenHash string
	Email     string
	CreatedAt time.Time
}

// FeedHolder is who a feed URL serves: the family, and the member who created the feed.
type FeedHolder struct {
	FamilyID string
	Email    string
}

// FamilyFeed returns the family's current feed, ok false when it has none.
func (s *Store) FamilyFeed(ctx context.Context, familyID string) (FamilyFeed, bool, error) {
	var it familyFeedItem
	err := s.get(ctx, s.tables.Data, familyPK(familyID), skFeed, &it)
	if isNotFound(err) {
		return FamilyFeed{}, false, nil
	}
	if err != nil {
		return FamilyFeed{}, false, fmt.Errorf("family feed: %w", err)
	}
	at, _ := time.Parse(time.RFC3339, it.CreatedAt)
	return FamilyFeed{Nonce: it.Nonce, TokenHash: it.TokenHash, Email: it.Email, CreatedAt: at}, true, nil
}

// StartFamilyFeed makes f the family's feed, replacing (and so revoking) the previous one.
// f.Email, the member creating it, is required: the feed ends when that member leaves.
func (s *Store) StartFamilyFeed(ctx context.Context, familyID string, f FamilyFeed) error {
	if f.Email == "" {
		return errors.New("start feed: the creating member's e-mail is required")
	}
	old, had, err := s.FamilyFeed(ctx, familyID)
	if err != nil {
		return err
	}
	at := f.CreatedAt.UTC().Format(time.RFC3339)
	if err := s.put(ctx, s.tables.Data, feedItem{PK: feedPK(f.TokenHash), SK: skFeed, FamilyID: familyID, Email: f.Email, CreatedAt: at}); err != nil {
		return fmt.Errorf("start feed: %w", err)
	}
	if err := s.put(ctx, s.tables.Data, familyFeedItem{PK: familyPK(familyID), SK: skFeed, Nonce: f.Nonce, TokenHash: f.TokenHash, Email: f.Email, CreatedAt: at}); err != nil {
		return fmt.Errorf("start feed: %w", err)
	}
	if had && old.TokenHash != f.TokenHash {
		return s.deleteItem(ctx, feedPK(old.TokenHash), skFeed)
	}
	return nil
}

// RevokeFamilyFeed ends the family's feed, if any.
func (s *Store) RevokeFamilyFeed(ctx context.Context, familyID string) error {
	old, had, err := s.FamilyFeed(ctx, familyID)
	if err != nil || !had {
		return err
	}
	if err := s.deleteItem(ctx, familyPK(familyID), skFeed); err != nil {
		return err
	}
	return s.deleteItem(ctx, feedPK(old.TokenHash), skFeed)
}

// FeedOwner returns who the current feed with tokenHash serves; ok false for an unknown,
// replaced or revoked feed, and for a feed whose creator is no longer a member of the family
// (or a feed stored before creators were recorded).
func (s *Store) FeedOwner(ctx context.Context, tokenHash string) (FeedHolder, bool, error) {
	var it feedItem
	err := s.get(ctx, s.tables.Data, feedPK(tokenHash), skFeed, &it)
	if isNotFound(err) {
		return FeedHolder{}, false, nil
	}
	if err != nil {
		return FeedHolder{}, false, fmt.Errorf("feed: %w", err)
	}
	cur, had, err := s.FamilyFeed(ctx, it.FamilyID)
	if err != nil {
		return FeedHolder{}, false, err
	}
	if !had || cur.TokenHash != tokenHash || cur.Email == "" || cur.Email != it.Email {
		return FeedHolder{}, false, nil
	}
	var m memberItem
	err = s.get(ctx, s.tables.Data, familyPK(it.FamilyID), memberSK(cur.Email), &m)
	if isNotFound(err) {
		return FeedHolder{}, false, nil
	}
	if err != nil {
		return FeedHolder{}, false, fmt.Errorf("feed member: %w", err)
	}
	return FeedHolder{FamilyID: it.FamilyID, Email: cur.Email}, true, nil
}

func (s *Store) deleteItem(ctx context.Context, pk, sk string) error {
	if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.tables.Data, Key: key(pk, sk)}); err != nil {
		return fmt.Errorf("delete %s/%s: %w", pk, sk, err)
	}
	return nil
}
