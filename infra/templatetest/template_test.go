package templatetest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/preau/preau/infra/samtemplate"
)

// kmsKey stands for the commune's KMS key, a parameter without default.
const kmsKey = "arn:aws:kms:eu-west-3:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"

func load(t *testing.T) (string, *samtemplate.Template) {
	t.Helper()
	root, err := samtemplate.ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"), map[string]string{"SecretKeyKmsKeyArn": kmsKey},
		map[string]string{"DataTable": "local-data-table", "SessionTable": "local-session-table"})
	if err != nil {
		t.Fatal(err)
	}
	if len(tpl.Functions) == 0 {
		t.Fatal("template.yaml declares no function")
	}
	return root, tpl
}

func TestGlobals(t *testing.T) {
	_, tpl := load(t)
	g := tpl.Globals
	if g.Runtime != "provided.al2023" || g.Handler != "bootstrap" || !slices.Equal(g.Architectures, []string{"arm64"}) {
		t.Errorf("Globals.Function = %+v, want provided.al2023, bootstrap, [arm64]", g)
	}
	for _, f := range tpl.Functions {
		if f.Runtime != g.Runtime || f.Handler != g.Handler || !slices.Equal(f.Architectures, g.Architectures) {
			t.Errorf("%s overrides the runtime settings: %+v", f.LogicalID, f.FunctionSettings)
		}
	}
}

// The Lambda build every `sam build` runs through the Makefile (BuildMethod: makefile).
var lambdaBuild = regexp.MustCompile(`(?m)^CGO_ENABLED=0 GOOS=linux GOARCH=arm64 \S*go build -tags lambda\.norpc -trimpath -ldflags "-s -w" -o \S+/bootstrap \./functions/([a-z0-9]+)$`)

func TestBuildTargets(t *testing.T) {
	root, tpl := load(t)
	for _, f := range tpl.Functions {
		t.Run(f.LogicalID, func(t *testing.T) {
			if f.BuildMethod != "makefile" {
				t.Errorf("Metadata.BuildMethod = %q, want makefile", f.BuildMethod)
			}
			cmd := exec.Command("make", "-s", "-n", "build-"+f.LogicalID, "ARTIFACTS_DIR=/artifacts/"+f.LogicalID)
			cmd.Dir = root
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("make -n build-%s: %v\n%s", f.LogicalID, err, out)
			}
			m := lambdaBuild.FindStringSubmatch(string(out))
			if m == nil {
				t.Fatalf("build-%s is not the Lambda build:\n%s", f.LogicalID, out)
			}
			if "functions/"+m[1] != f.Dir {
				t.Errorf("build-%s builds ./functions/%s, want ./%s", f.LogicalID, m[1], f.Dir)
			}
			if _, err := os.Stat(filepath.Join(root, f.Dir, "main.go")); err != nil {
				t.Errorf("%s/main.go: %v", f.Dir, err)
			}
		})
	}
}

func TestEveryFunctionDirectoryIsDeployed(t *testing.T) {
	root, tpl := load(t)
	dirs, err := filepath.Glob(filepath.Join(root, "functions", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			continue
		}
		rel := "functions/" + filepath.Base(d)
		if !slices.ContainsFunc(tpl.Functions, func(f samtemplate.Function) bool { return f.Dir == rel }) {
			t.Errorf("%s is not a function of template.yaml", rel)
		}
	}
}

func TestRoutesAreUnique(t *testing.T) {
	_, tpl := load(t)
	seen := map[string]string{}
	for _, f := range tpl.Functions {
		for _, r := range f.Routes {
			if (!strings.HasPrefix(r.Path, "/") && r.Path != samtemplate.DefaultRoute) || r.Method == "" {
				t.Errorf("%s.%s: malformed route %q", f.LogicalID, r.Event, r.RouteKey())
			}
			if prev, ok := seen[r.RouteKey()]; ok {
				t.Errorf("route %s is declared by %s and %s.%s", r.RouteKey(), prev, f.LogicalID, r.Event)
			}
			seen[r.RouteKey()] = f.LogicalID + "." + r.Event
		}
	}
}

func TestPoliciesAreLeastPrivilege(t *testing.T) {
	_, tpl := load(t)
	for _, f := range tpl.Functions {
		if len(f.Policies) == 0 {
			t.Errorf("%s has no policy statement", f.LogicalID)
		}
		for _, s := range f.Policies {
			for _, a := range s.Actions {
				if strings.Contains(a, "*") {
					t.Errorf("%s: action %q uses a wildcard", f.LogicalID, a)
				}
			}
			for _, r := range s.Resources {
				if r == "*" || r == "" {
					t.Errorf("%s: statement %v applies to every resource", f.LogicalID, s.Actions)
				}
				// A table's index (Query on GSI1) is named <table ARN>/index/<name>.
				if table, _, _ := strings.Cut(r, "/index/"); strings.Contains(r, ":table/") && !tableArn(tpl, table) {
					t.Errorf("%s: policy names table %s, which the template does not declare", f.LogicalID, r)
				}
			}
		}
	}
}

