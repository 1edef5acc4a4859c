// Package config reads a function's settings from its environment once per cold start.
// template.yaml sets them (Globals); the local stack sets the same names plus the local-only
// ones (PREAU_LOCAL, COOKIE_INSECURE, ANTIROBOT_DISABLED, LOCAL_CLOCK, SECRET_KEY), which are
// refused in Lambda. A bad or missing setting fails start-up with a message naming it.
//
// The secret key is never in a deployed function's environment, where any reader of the
// function's configuration would see it: template.yaml gives the functions that sign something
// SECRET_KEY_PARAMETER, the name of an SSM Parameter Store SecureString, which LoadSecretKey
// reads and decrypts once per cold start, in the background so that the read does not delay
// the start (shared/secret). The local stack passes its generated key directly as SECRET_KEY.
package config

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/secret"
)

// Config is what every function knows about its commune and its stack.
type Config struct {
	CommuneName          string        // "Laigneville"
	SubscriberCodePrefix string        // "BLENFANCE-12087-"
	MailFrom             string        // sender of every e-mail
	BaseURL              *url.URL      // public URL, for absolute links
	Cutoff               cutoff.Policy // commune-wide cutoff (activities may override)
	SecretKey            *secret.Key   // HMAC key for signed challenges, links and feeds (see LoadSecretKey); nil: none
	SecretKeyParameter   string        // SSM parameter holding SecretKey, deployed
	DataTable            string
	SessionTable         string
	// SchoolZone is the commune's school-holiday zone ("Zone B"), Calendar the school calendar
	// it starts from (calendar.ForZone: the shipped years in zone B, none elsewhere).
	SchoolZone string
	Calendar   *calendar.Calendar

	Local             bool // running in the local stack (PREAU_LOCAL=1), never in Lambda
	CookieInsecure    bool // local plain-http: cookies without Secure / __Host- prefix
	AntiRobotDisabled bool // local automated runs only
	Clock             clock.Clock
}

// FromEnv reads the configuration; every problem is reported at once.
func FromEnv() (*Config, error) {
	var errs []error
	need := func(name string) string {
		v := os.Getenv(name)
		if v == "" {
			errs = append(errs, fmt.Errorf("%s is not set", name))
		}
		return v
	}
	num := func(name string) int {
		v := need(name)
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q is not a whole number", name, v))
		}
		return n
	}
	c := &Config{
		CommuneName:          need("COMMUNE_NAME"),
		SubscriberCodePrefix: need("SUBSCRIBER_CODE_PREFIX"),
		MailFrom:             need("MAIL_FROM"),
		SecretKeyParameter:   os.Getenv("SECRET_KEY_PARAMETER"),
		DataTable:            need("DATA_TABLE"),
		SessionTable:         need("SESSION_TABLE"),
		Cutoff:               cutoff.Policy{WorkingDaysBefore: num("CUTOFF_WORKING_DAYS"), Hour: num("CUTOFF_HOUR")},
	}
	if err := c.Cutoff.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("cutoff: %w", err))
	}
	c.SchoolZone = cmp.Or(os.Getenv("SCHOOL_ZONE"), calendar.ShippedZone)
	cal, err := calendar.ForZone(c.SchoolZone)
	if err != nil {
		errs = append(errs, fmt.Errorf("SCHOOL_ZONE: %w", err))
	}
	c.Calendar = cal
	if key := os.Getenv("SECRET_KEY"); key != "" {
		if len(key) < secret.MinLength {
			errs = append(errs, errors.New("SECRET_KEY must have at least 32 characters"))
		}
		if c.SecretKeyParameter != "" {
			errs = append(errs, errors.New("SECRET_KEY and SECRET_KEY_PARAMETER are both set: keep one"))
		}
		c.SecretKey = secret.Fixed([]byte(key))
	}
	if raw := need("BASE_URL"); raw != "" {
		u, err := url.Parse(strings.TrimRight(raw, "/"))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("BASE_URL=%q is not an absolute http(s) URL", raw))
		} else {
			c.BaseURL = u
		}
	}

	c.Local = os.Getenv("PREAU_LOCAL") == "1"
	c.CookieInsecure = os.Getenv("COOKIE_INSECURE") == "1"
	c.AntiRobotDisabled = os.Getenv("ANTIROBOT_DISABLED") == "1"
	if clock.InLambda() {
		for _, name := range []string{"PREAU_LOCAL", "COOKIE_INSECURE", "ANTIROBOT_DISABLED", "LOCAL_CLOCK", "SECRET_KEY"} {
			if os.Getenv(name) != "" {
				errs = append(errs, fmt.Errorf("%s is a local-only setting and is refused in Lambda", name))
			}
		}
	} else if (c.CookieInsecure || c.AntiRobotDisabled) && !c.Local {
		errs = append(errs, errors.New("COOKIE_INSECURE and ANTIROBOT_DISABLED need PREAU_LOCAL=1"))
	}
	clk, err := clock.FromEnv()
	if err != nil {
		errs = append(errs, err)
	}
	c.Clock = clk

	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	return c, nil
}

