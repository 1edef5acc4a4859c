package config

import (
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/clock"
)

func setValid(t *testing.T) {
	t.Helper()
	for k, v := range map[string]string{
		"COMMUNE_NAME": "Laigneville", "SUBSCRIBER_CODE_PREFIX": "BLENFANCE-12087-", "MAIL_FROM": "portail@laigneville.fr",
		"SECRET_KEY": strings.Repeat("k", 32), "DATA_TABLE": "data", "SESSION_TABLE": "sessions",
		"CUTOFF_WORKING_DAYS": "2", "CUTOFF_HOUR": "10", "BASE_URL": "https://portail.example.fr/",
		"LAMBDA_TASK_ROOT": "", "PREAU_LOCAL": "", "COOKIE_INSECURE": "", "ANTIROBOT_DISABLED": "", "LOCAL_CLOCK": "", "LOCAL_CLOCK_BASE": "",
	} {
		t.Setenv(k, v)
	}
}

func TestFromEnvValid(t *testing.T) {
	setValid(t)
	c, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if c.Cutoff.WorkingDaysBefore != 2 || c.Cutoff.Hour != 10 || c.Link("/confirm?token=x") != "https://portail.example.fr/confirm?token=x" {
		t.Fatalf("config %+v, link %s", c, c.Link("/confirm?token=x"))
	}
	if _, ok := c.Clock.(clock.System); !ok {
		t.Fatalf("clock %T, want the system clock", c.Clock)
	}
}

func TestFromEnvRefusals(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"missing table", map[string]string{"DATA_TABLE": ""}, "DATA_TABLE is not set"},
		{"short secret", map[string]string{"SECRET_KEY": "short"}, "SECRET_KEY"},
		{"bad hour", map[string]string{"CUTOFF_HOUR": "24"}, "cutoff"},
		{"hour not a number", map[string]string{"CUTOFF_HOUR": "dix"}, "CUTOFF_HOUR"},
		{"relative base url", map[string]string{"BASE_URL": "portail.example.fr"}, "BASE_URL"},
		{"local clock in lambda", map[string]string{"LAMBDA_TASK_ROOT": "/var/task", "LOCAL_CLOCK": "2026-12-03T09:59:59+01:00"}, "LOCAL_CLOCK"},
		{"insecure cookies in lambda", map[string]string{"LAMBDA_TASK_ROOT": "/var/task", "COOKIE_INSECURE": "1"}, "COOKIE_INSECURE"},
		{"anti-robot off in lambda", map[string]string{"LAMBDA_TASK_ROOT": "/var/task", "ANTIROBOT_DISABLED": "1"}, "ANTIROBOT_DISABLED"},
		{"local flags without local stack", map[string]string{"ANTIROBOT_DISABLED": "1"}, "PREAU_LOCAL"},
		{"bad local clock", map[string]string{"PREAU_LOCAL": "1", "LOCAL_CLOCK": "demain"}, "LOCAL_CLOCK"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			setValid(t)
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			_, err := FromEnv()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to name %s", err, c.want)
			}
		})
	}
}

func TestLocalClockRuns(t *testing.T) {
	setValid(t)
	t.Setenv("PREAU_LOCAL", "1")
	start := time.Now().Add(-time.Minute)
	t.Setenv("LOCAL_CLOCK", "2026-12-03T09:59:00+01:00")
	t.Setenv("LOCAL_CLOCK_BASE", start.Format(time.RFC3339Nano))
	c, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	// One real minute has passed since LOCAL_CLOCK_BASE: the local clock reads about 10:00.
	got := c.Clock.Now()
	want := time.Date(2026, 12, 3, 10, 0, 0, 0, time.FixedZone("", 3600))
	if d := got.Sub(want); d < 0 || d > 5*time.Second {
		t.Fatalf("local clock %s, want about %s", got, want)
	}
}
