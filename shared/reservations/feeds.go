package reservations

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/secret"
)

// Calendar feeds: each member of a family may have one secret address serving the family's
// planning as iCalendar. The rules:
//
//   - a feed belongs to one member: each parent sees, creates and revokes only their own, and
//     only while they are a member of the family;
//   - its token is derived, never stored: HMAC(secret key, family id and a random nonce kept
//     with the member's feed), so the page can show the address again while the store holds
//     only the token's hash;
//   - an address answers only while the member's current feed is the one it names (a revoked or
//     replaced feed stops at once, even if deleting its old lookup failed) and while its member
//     is still a member of the family: a parent who leaves loses exactly the address they saw.

// Feed is a member's current calendar feed as stored: Nonce derives the token again, TokenHash
// finds the feed from its address, Email is the member it belongs to.
type Feed struct {
	Nonce     string
	TokenHash string
	Email     string
	CreatedAt time.Time
}

// FeedHolder is who a feed's address names: the family, and the member it belongs to.
type FeedHolder struct {
	FamilyID string
	Email    string
}

// FeedStore keeps the members' feeds; shared/store implements it. It stores and finds; whether
// a feed is live is decided here.
type FeedStore interface {
	// MemberFeed returns member email's current feed in the family, ok false when none.
	MemberFeed(ctx context.Context, familyID, email string) (Feed, bool, error)
	// StartMemberFeed makes f the current feed of member f.Email, replacing theirs if any and
	// forgetting the replaced feed's lookup.
	StartMemberFeed(ctx context.Context, familyID string, f Feed) error
	// RevokeMemberFeed forgets member email's current feed and its lookup, if any.
	RevokeMemberFeed(ctx context.Context, familyID, email string) error
	// FeedHolder returns who the feed with tokenHash was made for, ok false when unknown.
	FeedHolder(ctx context.Context, tokenHash string) (FeedHolder, bool, error)
}

// ErrFeedNotFound: an address that is unknown, revoked, replaced, or whose member left the
// family (404).
var ErrFeedNotFound = fault.New(fault.NotFound, "feed-not-found", "Agenda introuvable",
	"Ce lien d'agenda n'existe pas ou a été désactivé.")

// FeedDaysBefore and FeedDaysAfter are the span of days a feed carries around today.
const FeedDaysBefore, FeedDaysAfter = 14, 76

const feedTokenLen = 32

var feedTokenEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// Feeds applies the calendar feed rules over a FeedStore and the reservation rules.
type Feeds struct {
	store FeedStore
	svc   *Service
	key   *secret.Key
}

// NewFeeds returns the feed rules; key derives the tokens.
func NewFeeds(st FeedStore, svc *Service, key *secret.Key) (*Feeds, error) {
	if st == nil || svc == nil {
		return nil, errors.New("feeds: a store and the reservation rules are required")
	}
	if key == nil {
		return nil, errors.New("feeds: the secret key is required")
	}
	return &Feeds{store: st, svc: svc, key: key}, nil
}

// MemberFeed is a member's live feed: its token (the secret part of its address) and since when.
type MemberFeed struct {
	Token     string
	CreatedAt time.Time
}

// Current returns the actor's own feed, ok false when they have none or its address would not
// answer (its lookup is gone), so a page never shows a dead address as live. ErrNoFamily when
// the actor is not a member of the family.
func (f *Feeds) Current(ctx context.Context, who Actor) (MemberFeed, bool, error) {
	// The member's feed is read while the membership is checked; nothing of it is used unless
	// the check passes.
	var (
		cur     Feed
		ok      bool
		feedErr error
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		cur, ok, feedErr = f.store.MemberFeed(ctx, who.FamilyID, who.Email)
	}()
	_, err := f.svc.household(ctx, who)
	<-done
	if err != nil {
		return MemberFeed{}, false, err
	}
	if feedErr != nil || !ok {
		return MemberFeed{}, false, feedErr
	}
	holder, ok, err := f.store.FeedHolder(ctx, cur.TokenHash)
	if err != nil || !ok || holder != (FeedHolder{FamilyID: who.FamilyID, Email: who.Email}) {
		return MemberFeed{}, false, err
	}
	token, err := f.token(ctx, who.FamilyID, cur.Nonce)
	if err != nil {
		return MemberFeed{}, false, err
	}
	return MemberFeed{Token: token, CreatedAt: cur.CreatedAt}, true, nil
}

