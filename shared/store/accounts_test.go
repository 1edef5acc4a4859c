package store_test

import (
	"testing"
	"time"

	"github.com/preau/preau/infra/dynamotest"
	"github.com/preau/preau/shared/accounts/accountstest"
	"github.com/preau/preau/shared/store"
)

func accountStore(t *testing.T) *store.Store {
	t.Helper()
	env := dynamotest.New(t)
	return store.New(env.Client, store.Tables{Data: env.DataTable, Session: env.SessionTable})
}

var at = time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)

// TestAccountStoreContract holds the DynamoDB store to the contract the in-memory store used by
// the handler tests passes too (conditional writes under real concurrency included).
func TestAccountStoreContract(t *testing.T) {
	accountstest.StoreContract(t, func(t *testing.T) accountstest.Store { return accountStore(t) })
}
