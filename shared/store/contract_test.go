package store_test

import (
	"testing"

	"github.com/preau/preau/shared/reservations/reservationstest"
)

// TestStoreKeepsTheReservationsContract runs on DynamoDB the behaviour the reservation rules and
// the calendar feeds rely on, the same tests reservationstest.Memory passes, so handler tests on
// the fake say what the real store does.
func TestStoreKeepsTheReservationsContract(t *testing.T) {
	reservationstest.StoreContract(t, func(t *testing.T) reservationstest.Store { return newStore(t) })
}
