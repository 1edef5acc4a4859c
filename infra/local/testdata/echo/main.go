// Command echo is a test function for the local stack: it answers each API Gateway v2 event
// with the event itself as JSON, sets two cookies, and answers any other event with itself.
package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handle(_ context.Context, raw json.RawMessage) (any, error) {
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(raw, &ev); err != nil || ev.RouteKey == "" {
		return raw, nil // a scheduled event: answered as is
	}
	env, _ := json.Marshal(map[string]string{"LOCAL_CLOCK": os.Getenv("LOCAL_CLOCK"),
		"LOCAL_CLOCK_BASE": os.Getenv("LOCAL_CLOCK_BASE"), "LAMBDA_TASK_ROOT": os.Getenv("LAMBDA_TASK_ROOT"),
		"DATA_TABLE": os.Getenv("DATA_TABLE"), "BASE_URL": os.Getenv("BASE_URL"), "COMMUNE_NAME": os.Getenv("COMMUNE_NAME")})
	body, _ := json.Marshal(map[string]any{"event": ev, "env": json.RawMessage(env)})
	return events.APIGatewayV2HTTPResponse{
		StatusCode: 200,
		Headers:    map[string]string{"Content-Type": "application/json", "X-Echo": "1"},
		Cookies:    []string{"a=1; Path=/; HttpOnly", "b=2; Path=/"},
		Body:       string(body),
	}, nil
}

func main() { lambda.Start(handle) }
