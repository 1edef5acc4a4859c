package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/preau/preau/shared/store"
)

var feedAt = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// feedOwner returns a lookup of who a feed hash serves (zero when it serves no one).
func feedOwner(t *testing.T, st *store.Store) func(hash string) store.FeedHolder {
	return func(hash string) store.FeedHolder {
		t.Helper()
		h, ok, err := st.FeedOwner(context.Background(), hash)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return store.FeedHolder{}
		}
		return h
	}
}

func startFeed(t *testing.T, st *store.Store, fam, email, nonce, hash string) {
	t.Helper()
	if err := st.StartMemberFeed(context.Background(), fam, store.Feed{Nonce: nonce, TokenHash: hash, Email: email, CreatedAt: feedAt}); err != nil {
		t.Fatal(err)
	}
}

func TestFeedsAreReplacedAndRevoked(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	if err := st.AddMember(ctx, "f_a", "a@example.fr", feedAt); err != nil {
		t.Fatal(err)
	}
	anne := store.FeedHolder{FamilyID: "f_a", Email: "a@example.fr"}
	startFeed(t, st, "f_a", "a@example.fr", "n1", "h1")
	owner := feedOwner(t, st)
	if got := owner("h1"); got != anne {
		t.Fatalf("owner of h1 = %+v", got)
	}
	startFeed(t, st, "f_a", "a@example.fr", "n2", "h2")
	if owner("h1") != (store.FeedHolder{}) || owner("h2") != anne {
		t.Fatal("the replaced feed still works, or the new one does not")
	}
	f, ok, err := st.MemberFeed(ctx, "f_a", "a@example.fr")
	if err != nil || !ok || f.Nonce != "n2" || f.Email != "a@example.fr" || !f.CreatedAt.Equal(feedAt) {
		t.Fatalf("member feed %+v %v %v", f, ok, err)
	}
	if err := st.RevokeMemberFeed(ctx, "f_a", "a@example.fr"); err != nil {
		t.Fatal(err)
	}
	if owner("h2") != (store.FeedHolder{}) {
		t.Fatal("the revoked feed still works")
	}
	if err := st.StartMemberFeed(ctx, "f_a", store.Feed{Nonce: "n3", TokenHash: "h3", CreatedAt: feedAt}); err == nil {
		t.Fatal("a feed without its member was stored")
	}
}

// TestFeedsArePerMember: each member of a family has their own feed; a member who leaves (links
// another code, deletes the account: both remove the member item) loses theirs — including a
// member who never created the family's first feed — while the others' keep working, and
// replacing or revoking one member's feed leaves the others alone.
func TestFeedsArePerMember(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	members := []struct{ fam, email, hash string }{
		{"f_a", "a@example.fr", "h-a"}, {"f_a", "a2@example.fr", "h-a2"}, {"f_b", "b@example.fr", "h-b"},
	}
	for _, m := range members {
		if err := st.AddMember(ctx, m.fam, m.email, feedAt); err != nil {
			t.Fatal(err)
		}
		startFeed(t, st, m.fam, m.email, "n", m.hash)
	}
	owner := feedOwner(t, st)
	for _, m := range members {
		if got := owner(m.hash); got != (store.FeedHolder{FamilyID: m.fam, Email: m.email}) {
			t.Fatalf("feed %s serves %+v", m.hash, got)
		}
	}
	// The second member replaces then revokes their feed: the first member's is untouched.
	startFeed(t, st, "f_a", "a2@example.fr", "n2", "h-a2-new")
	if err := st.RevokeMemberFeed(ctx, "f_a", "a2@example.fr"); err != nil {
		t.Fatal(err)
	}
	if owner("h-a2-new") != (store.FeedHolder{}) || owner("h-a") == (store.FeedHolder{}) {
		t.Fatal("revoking one member's feed did not end it, or ended another's")
	}
	startFeed(t, st, "f_a", "a2@example.fr", "n3", "h-a2")
	// The member who did not create the family's first feed leaves: their URL stops.
	if err := st.RemoveMember(ctx, "f_a", "a2@example.fr"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, hash string
		want       store.FeedHolder
	}{
		{"the member who left", "h-a2", store.FeedHolder{}},
		{"the member who stays", "h-a", store.FeedHolder{FamilyID: "f_a", Email: "a@example.fr"}},
		{"another family", "h-b", store.FeedHolder{FamilyID: "f_b", Email: "b@example.fr"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := owner(tt.hash); got != tt.want {
				t.Fatalf("feed serves %+v, want %+v", got, tt.want)
			}
		})
	}
}
