package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/accounts/accountstest"
	"github.com/preau/preau/shared/family"
)

// TestConfirmChecksCodeAgain: the code given at sign-up is checked again on confirmation; one
// revoked meanwhile links nothing, and the parent is told so.
func TestConfirmChecksCodeAgain(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	cases := []struct {
		name     string
		viaPage  bool
		revoke   bool
		linked   bool
		refused  bool
		wantFam  bool
		wantMemb bool
	}{
		{"code still valid", false, false, true, false, true, true},
		{"code revoked before confirmation", false, true, false, true, false, false},
		{"code revoked, confirmed on the page", true, true, false, true, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			famID, code := f.Family(t, "Martin", false)
			email := accountstest.Email("recheck")
			in := f.Input(email)
			in.SubscriberCode = code
			if err := f.Service.Signup(ctx, in); err != nil {
				t.Fatal(err)
			}
			if c.revoke {
				if err := f.Store.PutSubscriberCode(ctx, family.SubscriberCode{Code: code, FamilyID: famID, Revoked: true}); err != nil {
					t.Fatal(err)
				}
			}
			_, token := accountstest.LinkIn(t, f.Box.WaitFor(email, "Confirmez", 5*time.Second).Text)
			if c.viaPage {
				page := f.form(t, "/confirm", url.Values{"token": {token}})
				if page.Code != http.StatusOK || strings.Contains(page.Body.String(), "pas été rattaché à votre famille") != c.refused {
					t.Errorf("page: %d %.500s", page.Code, page.Body)
				}
			} else {
				w := f.json(t, http.MethodPost, "/api/v1/confirm", map[string]string{"token": token})
				var got confirmed
				if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != http.StatusOK {
					t.Fatalf("confirm: %d %s", w.Code, w.Body)
				}
				if got.FamilyLinked != c.linked || got.CodeRefused != c.refused {
					t.Errorf("answer %+v", got)
				}
			}
			acc, err := f.Store.Account(ctx, email)
			if err != nil || !acc.Confirmed() || (acc.FamilyID == famID) != c.wantFam {
				t.Errorf("account %+v %v", acc, err)
			}
			if members := f.MemberEmails(t, famID); slices.Contains(members, email) != c.wantMemb {
				t.Errorf("members %v", members)
			}
		})
	}
}