// Start gives the actor a new feed, replacing (and so revoking) theirs; other members' feeds are
// untouched. ErrNoFamily when the actor is not a member of the family.
func (f *Feeds) Start(ctx context.Context, who Actor) (MemberFeed, error) {
	if _, err := f.svc.household(ctx, who); err != nil {
		return MemberFeed{}, err
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return MemberFeed{}, fmt.Errorf("feed nonce: %w", err)
	}
	nonce := hex.EncodeToString(b[:])
	token, err := f.token(ctx, who.FamilyID, nonce)
	if err != nil {
		return MemberFeed{}, err
	}
	now := f.svc.Now()
	if err := f.store.StartMemberFeed(ctx, who.FamilyID, Feed{Nonce: nonce, TokenHash: HashFeedToken(token), Email: who.Email, CreatedAt: now}); err != nil {
		return MemberFeed{}, fmt.Errorf("start feed: %w", err)
	}
	return MemberFeed{Token: token, CreatedAt: now}, nil
}

// Revoke ends the actor's feed, if any. ErrNoFamily when the actor is not a member of the family.
func (f *Feeds) Revoke(ctx context.Context, who Actor) error {
	if _, err := f.svc.household(ctx, who); err != nil {
		return err
	}
	if err := f.store.RevokeMemberFeed(ctx, who.FamilyID, who.Email); err != nil {
		return fmt.Errorf("revoke feed: %w", err)
	}
	return nil
}

// Open returns the planning a feed's address serves, and who it serves: the family's planning,
// read as the member the feed belongs to, from FeedDaysBefore days before today to
// FeedDaysAfter days after. ErrFeedNotFound for an address that does not answer.
func (f *Feeds) Open(ctx context.Context, token string) (FamilyPlanning, FeedHolder, error) {
	if !plausibleFeedToken(token) {
		return FamilyPlanning{}, FeedHolder{}, ErrFeedNotFound
	}
	hash := HashFeedToken(token)
	holder, ok, err := f.store.FeedHolder(ctx, hash)
	if err != nil {
		return FamilyPlanning{}, FeedHolder{}, fmt.Errorf("feed: %w", err)
	}
	if !ok || holder.FamilyID == "" || holder.Email == "" {
		return FamilyPlanning{}, FeedHolder{}, ErrFeedNotFound
	}
	cur, ok, err := f.store.MemberFeed(ctx, holder.FamilyID, holder.Email)
	if err != nil {
		return FamilyPlanning{}, FeedHolder{}, fmt.Errorf("feed: %w", err)
	}
	if !ok || cur.TokenHash != hash {
		return FamilyPlanning{}, FeedHolder{}, ErrFeedNotFound
	}
	today := date.Of(f.svc.Now())
	// The planning is read as the member: if they left the family meanwhile, the feed is gone.
	fp, err := f.svc.FamilyPlanning(ctx, Actor{FamilyID: holder.FamilyID, Email: holder.Email},
		today.AddDays(-FeedDaysBefore), today.AddDays(FeedDaysAfter))
	if errors.Is(err, ErrNoFamily) {
		return FamilyPlanning{}, FeedHolder{}, ErrFeedNotFound
	}
	if err != nil {
		return FamilyPlanning{}, FeedHolder{}, err
	}
	return fp, holder, nil
}

// token derives a feed's token from its family and nonce; it fails (secret.ErrUnavailable)
// only while the key cannot be had.
func (f *Feeds) token(ctx context.Context, familyID, nonce string) (string, error) {
	key, err := f.key.Bytes(ctx)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("feed\x00" + familyID + "\x00" + nonce))
	return strings.ToLower(feedTokenEncoding.EncodeToString(m.Sum(nil)))[:feedTokenLen], nil
}

// HashFeedToken is what the store keeps of a token: its SHA-256, in hex.
func HashFeedToken(token string) string {
	s := sha256.Sum256([]byte(token))
	return hex.EncodeToString(s[:])
}

// plausibleFeedToken reports whether t could be a token (32 lower-case base32 characters), so an
// address that cannot be one is refused without a read.
func plausibleFeedToken(t string) bool {
	return len(t) == feedTokenLen && !slices.ContainsFunc([]byte(t), func(c byte) bool {
		return !(c >= 'a' && c <= 'z') && !(c >= '2' && c <= '7')
	})
}
