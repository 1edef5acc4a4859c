package store_test

import (
	"testing"

	"github.com/preau/preau/shared/registry/registrytest"
)

func TestRegistryContract(t *testing.T) {
	registrytest.Contract(t, func(t *testing.T) registrytest.Store { return accountStore(t) })
}
