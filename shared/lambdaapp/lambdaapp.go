// Package lambdaapp is the start-up every function shares: read the configuration, load the AWS
// SDK settings, start reading the secret key from SSM Parameter Store when the function has one
// (in the background: its first use waits for it), build the store and the session resolver
// once per cold start, then hand the function's
// http.Handler to Lambda through the API Gateway v2 adapter. A function's main.go
// keeps only what is its own (a scheduled function calls RunJob instead of Run):
//
//	func main() {
//		lambdaapp.Run("signup", func(ctx context.Context, env *lambdaapp.Env) (http.Handler, error) {
//			return New(Deps{Sessions: env.Sessions, Cookies: env.Cookies, HSTS: env.HSTS})
//		})
//	}
//
// Bad configuration fails at start-up, before Lambda takes any request, with a message that
// names the function. A secret key that cannot be read (a missing parameter, not a
// SecureString, too short, SSM failing after its retries) fails the same way as soon as its
// read ends, which is usually before the first request; a request that needed the key
// meanwhile gets a 503, never an answer signed with no key.
package lambdaapp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/middleware"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/config"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/store"
	"github.com/preau/preau/shared/web"
)

// Env is what every function's wiring starts from.
type Env struct {
	Config   *config.Config
	AWS      aws.Config                // SDK settings, for the clients a function adds (SES)
	Store    *store.Store              // the data and session tables
	Sessions *accounts.SessionResolver // reads the session cookie's account
	Cookies  web.Cookies               // plain-http cookies in the local stack only
	HSTS     bool                      // ask browsers for HTTPS, everywhere but the local stack
}

// settingsTTL is how long a container keeps activity settings and closures before reading them
// again: they change a few times a year, and every function that states or applies a deadline
// keeps them the same minute, so what is published changes when what is enforced does.
const settingsTTL = time.Minute

// Reservations returns the reservation rules over the store, with the commune's calendar,
// cutoff policy and clock: the one way every function builds them. o's SettingsTTL defaults to
// settingsTTL, its Link to the portal's public URL.
func (e *Env) Reservations(o reservations.Options) *reservations.Service {
	if o.SettingsTTL == 0 {
		o.SettingsTTL = settingsTTL
	}
	if o.Link == nil {
		base := strings.TrimRight(e.Config.BaseURL.String(), "/")
		o.Link = func(path string) string { return base + path }
	}
	if o.Holidays == nil {
		o.Holidays = e.Store // the school years the town hall loaded
	}
	return reservations.New(e.Store, e.Config.Clock, e.Config.Calendar, e.Config.Cutoff, o)
}

// Observed returns a copy of e whose AWS settings, and so its store and every client built from
// them, run the SDK middleware mw on each call (the Reminder job counts its calls so). The
// session resolver stays e's.
func (e *Env) Observed(mw ...func(*middleware.Stack) error) *Env {
	o := *e
	o.AWS = e.AWS.Copy()
	o.AWS.APIOptions = append(o.AWS.APIOptions, mw...)
	o.Store = store.NewFromConfig(o.AWS, store.Tables{Data: e.Config.DataTable, Session: e.Config.SessionTable})
	return &o
}

// Build makes a function's handler from the shared wiring.
type Build func(ctx context.Context, env *Env) (http.Handler, error)

// Run starts the function called name (as it prefixes start-up errors) and serves its handler
// until Lambda stops the process. Any start-up error is printed and the process exits with 1.
func Run(name string, build Build) {
	web.InitLogging()
	e, err := env(context.Background())
	if err != nil {
		fail(name, err)
	}
	watchSecretKey(name, e.Config)
	h, err := build(context.Background(), e)
	if err != nil {
		fail(name, err)
	}
	lambda.Start(httpadapter.NewV2(h).ProxyWithContext)
}

// fail reports a start-up error naming the function and exits with 1.
func fail(name string, err error) {
	fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
	os.Exit(1)
}

// watchSecretKey fails the function, as a start-up error, when its secret key, read in the
// background, cannot be had: a misconfigured deployment stops at once rather than answering
// 503 to every request that needs the key.
func watchSecretKey(name string, cfg *config.Config) {
	if cfg.SecretKey == nil {
		return
	}
	go func() {
		if err := cfg.SecretKey.Wait(); err != nil {
			fail(name, err)
		}
	}()
}

// Job is one invocation of a scheduled function: the event is what EventBridge Scheduler sends
// (the schedule's Input, or a "Scheduled Event"). A returned error makes Lambda report the
// invocation failed, so the schedule's retry policy applies.
type Job func(ctx context.Context, event json.RawMessage) error

// BuildJob makes a scheduled function's job from the shared wiring.
type BuildJob func(ctx context.Context, env *Env) (Job, error)

// RunJob starts the scheduled function called name and runs its job for each invocation. Any
// start-up error is printed and the process exits with 1, as with Run.
func RunJob(name string, build BuildJob) {
	web.InitLogging()
	e, err := env(context.Background())
	if err != nil {
		fail(name, err)
	}
	watchSecretKey(name, e.Config)
	job, err := build(context.Background(), e)
	if err != nil {
		fail(name, err)
	}
	lambda.Start(func(ctx context.Context, event json.RawMessage) error { return job(ctx, event) })
}

// env reads the configuration and builds what every function shares.
func env(ctx context.Context) (*Env, error) {
	cfg, err := config.FromEnv()
	if err != nil {
		return nil, err
	}
	awsCfg, err := config.AWS(ctx)
	if err != nil {
		return nil, err
	}
	cfg.LoadSecretKey(config.NewSSM(awsCfg))
	st := store.NewFromConfig(awsCfg, store.Tables{Data: cfg.DataTable, Session: cfg.SessionTable})
	return &Env{
		Config:   cfg,
		AWS:      awsCfg,
		Store:    st,
		Sessions: accounts.NewSessionResolver(st, cfg.Clock),
		Cookies:  web.Cookies{Insecure: cfg.CookieInsecure},
		HSTS:     !cfg.Local,
	}, nil
}
