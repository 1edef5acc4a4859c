package main

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/preau/preau/shared/accounts/accountstest"
)

// TestMembershipFollowsLink: the family's MEMBER# item is what grants access; it follows every
// link, relink and removal.
func TestMembershipFollowsLink(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	famA, codeA := f.Family(t, "Martin", false)
	famB, codeB := f.Family(t, "Durand", false)
	email := accountstest.Email("member")
	f.ConfirmedAccount(t, email)
	tok := f.login(t, email, accountstest.Password)
	link := func(code string) {
		t.Helper()
		if w := f.req(t, http.MethodPut, "/api/v1/me/family", tok, map[string]string{"subscriberCode": code}); w.Code != 200 {
			t.Fatalf("link: %d %s", w.Code, w.Body)
		}
	}
	member := func(famID string) bool {
		t.Helper()
		return slices.Contains(f.MemberEmails(t, famID), email)
	}
	steps := []struct {
		name string
		do   func()
		a, b bool
		sees string // the family "Mon espace" shows ("" for none)
	}{
		{"link A", func() { link(codeA) }, true, false, "Famille Martin"},
		{"town hall removes the parent from A", func() {
			if err := f.Store.RemoveMember(ctx, famA, email); err != nil {
				t.Fatal(err)
			}
		}, false, false, ""},
		{"linking A again restores the membership", func() { link(codeA) }, true, false, "Famille Martin"},
		{"link B leaves A", func() { link(codeB) }, false, true, "Famille Durand"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.do()
			if member(famA) != s.a || member(famB) != s.b {
				t.Errorf("member of A %v, of B %v; want %v, %v", member(famA), member(famB), s.a, s.b)
			}
			m := f.me(t, tok)
			if got := ""; m.Family != nil {
				got = m.Family.Name
				if got != s.sees {
					t.Errorf("sees %q, want %q", got, s.sees)
				}
			} else if s.sees != "" {
				t.Errorf("sees no family, want %q", s.sees)
			} else if len(m.Children) != 0 {
				t.Errorf("sees children %+v", m.Children)
			}
		})
	}
}
