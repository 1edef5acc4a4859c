package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"

	"github.com/preau/preau/shared/awscall"
)

// Caller makes one signed AWS call (*awscall.Service).
type Caller interface {
	Retry(ctx context.Context, attempts int, method, path string, header http.Header, body []byte) (awscall.Answer, error)
}

// invokeAttempts is how many times an unanswered, throttled or failing Invoke is made.
const invokeAttempts = 3

// SelfInvoke continues a run in a new asynchronous invocation of this function (in Lambda,
// AWS_LAMBDA_FUNCTION_NAME names it; template.yaml allows lambda:InvokeFunction on itself only):
// Lambda's Invoke API with the Event invocation type, one signed call (shared/awscall) rather
// than the SDK's Lambda client, which linked its every operation for this one.
type SelfInvoke struct {
	Lambda Caller // awscall.New(cfg, "lambda", ...)
}

// Continue invokes the function again with e, without waiting for it: Lambda answers 202 once it
// has queued the event.
func (s SelfInvoke) Continue(ctx context.Context, e Event) error {
	name := os.Getenv("AWS_LAMBDA_FUNCTION_NAME")
	if name == "" {
		return errors.New("AWS_LAMBDA_FUNCTION_NAME is not set")
	}
	payload, err := json.Marshal(e)
	if err != nil {
		return err
	}
	ans, err := s.Lambda.Retry(ctx, invokeAttempts, http.MethodPost, "/2015-03-31/functions/"+url.PathEscape(name)+"/invocations",
		http.Header{"X-Amz-Invocation-Type": {"Event"}, "Content-Type": {"application/json"}}, payload)
	if err != nil {
		return fmt.Errorf("invoke: %w", err)
	}
	if ans.Status != http.StatusAccepted {
		return fmt.Errorf("invoke: %s", ans.Type())
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
