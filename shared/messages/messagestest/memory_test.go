package messagestest_test

import (
	"testing"

	"github.com/preau/preau/shared/messages"
	"github.com/preau/preau/shared/messages/messagestest"
)

func TestMemory(t *testing.T) {
	messagestest.StoreContract(t, func(*testing.T) messages.Store { return messagestest.NewMemory() })
}