// LoadSecretKey starts reading SecretKey from the SecureString parameter SecretKeyParameter
// names, decrypted with its KMS key (the function's policy allows both), and returns at once:
// the read runs in the background and every use of the key waits for it (secret.Key.Bytes). A
// plain String parameter, a missing one or a key shorter than 32 characters fails the read,
// and so every use of the key; lambdaapp also exits the process on it, as a start-up failure.
// The key must never be stored unencrypted. Without SecretKeyParameter it does nothing (the
// local stack sets SECRET_KEY; functions that sign nothing have neither).
func (c *Config) LoadSecretKey(params ParameterReader) {
	if c.SecretKeyParameter == "" {
		return
	}
	name := c.SecretKeyParameter
	c.SecretKey = secret.Load(func() ([]byte, error) {
		// Not a request's context: the read belongs to the cold start, bounded by the SSM
		// client's timeout and attempts.
		return readSecretKey(context.Background(), params, name)
	})
}

// readSecretKey reads and checks the key held by the parameter called name.
func readSecretKey(ctx context.Context, params ParameterReader, name string) ([]byte, error) {
	p, err := params.Parameter(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("configuration: SECRET_KEY_PARAMETER %s: %w", name, err)
	}
	switch {
	case p.Type != "SecureString":
		return nil, fmt.Errorf("configuration: SECRET_KEY_PARAMETER %s is a %s, not a SecureString", name, p.Type)
	case len(p.Value) < secret.MinLength:
		return nil, fmt.Errorf("configuration: SECRET_KEY_PARAMETER %s must hold at least %d characters", name, secret.MinLength)
	}
	return []byte(p.Value), nil
}

// NeedSecretKey fails start-up of a function that signs something when it is given no key
// (neither a parameter to read it from nor, locally, the key itself).
func (c *Config) NeedSecretKey() error {
	if c.SecretKey == nil {
		return errors.New("configuration: SECRET_KEY_PARAMETER (or, in the local stack, SECRET_KEY) is not set")
	}
	return nil
}

// Link returns the absolute URL of path (with its query) on the portal, for e-mails and feeds.
func (c *Config) Link(pathAndQuery string) string {
	return c.BaseURL.String() + pathAndQuery
}

// AWS returns the SDK configuration of a function, read once per cold start from the variables
// Lambda sets: the region from AWS_REGION (or AWS_DEFAULT_REGION), the function role's
// credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, and each
// service's endpoint from AWS_ENDPOINT_URL_<SERVICE> when set, which is how the local stack
// points at its emulators (SES v2 takes AWS_ENDPOINT_URL_SES when AWS_ENDPOINT_URL_SESV2 is
// unset: the emulator serves both APIs).
//
// It does not load the SDK's default chain (shared config files, SSO, STS, the instance
// metadata service): nothing of it serves a Lambda function, and linking it made every function
// larger and slower to start. Tools run by people with a profile load the default chain
// themselves (infra/staffadmin).
func AWS(ctx context.Context) (aws.Config, error) {
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = os.Getenv("AWS_DEFAULT_REGION")
	}
	cfg := aws.Config{
		Region:        region,
		Credentials:   aws.NewCredentialsCache(envCredentials{}),
		ConfigSources: []any{envEndpoints{}},
	}
	if ep := os.Getenv("AWS_ENDPOINT_URL"); ep != "" {
		cfg.BaseEndpoint = aws.String(ep)
	}
	return cfg, nil
}

// envCredentials are the credentials Lambda puts in the function's environment (its role's),
// read when a client first signs a request.
type envCredentials struct{}

func (envCredentials) Retrieve(context.Context) (aws.Credentials, error) {
	id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	if id == "" || secret == "" {
		return aws.Credentials{}, errors.New("aws credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
	}
	return aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: os.Getenv("AWS_SESSION_TOKEN"),
		Source: "EnvironmentVariables"}, nil
}

// envEndpoints gives a service client its AWS_ENDPOINT_URL_<SERVICE> (the SDK's own naming:
// the service id upper-cased, spaces as underscores).
type envEndpoints struct{}

func (envEndpoints) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	name := "AWS_ENDPOINT_URL_" + strings.ReplaceAll(strings.ToUpper(sdkID), " ", "_")
	if ep := os.Getenv(name); ep != "" {
		return ep, true, nil
	}
	if sdkID == "SESv2" {
		if ep := os.Getenv("AWS_ENDPOINT_URL_SES"); ep != "" {
			return ep, true, nil
		}
	}
	return "", false, nil
}
