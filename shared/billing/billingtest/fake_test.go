package billingtest

import "testing"

func TestFakeLedger(t *testing.T) {
	TestStore(t, func(*testing.T) Store { return NewLedger() })
}
