package main

import (
	"net/http"
	"testing"

	"github.com/preau/preau/infra/eventstest"
)

// TestSampleEvents replays events/*.json through the Lambda adapter main.go uses, all on one
// fixture.
func TestSampleEvents(t *testing.T) {
	f := setup(t)
	if n := eventstest.Replay(t, "events", func(*testing.T) http.Handler { return f.h }); n < 3 {
		t.Errorf("only %d samples", n)
	}
}
