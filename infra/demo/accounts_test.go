package demo

import (
	"context"
	"testing"
	"time"

	"github.com/preau/preau/infra/dynamotest"
	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/accounts/argon2id"
	"github.com/preau/preau/shared/store"
)

func TestDemoParentCanSignIn(t *testing.T) {
	env := dynamotest.New(t)
	s := store.New(env.Client, store.Tables{Data: env.DataTable, Session: env.SessionTable})
	ctx := context.Background()
	now := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
	if err := Load(ctx, s, now); err != nil {
		t.Fatal(err)
	}
	if err := LoadAccounts(ctx, s, now); err != nil { // idempotent
		t.Fatal(err)
	}
	acc, err := s.Account(ctx, ParentEmail)
	if err != nil || !acc.Confirmed() || acc.FamilyID != Families[0].ID {
		t.Fatalf("demo parent %+v %v", acc, err)
	}
	if ok, _, err := argon2id.Default().Verify(ParentPassword, acc.PasswordHash); !ok || err != nil {
		t.Errorf("demo password does not match: %v", err)
	}
	if accounts.CheckPassword(ParentPassword) != "" {
		t.Errorf("demo password breaks the rule")
	}
	unclaimed := 0
	for _, f := range Families {
		rec, err := s.Family(ctx, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Members) == 0 {
			unclaimed++
		}
	}
	if unclaimed < 2 {
		t.Errorf("%d unclaimed codes", unclaimed)
	}
}
