package main

import (
	"context"
	"testing"
	"time"

	"github.com/preau/preau/infra/demo"
	"github.com/preau/preau/infra/dynamotest"
	"github.com/preau/preau/infra/routefuzz"
	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/export"
	"github.com/preau/preau/shared/store"
	"github.com/preau/preau/shared/web"
)

// FuzzRoutes sends hostile formats and queries to every route of Export, gathering from the
// emulator's tables with the demo commune loaded: no answer is a 5xx.
func FuzzRoutes(f *testing.F) {
	db := dynamotest.New(f)
	st := store.New(db.Client, store.Tables{Data: db.DataTable, Session: db.SessionTable})
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, date.Paris)
	ctx := context.Background()
	if err := demo.Load(ctx, st, now); err != nil {
		f.Fatal(err)
	}
	if err := st.CreateAccount(ctx, accounts.Account{Email: "camille.martin@example.fr", Civility: "Mme", LastName: "Martin",
		FirstName: "Camille", PasswordHash: "x", CreatedAt: now, ConfirmedAt: now, FamilyID: demo.Families[0].ID, SessionStamp: "s"}); err != nil {
		f.Fatal(err)
	}
	if err := st.AddMember(ctx, demo.Families[0].ID, "camille.martin@example.fr", now); err != nil {
		f.Fatal(err)
	}
	h, err := New(Deps{Commune: "Laigneville", Export: export.NewService("Laigneville", st), Clock: clock.NewFixed(now),
		Sessions: sessions{}, Cookies: web.Cookies{Insecure: true}})
	if err != nil {
		f.Fatal(err)
	}
	routefuzz.Fuzz(f, routefuzz.Target{
		Function: "Export",
		Handler:  h,
		Sessions: []string{"parent-a", "gone"},
		Params:   map[string]string{"format": "csv"},
		Queries:  map[string][]string{"GET /api/v1/me/export": {"format=json"}},
	})
}
