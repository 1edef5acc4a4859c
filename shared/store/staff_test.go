package store_test

import (
	"testing"

	"github.com/preau/preau/shared/staff/stafftest"
)

func TestStaffContract(t *testing.T) {
	stafftest.Contract(t, func(t *testing.T) stafftest.Store { return accountStore(t) })
}
