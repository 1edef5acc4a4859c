package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Invoker is the part of the Lambda client SelfInvoke uses.
type Invoker interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, opts ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// InvokeFunc is an Invoker from the Lambda client's Invoke method value: holding the method
// rather than the client links only Invoke into the binary (the linker keeps every method of
// anything held in an interface, since templates call methods by name).
type InvokeFunc func(ctx context.Context, in *lambda.InvokeInput, opts ...func(*lambda.Options)) (*lambda.InvokeOutput, error)

// Invoke calls f.
func (f InvokeFunc) Invoke(ctx context.Context, in *lambda.InvokeInput, opts ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	return f(ctx, in, opts...)
}

// SelfInvoke continues a run in a new asynchronous invocation of this function (in Lambda,
// AWS_LAMBDA_FUNCTION_NAME names it; template.yaml allows lambda:InvokeFunction on itself only).
type SelfInvoke struct {
	Client Invoker
}

// Continue invokes the function again with e, without waiting for it.
func (s SelfInvoke) Continue(ctx context.Context, e Event) error {
	name := os.Getenv("AWS_LAMBDA_FUNCTION_NAME")
	if name == "" {
		return errors.New("AWS_LAMBDA_FUNCTION_NAME is not set")
	}
	payload, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = s.Client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name),
		InvocationType: types.InvocationTypeEvent, Payload: payload})
	if err != nil {
		return fmt.Errorf("invoke: %w", err)
	}
	return nil
}

// Retrigger is the local stack's continuation, which has no Lambda Invoke API: the next
// invocation's work is done by the next run triggered from /_local/ (or the next schedule),
// which the markers make safe. It only says so.
type Retrigger struct{}

// Continue reports that the run must be triggered again.
func (Retrigger) Continue(context.Context, Event) error {
	return errors.New("unfinished run: trigger the schedule again from /_local/ to continue")
}
