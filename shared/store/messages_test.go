package store_test

import (
	"testing"

	"github.com/preau/preau/shared/messages"
	"github.com/preau/preau/shared/messages/messagestest"
)

// TestMessagesContract holds the DynamoDB store to the messages' contract.
func TestMessagesContract(t *testing.T) {
	messagestest.StoreContract(t, func(t *testing.T) messages.Store { return newStore(t) })
}
