package reservationstest

import "testing"

func TestMemoryKeepsTheStoreContract(t *testing.T) {
	StoreContract(t, func(*testing.T) Store { return NewMemory() })
}
