package main

import (
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/preau/preau/infra/eventstest"
)

// TestSampleEvents replays events/*.json through the Lambda adapter main.go uses; every answer,
// page or not, carries the Content-Security-Policy.
func TestSampleEvents(t *testing.T) {
	h := newTestHandler(t, paris(t, december1), fakeClosures{})
	csp := func(t *testing.T, res events.APIGatewayV2HTTPResponse) {
		if res.Headers["Content-Security-Policy"] == "" {
			t.Error("no Content-Security-Policy")
		}
	}
	if n := eventstest.Replay(t, "events", func(*testing.T) http.Handler { return h }, csp); n < 5 {
		t.Errorf("only %d samples", n)
	}
}