// tableArn reports whether arn is a table of the template, or one of its indexes (a Query on
// an index needs the index's own ARN).
func tableArn(tpl *samtemplate.Template, arn string) bool {
	arn, _, _ = strings.Cut(arn, "/index/") // an index of a table is the table's
	for _, tb := range tpl.Tables {
		table := samtemplate.TableArn(*tb.CreateTableInput.TableName)
		if arn == table {
			return true
		}
		for _, ix := range tb.CreateTableInput.GlobalSecondaryIndexes {
			if arn == table+"/index/"+*ix.IndexName {
				return true
			}
		}
	}
	return false
}

func TestTables(t *testing.T) {
	_, tpl := load(t)
	if len(tpl.Tables) == 0 {
		t.Fatal("no table")
	}
	for _, tb := range tpl.Tables {
		t.Run(tb.LogicalID, func(t *testing.T) {
			if tb.CreateTableInput.BillingMode != "PAY_PER_REQUEST" {
				t.Errorf("BillingMode = %q, want PAY_PER_REQUEST", tb.CreateTableInput.BillingMode)
			}
			if !tb.PointInTimeRecovery {
				t.Error("point-in-time recovery is off")
			}
			if res, _ := tpl.Resource(tb.LogicalID); tb.LogicalID == "DataTable" &&
				(res.DeletionPolicy != "Retain" || res.UpdateReplacePolicy != "Retain") {
				t.Errorf("DeletionPolicy %q, UpdateReplacePolicy %q: the durable records must be Retain", res.DeletionPolicy, res.UpdateReplacePolicy)
			}
			wantTTL := tb.LogicalID == "SessionTable"
			if (tb.TTLAttribute != "") != wantTTL {
				t.Errorf("TTL attribute %q: only SessionTable holds expiring items", tb.TTLAttribute)
			}
		})
	}
}

// Every *_TABLE variable must name a table of the template (a !Ref to it).
func TestFunctionsReferenceExistingTables(t *testing.T) {
	_, tpl := load(t)
	names := map[string]bool{}
	for _, tb := range tpl.Tables {
		names[*tb.CreateTableInput.TableName] = true
	}
	for _, f := range tpl.Functions {
		n := 0
		for k, v := range f.Env {
			if strings.HasSuffix(k, "_TABLE") {
				n++
				if !names[v] {
					t.Errorf("%s: %s=%q is not a table of the template", f.LogicalID, k, v)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s has no *_TABLE variable", f.LogicalID)
		}
	}
}

// API Gateway's own 404 ({"message":"Not Found"}, no security header) must never reach anyone:
// the $default route takes every request no other route does, and the Portal answers it.
func TestDefaultRouteIsThePortal(t *testing.T) {
	_, tpl := load(t)
	var owners []string
	for _, f := range tpl.Functions {
		for _, r := range f.Routes {
			if r.RouteKey() == samtemplate.DefaultRoute {
				owners = append(owners, f.LogicalID+"."+r.Event)
			}
		}
	}
	if !slices.Equal(owners, []string{"Portal.NotFound"}) {
		t.Errorf("$default route served by %v, want [Portal.NotFound]", owners)
	}
}

// The HTTP API logs each request by its route key, never its raw path (the calendar feed's
// secret token is in its path), to a log group with a retention; and every route has a default
// throttle.
func TestHttpApiAccessLogsAndThrottling(t *testing.T) {
	_, tpl := load(t)
	api, ok := tpl.Resources["HttpApi"]
	if !ok || api.Type != "AWS::Serverless::HttpApi" {
		t.Fatal("no HttpApi resource")
	}
	var p struct {
		DefaultRouteSettings struct{ ThrottlingBurstLimit, ThrottlingRateLimit float64 }
		AccessLogSettings    struct{ DestinationArn, Format string }
	}
	if err := json.Unmarshal(api.Properties, &p); err != nil {
		t.Fatal(err)
	}
	if p.DefaultRouteSettings.ThrottlingBurstLimit <= 0 || p.DefaultRouteSettings.ThrottlingRateLimit <= 0 {
		t.Errorf("DefaultRouteSettings = %+v, want a burst and a rate limit", p.DefaultRouteSettings)
	}
	f := p.AccessLogSettings.Format
	var fields map[string]string
	if err := json.Unmarshal([]byte(f), &fields); err != nil {
		t.Fatalf("access log format is not one JSON object: %v\n%s", err, f)
	}
	if fields["routeKey"] != "$context.routeKey" || fields["requestId"] != "$context.requestId" || fields["status"] != "$context.status" {
		t.Errorf("access log format lacks the route key, request id or status: %s", f)
	}
	for _, raw := range []string{"$context.path", "$context.resourcePath", "$context.requestOverride", "$context.authorizer"} {
		if strings.Contains(f, raw) {
			t.Errorf("access log format records %s, which may carry a secret token", raw)
		}
	}
	var logGroup string
	for id, r := range tpl.Resources {
		if r.Type == "AWS::Logs::LogGroup" && strings.Contains(p.AccessLogSettings.DestinationArn, ":"+id+"/") {
			logGroup = id
			var lg struct{ RetentionInDays float64 }
			if err := json.Unmarshal(r.Properties, &lg); err != nil || lg.RetentionInDays <= 0 {
				t.Errorf("%s keeps logs forever (RetentionInDays %v)", id, lg.RetentionInDays)
			}
		}
	}
	if logGroup == "" {
		t.Errorf("access logs go to %q, not a log group of the template", p.AccessLogSettings.DestinationArn)
	}
}
