package samtemplate

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func load(t *testing.T, params, tables map[string]string) *Template {
	t.Helper()
	root, err := ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := Load(filepath.Join(root, "template.yaml"), params, tables)
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func TestLoadRealTemplate(t *testing.T) {
	tpl := load(t, map[string]string{"SecretKeyParameter": "/preau/test-key", "CutoffHour": "9"},
		map[string]string{"DataTable": "test-data", "SessionTable": "test-sessions"})

	portal, ok := tpl.Function("Portal")
	if !ok {
		t.Fatal("no Portal function")
	}
	t.Run("globals merged and intrinsics resolved", func(t *testing.T) {
		want := map[string]string{
			"COMMUNE_NAME":           "Laigneville",
			"SUBSCRIBER_CODE_PREFIX": "BLENFANCE-12087-",
			"CUTOFF_WORKING_DAYS":    "2", // Number default
			"CUTOFF_HOUR":            "9", // overridden
			"DATA_TABLE":             "test-data",
			"SESSION_TABLE":          "test-sessions",
		}
		for k, v := range want {
			if got := portal.Env[k]; got != v {
				t.Errorf("Env[%s] = %q, want %q", k, got, v)
			}
		}
		if portal.Dir != "functions/portal" || portal.Runtime != "provided.al2023" ||
			portal.Handler != "bootstrap" || !slices.Equal(portal.Architectures, []string{"arm64"}) ||
			portal.BuildMethod != "makefile" {
			t.Errorf("settings: %+v", portal)
		}
	})
	t.Run("function overrides globals", func(t *testing.T) {
		lp, _ := tpl.Function("LongPeriod")
		if lp.Timeout != 29 || lp.MemorySize != 256 || lp.Dir != "functions/longperiod" {
			t.Errorf("LongPeriod timeout/memory/dir = %d/%d/%s", lp.Timeout, lp.MemorySize, lp.Dir)
		}
	})
	t.Run("routes", func(t *testing.T) {
		if !slices.Contains(portal.Routes, Route{Method: "GET", Path: "/static/{file+}", Event: "Static"}) {
			t.Errorf("Portal routes lack the greedy static route: %v", portal.Routes)
		}
		pl, _ := tpl.Function("Planning")
		if pl.Env["SECRET_KEY_PARAMETER"] != "/preau/test-key" || pl.Env["COMMUNE_NAME"] != "Laigneville" {
			t.Errorf("Planning env: function variables not merged over Globals: %v", pl.Env)
		}
		if !slices.Contains(pl.Routes, Route{Method: "GET", Path: "/api/v1/children/{childId}/planning", Event: "PlanningAPI"}) {
			t.Errorf("Planning routes: %v", pl.Routes)
		}
		if !slices.Contains(tpl.RouteKeys(), "DELETE /api/v1/children/{childId}/reservations/{date}/{activity}") {
			t.Error("Cancellation API route missing")
		}
	})
	t.Run("policies", func(t *testing.T) {
		su, _ := tpl.Function("Signup")
		var ses *Statement
		for i, s := range su.Policies {
			if slices.Contains(s.Actions, "ses:SendEmail") {
				ses = &su.Policies[i]
			}
		}
		if ses == nil || !slices.Equal(ses.Resources, []string{"arn:aws:ses:eu-west-3:000000000000:identity/laigneville.fr"}) {
			t.Errorf("Signup SES statement: %+v", ses)
		}
		if !slices.Contains(portal.Policies[0].Resources, TableArn("test-data")) {
			t.Errorf("Portal table statement: %+v", portal.Policies[0])
		}
	})
	t.Run("tables", func(t *testing.T) {
		data, ok := tpl.Table("DataTable")
		if !ok || aws.ToString(data.CreateTableInput.TableName) != "test-data" || data.TTLAttribute != "" ||
			len(data.CreateTableInput.GlobalSecondaryIndexes) != 1 || !data.PointInTimeRecovery {
			t.Errorf("DataTable: %+v", data)
		}
		sess, _ := tpl.Table("SessionTable")
		if sess.TTLAttribute != "expiresAt" || aws.ToString(sess.CreateTableInput.TableName) != "test-sessions" {
			t.Errorf("SessionTable: %+v", sess)
		}
	})
}

func TestParseIntrinsics(t *testing.T) {
	const src = `
Parameters:
  Name: {Type: String, Default: x}
Resources:
  T:
    Type: AWS::DynamoDB::Table
    Properties: {BillingMode: PAY_PER_REQUEST}
  F:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          A: !Sub "${Name}-${AWS::Region}-${T}-${!Literal}"
          B: !Sub ["${V}/${T.Arn}", {V: !Ref Name}]
          C: !GetAtt [T, Arn]
      Events:
        Nightly:
          Type: ScheduleV2
          Properties: {ScheduleExpression: "cron(0 18 * * ? *)", ScheduleExpressionTimezone: Europe/Paris, Input: '{"kind":"reminder"}'}
`
	tpl, err := Parse([]byte(src), nil, map[string]string{"T": "local-t"})
	if err != nil {
		t.Fatal(err)
	}
	f := tpl.Functions[0]
	for k, want := range map[string]string{
		"A": "x-eu-west-3-local-t-${Literal}",
		"B": "x/" + TableArn("local-t"),
		"C": TableArn("local-t"),
	} {
		if f.Env[k] != want {
			t.Errorf("%s = %q, want %q", k, f.Env[k], want)
		}
	}
	want := Schedule{Name: "Nightly", Expression: "cron(0 18 * * ? *)", Timezone: "Europe/Paris", Input: `{"kind":"reminder"}`}
	if len(f.Schedules) != 1 || f.Schedules[0] != want {
		t.Errorf("schedules = %+v", f.Schedules)
	}

	t.Run("unknown reference fails", func(t *testing.T) {
		bad := `
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties: {Environment: {Variables: {X: !Ref Nope}}}
`
		if _, err := Parse([]byte(bad), nil, nil); err == nil {
			t.Error("Ref to an unknown name parsed")
		}
	})
}
