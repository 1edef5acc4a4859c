package main

import (
	"net/http"
	"testing"

	"github.com/preau/preau/infra/eventstest"
)

// TestSampleEvents replays events/*.json through the Lambda adapter main.go uses, each on a fresh
// fixture. The session cookie "parent-a" is the fixture's signed-in parent.
func TestSampleEvents(t *testing.T) {
	eventstest.Replay(t, "events", func(t *testing.T) http.Handler { return setup(t).Handler })
}
