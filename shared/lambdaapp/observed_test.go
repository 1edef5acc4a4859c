package lambdaapp

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/middleware"

	"github.com/preau/preau/shared/config"
	"github.com/preau/preau/shared/store"
)

// Observed's store runs the middleware on each call; the Env it was made from does not.
func TestObservedStoreRunsTheMiddleware(t *testing.T) {
	awsCfg := aws.Config{Region: "eu-west-3", Credentials: aws.AnonymousCredentials{},
		BaseEndpoint: aws.String("http://127.0.0.1:1"), Retryer: func() aws.Retryer { return aws.NopRetryer{} }}
	cfg := &config.Config{DataTable: "data", SessionTable: "sessions"}
	e := &Env{Config: cfg, AWS: awsCfg, Store: store.NewFromConfig(awsCfg, store.Tables{Data: "data", Session: "sessions"})}
	var n atomic.Int32
	count := func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("count",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				n.Add(1)
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	}
	o := e.Observed(count)
	_, _ = e.Store.Invoices(context.Background(), "f_1") // one Query, refused: nothing listens there
	if n.Load() != 0 {
		t.Fatalf("the original store counted %d calls", n.Load())
	}
	_, _ = o.Store.Invoices(context.Background(), "f_1")
	if n.Load() != 1 {
		t.Errorf("the observed store counted %d calls, want 1", n.Load())
	}
	if len(e.AWS.APIOptions) != 0 {
		t.Errorf("Observed changed the original settings: %d API options", len(e.AWS.APIOptions))
	}
}
