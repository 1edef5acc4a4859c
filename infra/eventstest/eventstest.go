// Package eventstest replays a function's sample events through the Lambda adapter its main.go
// uses, so the samples in functions/<name>/events/ stay true to the handler. Only _test.go files
// import it.
//
// Each sample is an API Gateway HTTP API event (payload 2.0), <name>.json, next to the status
// it must get, <name>.expect.json ({"status": 200}):
//
//	func TestSampleEvents(t *testing.T) {
//		eventstest.Replay(t, "events", func(t *testing.T) http.Handler { return setup(t).h })
//	}
//
// A scheduled function's samples are the schedule's Input as its job receives it (ReplayJob).
package eventstest

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

// Check is an extra assertion on every sample's response.
type Check func(t *testing.T, res events.APIGatewayV2HTTPResponse)

// Replay runs every sample of dir in its own subtest, through httpadapter.NewV2 on the handler
// newHandler returns for that subtest, and checks the expected status and then each check. It
// fails when dir holds no sample, and returns how many it replayed.
func Replay(t *testing.T, dir string, newHandler func(t *testing.T) http.Handler, checks ...Check) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, name := range files {
		if strings.HasSuffix(name, ".expect.json") {
			continue
		}
		n++
		t.Run(filepath.Base(name), func(t *testing.T) {
			var ev events.APIGatewayV2HTTPRequest
			var want struct{ Status int }
			read(t, name, &ev)
			read(t, strings.TrimSuffix(name, ".json")+".expect.json", &want)
			if ev.Version != "2.0" || ev.RequestContext.HTTP.Method == "" {
				t.Fatalf("%s is not an API Gateway v2 HTTP event", name)
			}
			res, err := httpadapter.NewV2(newHandler(t)).ProxyWithContext(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != want.Status {
				t.Fatalf("status %d, want %d; body %.300s", res.StatusCode, want.Status, res.Body)
			}
			for _, check := range checks {
				check(t, res)
			}
		})
	}
	if n == 0 {
		t.Fatalf("no sample events in %s", dir)
	}
	return n
}

// ReplayJob hands every sample of dir (*.json: what EventBridge Scheduler sends a scheduled
// function) to run in its own subtest. It fails when dir holds no sample.
func ReplayJob(t *testing.T, dir string, run func(t *testing.T, event json.RawMessage)) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no sample events in %s", dir)
	}
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			raw, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			run(t, raw)
		})
	}
}

func read(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}
