package config

import (
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/date"
)

func setValid(t *testing.T) {
	t.Helper()
	for k, v := range map[string]string{
		"COMMUNE_NAME": "Laigneville", "SUBSCRIBER_CODE_PREFIX": "BLENFANCE-12087-", "MAIL_FROM": "portail@laigneville.fr",
		"SECRET_KEY": strings.Repeat("k", 32), "DATA_TABLE": "data", "SESSION_TABLE": "sessions",
		"CUTOFF_WORKING_DAYS": "2", "CUTOFF_HOUR": "10", "BASE_URL": "https://portail.example.fr/",
		"SCHOOL_ZONE": "", "LAMBDA_TASK_ROOT": "", "PREAU_LOCAL": "", "COOKIE_INSECURE": "", "ANTIROBOT_DISABLED": "", "LOCAL_CLOCK": "", "LOCAL_CLOCK_BASE": "",
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
		{"unknown school zone", map[string]string{"SCHOOL_ZONE": "B"}, "SCHOOL_ZONE"},
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

func TestLegalFromEnv(t *testing.T) {
	valid := map[string]string{
		"COMMUNE_ADDRESS": "1 place de la Mairie, 60290 Laigneville", "COMMUNE_PHONE": "",
		"COMMUNE_SIRET": "21600346400014", "PUBLICATION_DIRECTOR": "Le maire de Laigneville",
		"DPO_EMAIL": "dpo@laigneville.fr", "HOST_DETAILS": "Amazon Web Services EMEA SARL",
		"ACCESSIBILITY_STATUS": "non conforme", "ACCESSIBILITY_AUDIT": "",
	}
	set := func(t *testing.T, over map[string]string) {
		for k, v := range valid {
			t.Setenv(k, v)
		}
		for k, v := range over {
			t.Setenv(k, v)
		}
	}
	set(t, nil)
	l, err := LegalFromEnv()
	if err != nil || l.Siret != "21600346400014" || l.AccessibilityStatus != "non conforme" {
		t.Fatalf("LegalFromEnv = %+v, %v", l, err)
	}
	for name, c := range map[string]struct {
		over map[string]string
		want string
	}{
		"missing address":      {map[string]string{"COMMUNE_ADDRESS": ""}, "COMMUNE_ADDRESS"},
		"short siret":          {map[string]string{"COMMUNE_SIRET": "2160034640001"}, "COMMUNE_SIRET"},
		"dpo not an address":   {map[string]string{"DPO_EMAIL": "dpo"}, "DPO_EMAIL"},
		"unknown status":       {map[string]string{"ACCESSIBILITY_STATUS": "conforme"}, "ACCESSIBILITY_STATUS"},
		"status with no audit": {map[string]string{"ACCESSIBILITY_STATUS": "partiellement conforme"}, "ACCESSIBILITY_AUDIT"},
	} {
		t.Run(name, func(t *testing.T) {
			set(t, c.over)
			if _, err := LegalFromEnv(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one naming %s", err, c.want)
			}
		})
	}
}

func TestRetentionFromEnv(t *testing.T) {
	for _, k := range []string{"RETENTION_INACTIVE_MONTHS", "RETENTION_NOTICE_DAYS", "RETENTION_UNCONFIRMED_DAYS", "RETENTION_RECORDS_YEARS", "LOG_RETENTION_DAYS"} {
		t.Setenv(k, "")
	}
	p, logs, err := RetentionFromEnv()
	if err != nil || p.InactiveMonths != 36 || p.NoticeDays != 30 || p.RecordsYears != 10 || logs != 180 {
		t.Fatalf("defaults = %+v, %d, %v", p, logs, err)
	}
	t.Setenv("RETENTION_INACTIVE_MONTHS", "24")
	t.Setenv("LOG_RETENTION_DAYS", "365")
	if p, logs, err := RetentionFromEnv(); err != nil || p.InactiveMonths != 24 || logs != 365 {
		t.Fatalf("overridden = %+v, %d, %v", p, logs, err)
	}
	t.Setenv("RETENTION_NOTICE_DAYS", "1")
	if _, _, err := RetentionFromEnv(); err == nil || !strings.Contains(err.Error(), "notice") {
		t.Errorf("a 1-day notice: err = %v", err)
	}
}

func TestContactFromEnv(t *testing.T) {
	t.Setenv("CONTACT_EMAIL", "enfance@laigneville.fr")
	if got, err := ContactFromEnv(); err != nil || got != "enfance@laigneville.fr" {
		t.Fatalf("ContactFromEnv = %q, %v", got, err)
	}
	for _, bad := range []string{"", "enfance", "Enfance <enfance@laigneville.fr>"} {
		t.Setenv("CONTACT_EMAIL", bad)
		if _, err := ContactFromEnv(); err == nil {
			t.Errorf("CONTACT_EMAIL=%q accepted", bad)
		}
	}
}

// TestSchoolZone: zone B (the default) starts from the shipped holidays; another zone starts
// from none, so that no day of a school year is open before the town hall loads that zone's.
func TestSchoolZone(t *testing.T) {
	day := date.New(2026, time.December, 7) // a Monday of school in every zone
	for _, tt := range []struct {
		env, zone string
		known     bool
	}{
		{"", "Zone B", true},
		{"Zone B", "Zone B", true},
		{"Zone A", "Zone A", false},
		{"Zone C", "Zone C", false},
	} {
		setValid(t)
		t.Setenv("SCHOOL_ZONE", tt.env)
		c, err := FromEnv()
		if err != nil {
			t.Fatal(err)
		}
		open, r := c.Calendar.Open(calendar.Canteen, "", day)
		if c.SchoolZone != tt.zone || open != tt.known || (!tt.known && r != calendar.ReasonCalendarUnknown) {
			t.Errorf("SCHOOL_ZONE=%q: zone %q, canteen open %v (%s)", tt.env, c.SchoolZone, open, r)
		}
	}
}
