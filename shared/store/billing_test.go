package store_test

import (
	"testing"

	"github.com/preau/preau/shared/billing/billingtest"
)

// TestBillingContract runs billing's contract suite (numbering under retried, doubled and
// interrupted runs, payments applied once, attempts) against DynamoDB.
func TestBillingContract(t *testing.T) {
	billingtest.TestStore(t, func(t *testing.T) billingtest.Store { return newStore(t) })
}
