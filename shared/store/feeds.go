package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Calendar feeds: a secret URL per family serving its planning as iCalendar.
//
//	FEED#<sha256(token)> / FEED      {familyId, createdAt}: finds the family of a feed URL
//	FAMILY#<familyId>    / FEED      {nonce, tokenHash, createdAt}: the family's current feed
//
// The token itself is never stored. A feed is valid only while both items agree, so a revoked or
// replaced feed stops at once even if deleting its old FEED# item failed.
type feedItem struct {
	PK, SK    string
	FamilyID  string `dynamodbav:"familyId"`
	CreatedAt string `dynamodbav:"createdAt"`
}

type familyFeedItem struct {
	PK, SK    string
	Nonce     string `dynamodbav:"nonce"`
	TokenHash string `dynamodbav:"tokenHash"`
	CreatedAt string `dynamodbav:"createdAt"`
}

// FamilyFeed is a family's current calendar feed. Nonce lets the planning function derive the
// token again (keyed hash) to show the URL; TokenHash finds the family from the URL.
type FamilyFeed struct {
	Nonce     string
	TokenHash string
	CreatedAt time.Time
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
	return FamilyFeed{Nonce: it.Nonce, TokenHash: it.TokenHash, CreatedAt: at}, true, nil
}

// StartFamilyFeed makes f the family's feed, replacing (and so revoking) the previous one.
func (s *Store) StartFamilyFeed(ctx context.Context, familyID string, f FamilyFeed) error {
	old, had, err := s.FamilyFeed(ctx, familyID)
	if err != nil {
		return err
	}
	at := f.CreatedAt.UTC().Format(time.RFC3339)
	if err := s.put(ctx, s.tables.Data, feedItem{PK: feedPK(f.TokenHash), SK: skFeed, FamilyID: familyID, CreatedAt: at}); err != nil {
		return fmt.Errorf("start feed: %w", err)
	}
	if err := s.put(ctx, s.tables.Data, familyFeedItem{PK: familyPK(familyID), SK: skFeed, Nonce: f.Nonce, TokenHash: f.TokenHash, CreatedAt: at}); err != nil {
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

// FeedOwner returns the family whose current feed has tokenHash; ok false for an unknown,
// replaced or revoked feed.
func (s *Store) FeedOwner(ctx context.Context, tokenHash string) (string, bool, error) {
	var it feedItem
	err := s.get(ctx, s.tables.Data, feedPK(tokenHash), skFeed, &it)
	if isNotFound(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("feed: %w", err)
	}
	cur, had, err := s.FamilyFeed(ctx, it.FamilyID)
	if err != nil {
		return "", false, err
	}
	if !had || cur.TokenHash != tokenHash {
		return "", false, nil
	}
	return it.FamilyID, true, nil
}

func (s *Store) deleteItem(ctx context.Context, pk, sk string) error {
	if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.tables.Data, Key: key(pk, sk)}); err != nil {
		return fmt.Errorf("delete %s/%s: %w", pk, sk, err)
	}
	return nil
}
