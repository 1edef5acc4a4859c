package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

// TestSampleEvents replays events/*.json (API Gateway HTTP API, payload 2.0) through the Lambda
// adapter main.go uses, and checks the status in the matching .expect.json. The session cookie
// "parent-a" is the fixture's signed-in parent.
func TestSampleEvents(t *testing.T) {
	files, err := filepath.Glob("events/*.json")
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
			f := setup(t)
			var ev events.APIGatewayV2HTTPRequest
			var want struct{ Status int }
			read(t, name, &ev)
			read(t, strings.TrimSuffix(name, ".json")+".expect.json", &want)
			res, err := httpadapter.NewV2(f.h).ProxyWithContext(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != want.Status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, want.Status, res.Body)
			}
		})
	}
	if n == 0 {
		t.Fatal("no sample events")
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
