package accountstest

import "testing"

// TestMemoryStore holds the in-memory store to the contract the DynamoDB store passes too.
func TestMemoryStore(t *testing.T) {
	StoreContract(t, func(*testing.T) Store { return NewMemory() })
}
