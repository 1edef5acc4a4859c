// Command echo is a minimal aws-lambda-go function for lambdarun's tests: it answers its input,
// fails, sleeps or exits depending on the "do" field of the event.
package main

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Do    string `json:"do"`
	Value string `json:"value"`
}

type reply struct {
	Value     string `json:"value"`
	RequestID string `json:"requestId"`
	Function  string `json:"function"`
	Pid       int    `json:"pid"`
	Env       string `json:"env"`
}

func handle(ctx context.Context, e event) (reply, error) {
	lc, _ := lambdacontext.FromContext(ctx)
	switch e.Do {
	case "fail":
		return reply{}, errors.New("asked to fail")
	case "pause":
		time.Sleep(200 * time.Millisecond)
	case "sleep":
		time.Sleep(10 * time.Second)
	case "exit":
		os.Exit(3)
	}
	return reply{Value: e.Value, RequestID: lc.AwsRequestID, Function: lambdacontext.FunctionName,
		Pid: os.Getpid(), Env: os.Getenv("ECHO_ENV")}, nil
}

func main() { lambda.Start(handle) }
