package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/preau/preau/shared/reservations"
)

// Calendar feeds (the rules are shared/reservations' feeds.go; this file stores and finds):
//
//	FEED#<sha256(token)> / FEED            {familyId, email, createdAt}: who a feed's address names
//	FAMILY#<familyId>    / FEED#<email>    {nonce, tokenHash, email, createdAt}: that member's current feed
type feedItem struct {
	PK, SK    string
	FamilyID  string `dynamodbav:"familyId"`
	Email     string `dynamodbav:"email"`
	CreatedAt string `dynamodbav:"createdAt"`
}

type memberFeedItem struct {
	PK, SK    string
	Nonce     string `dynamodbav:"nonce"`
	TokenHash string `dynamodbav:"tokenHash"`
	Email     string `dynamodbav:"email"`
	CreatedAt string `dynamodbav:"createdAt"`
}

// errNoFeedMember refuses a feed without its member: a feed lives on one member's membership.
var errNoFeedMember = errors.New("the member's e-mail is required")

// MemberFeed returns the current feed of member email in the family, ok false when they have
// none (reservations.FeedStore).
func (s *Store) MemberFeed(ctx context.Context, familyID, email string) (reservations.Feed, bool, error) {
	if email == "" {
		return reservations.Feed{}, false, fmt.Errorf("member feed: %w", errNoFeedMember)
	}
	var it memberFeedItem
	found, err := s.lookup(ctx, s.tables.Data, familyPK(familyID), memberFeedSK(email), &it)
	if err != nil || !found {
		return reservations.Feed{}, false, wrap("member feed", err)
	}
	at, _ := time.Parse(time.RFC3339, it.CreatedAt)
	return reservations.Feed{Nonce: it.Nonce, TokenHash: it.TokenHash, Email: it.Email, CreatedAt: at}, true, nil
}

// StartMemberFeed makes f the feed of member f.Email in the family, replacing (and so
// revoking) that member's previous one; other members' feeds are untouched. Three writes: the
// new lookup, the member's pointer, then the old lookup's deletion (a failed deletion leaves a
// lookup that no pointer agrees with, which answers nothing).
func (s *Store) StartMemberFeed(ctx context.Context, familyID string, f reservations.Feed) error {
	if f.Email == "" {
		return fmt.Errorf("start feed: %w", errNoFeedMember)
	}
	old, had, err := s.MemberFeed(ctx, familyID, f.Email)
	if err != nil {
		return err
	}
	at := f.CreatedAt.UTC().Format(time.RFC3339)
	if err := s.put(ctx, s.tables.Data, feedItem{PK: feedPK(f.TokenHash), SK: skFeed, FamilyID: familyID, Email: f.Email, CreatedAt: at}); err != nil {
		return fmt.Errorf("start feed: %w", err)
	}
	if err := s.put(ctx, s.tables.Data, memberFeedItem{PK: familyPK(familyID), SK: memberFeedSK(f.Email), Nonce: f.Nonce,
		TokenHash: f.TokenHash, Email: f.Email, CreatedAt: at}); err != nil {
		return fmt.Errorf("start feed: %w", err)
	}
	if had && old.TokenHash != f.TokenHash {
		return s.deleteItem(ctx, feedPK(old.TokenHash), skFeed)
	}
	return nil
}

// RevokeMemberFeed ends member email's feed in the family, if any (reservations.FeedStore).
func (s *Store) RevokeMemberFeed(ctx context.Context, familyID, email string) error {
	old, had, err := s.MemberFeed(ctx, familyID, email)
	if err != nil || !had {
		return err
	}
	if err := s.deleteItem(ctx, familyPK(familyID), memberFeedSK(email)); err != nil {
		return err
	}
	return s.deleteItem(ctx, feedPK(old.TokenHash), skFeed)
}

// FeedHolder returns the family and member the feed with tokenHash was made for, ok false when
// no such feed is stored (reservations.FeedStore). One GetItem.
func (s *Store) FeedHolder(ctx context.Context, tokenHash string) (reservations.FeedHolder, bool, error) {
	var it feedItem
	found, err := s.lookup(ctx, s.tables.Data, feedPK(tokenHash), skFeed, &it)
	if err != nil || !found {
		return reservations.FeedHolder{}, false, wrap("feed", err)
	}
	return reservations.FeedHolder{FamilyID: it.FamilyID, Email: it.Email}, true, nil
}

func (s *Store) deleteItem(ctx context.Context, pk, sk string) error {
	if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.tables.Data, Key: key(pk, sk)}); err != nil {
		// The kinds only: these keys hold a member's e-mail and a feed token's hash.
		return fmt.Errorf("delete %s/%s: %w", itemKind(pk), itemKind(sk), err)
	}
	return nil
}

var _ reservations.FeedStore = (*Store)(nil)
