// Package config reads a function's settings from its environment once per cold start.
// template.yaml sets them (Globals); the local stack sets the same names plus the local-only
// ones (PREAU_LOCAL, COOKIE_INSECURE, ANTIROBOT_DISABLED, LOCAL_CLOCK, SECRET_KEY), which are
// refused in Lambda. A bad or missing setting fails start-up with a message naming it.
//
// The secret key is never in a deployed function's environment, where any reader of the
// function's configuration would see it: template.yaml gives the functions that sign something
// SECRET_KEY_PARAMETER, the name of an SSM Parameter Store SecureString, which LoadSecretKey
// reads and decrypts once per cold start. The local stack passes its generated key directly as
// SECRET_KEY.
package config

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/cutoff"
)

// Config is what every function knows about its commune and its stack.
type Config struct {
	CommuneName          string        // "Laigneville"
	SubscriberCodePrefix string        // "BLENFANCE-12087-"
	MailFrom             string        // sender of every e-mail
	BaseURL              *url.URL      // public URL, for absolute links
	Cutoff               cutoff.Policy // commune-wide cutoff (activities may override)
	SecretKey            []byte        // HMAC key for signed challenges, links and feeds (see LoadSecretKey)
	SecretKeyParameter   string        // SSM parameter holding SecretKey, deployed
	DataTable            string
	SessionTable         string

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
		SecretKey:            []byte(os.Getenv("SECRET_KEY")),
		SecretKeyParameter:   os.Getenv("SECRET_KEY_PARAMETER"),
		DataTable:            need("DATA_TABLE"),
		SessionTable:         need("SESSION_TABLE"),
		Cutoff:               cutoff.Policy{WorkingDaysBefore: num("CUTOFF_WORKING_DAYS"), Hour: num("CUTOFF_HOUR")},
	}
	if err := c.Cutoff.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("cutoff: %w", err))
	}
	if len(c.SecretKey) > 0 && len(c.SecretKey) < minSecretKey {
		errs = append(errs, errors.New("SECRET_KEY must have at least 32 characters"))
	}
	if len(c.SecretKey) > 0 && c.SecretKeyParameter != "" {
		errs = append(errs, errors.New("SECRET_KEY and SECRET_KEY_PARAMETER are both set: keep one"))
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

// minSecretKey is the shortest secret key accepted, in bytes.
const minSecretKey = 32

// ParameterReader reads one SSM parameter (the SSM client implements it).
type ParameterReader interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, opts ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// LoadSecretKey reads SecretKey from the SecureString parameter SecretKeyParameter names,
// decrypted with its KMS key (the function's policy allows both). A plain String parameter is
// refused: the key must never be stored unencrypted. Without SecretKeyParameter it does nothing
// (the local stack sets SECRET_KEY; functions that sign nothing have neither).
func (c *Config) LoadSecretKey(ctx context.Context, params ParameterReader) error {
	if c.SecretKeyParameter == "" {
		return nil
	}
	out, err := params.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(c.SecretKeyParameter), WithDecryption: aws.Bool(true)})
	if err != nil {
		return fmt.Errorf("configuration: SECRET_KEY_PARAMETER %s: %w", c.SecretKeyParameter, err)
	}
	p := out.Parameter
	switch {
	case p == nil || p.Value == nil:
		return fmt.Errorf("configuration: SECRET_KEY_PARAMETER %s has no value", c.SecretKeyParameter)
	case p.Type != ssmtypes.ParameterTypeSecureString:
		return fmt.Errorf("configuration: SECRET_KEY_PARAMETER %s is a %s, not a SecureString", c.SecretKeyParameter, p.Type)
	case len(*p.Value) < minSecretKey:
		return fmt.Errorf("configuration: SECRET_KEY_PARAMETER %s must hold at least %d characters", c.SecretKeyParameter, minSecretKey)
	}
	c.SecretKey = []byte(*p.Value)
	return nil
}

// NeedSecretKey fails start-up of a function that signs something when it has no key.
func (c *Config) NeedSecretKey() error {
	if len(c.SecretKey) == 0 {
		return errors.New("configuration: SECRET_KEY_PARAMETER (or, in the local stack, SECRET_KEY) is not set")
	}
	return nil
}

// Link returns the absolute URL of path (with its query) on the portal, for e-mails and feeds.
func (c *Config) Link(pathAndQuery string) string {
	return c.BaseURL.String() + pathAndQuery
}

// AWS loads the SDK configuration once per cold start. Endpoints come from the standard
// AWS_ENDPOINT_URL_<SERVICE> variables, which is how the local stack points at its emulators.
func AWS(ctx context.Context) (aws.Config, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return aws.Config{}, fmt.Errorf("aws config: %w", err)
	}
	return cfg, nil
}
