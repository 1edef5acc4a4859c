package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Calendar feeds: a secret URL per member of a family, serving the family's planning as
// iCalendar.
//
//	FEED#<sha256(token)> / FEED            {familyId, email, createdAt}: finds the family and member of a feed URL
//	FAMILY#<familyId>    / FEED#<email>    {nonce, tokenHash, email, createdAt}: that member's current feed
//
// The token itself is never stored. A feed belongs to one member: each parent sees, creates and
// revokes only their own URL, so a parent who leaves the family (or whose account is deleted)
// loses exactly the URL they could see, and the feeds of the parents who stay keep working. A
// feed is valid only while both items agree, so a revoked or replaced feed stops at once even if
// deleting its old FEED# item failed, and only while its member is still a member of the family
// (FAMILY#<familyId> / MEMBER#<email>).
//
// Items written before feeds were per member — a family-level FAMILY#<familyId> / FEED pointer,
// and FEED# items naming the family but no member, or a member whose pointer is not the new
// per-member one — are ignored: their URLs answer as unknown, the page offers to create a new
// address, and nothing reads or deletes them.
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

// Feed is a member's current calendar feed. Nonce lets the planning function derive the token
// again (keyed hash) to show the URL; TokenHash finds the feed from the URL; Email is the member
// it belongs to, whose membership the feed lives on.
type Feed struct {
	Nonce     string
	TokenHash string
	Email     string
	CreatedAt time.Time
}

// FeedHolder is who a feed URL serves: the family, and the member the feed belongs to.
type FeedHolder struct {
	FamilyID string
	Email    string
}

// errNoFeedMember refuses a feed without its member: a feed lives on one member's membership.
var errNoFeedMember = errors.New("the member's e-mail is required")

// MemberFeed returns the current feed of member email in the family, ok false when they have
// none.
func (s *Store) MemberFeed(ctx context.Context, familyID, email string) (Feed, bool, error) {
	if email == "" {
		return Feed{}, false, fmt.Errorf("member feed: %w", errNoFeedMember)
	}
	var it memberFeedItem
	err := s.get(ctx, s.tables.Data, familyPK(familyID), memberFeedSK(email), &it)
	if isNotFound(err) {
		return Feed{}, false, nil
	}
	if err != nil {
		return Feed{}, false, fmt.Errorf("member feed: %w", err)
	}
	at, _ := time.Parse(time.RFC3339, it.CreatedAt)
	return Feed{Nonce: it.Nonce, TokenHash: it.TokenHash, Email: it.Email, CreatedAt: at}, true, nil
}

// StartMemberFeed makes f the feed of member f.Email in the family, replacing (and so
// revoking) that member's previous one; other members' feeds are untouched.
func (s *Store) StartMemberFeed(ctx context.Context, familyID string, f Feed) error {
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

// RevokeMemberFeed ends member email's feed in the family, if any.
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

// FeedOwner returns who the feed with tokenHash serves; ok false for an unknown, replaced or
// revoked feed, for a feed whose member is no longer a member of the family, and for a feed
// stored before feeds were per member.
func (s *Store) FeedOwner(ctx context.Context, tokenHash string) (FeedHolder, bool, error) {
	var it feedItem
	err := s.get(ctx, s.tables.Data, feedPK(tokenHash), skFeed, &it)
	if isNotFound(err) {
		return FeedHolder{}, false, nil
	}
	if err != nil {
		return FeedHolder{}, false, fmt.Errorf("feed: %w", err)
	}
	if it.FamilyID == "" || it.Email == "" {
		return FeedHolder{}, false, nil
	}
	cur, had, err := s.MemberFeed(ctx, it.FamilyID, it.Email)
	if err != nil {
		return FeedHolder{}, false, err
	}
	if !had || cur.TokenHash != tokenHash {
		return FeedHolder{}, false, nil
	}
	var m memberItem
	err = s.get(ctx, s.tables.Data, familyPK(it.FamilyID), memberSK(it.Email), &m)
	if isNotFound(err) {
		return FeedHolder{}, false, nil
	}
	if err != nil {
		return FeedHolder{}, false, fmt.Errorf("feed member: %w", err)
	}
	return FeedHolder{FamilyID: it.FamilyID, Email: it.Email}, true, nil
}

func (s *Store) deleteItem(ctx context.Context, pk, sk string) error {
	if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.tables.Data, Key: key(pk, sk)}); err != nil {
		// The kinds only: these keys hold a member's e-mail and a feed token's hash.
		return fmt.Errorf("delete %s/%s: %w", itemKind(pk), itemKind(sk), err)
	}
	return nil
}
