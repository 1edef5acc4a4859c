// Package config reads a function's settings from its environment once per cold start.
// template.yaml sets them (Globals); the local stack sets the same names plus the local-only
// ones (PREAU_LOCAL, COOKIE_INSECURE, ANTIROBOT_DISABLED, LOCAL_CLOCK), which are refused in Lambda.
// A bad or missing setting fails start-up with a message naming it.
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
	SecretKey            []byte        // HMAC key for signed challenges
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
		SecretKey:            []byte(need("SECRET_KEY")),
		DataTable:            need("DATA_TABLE"),
		SessionTable:         need("SESSION_TABLE"),
		Cutoff:               cutoff.Policy{WorkingDaysBefore: num("CUTOFF_WORKING_DAYS"), Hour: num("CUTOFF_HOUR")},
	}
	if err := c.Cutoff.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("cutoff: %w", err))
	}
	if len(c.SecretKey) > 0 && len(c.SecretKey) < 32 {
		errs = append(errs, errors.New("SECRET_KEY must have at least 32 characters"))
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
		for _, name := range []string{"PREAU_LOCAL", "COOKIE_INSECURE", "ANTIROBOT_DISABLED", "LOCAL_CLOCK"} {
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
