package registrytest

import (
	"testing"
)

func TestMemoryContract(t *testing.T) {
	Contract(t, func(*testing.T) Store { return NewMemory() })
}
