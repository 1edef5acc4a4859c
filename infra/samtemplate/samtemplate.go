// Package samtemplate reads Préau's SAM template (template.yaml) into the few facts the local
// stack, the test environment and the template tests need: each function's directory,
// environment, routes, schedules and policies, and each table's definition.
//
// template.yaml is the single source of truth for routes, schedules and tables; nothing in infra/
// repeats them. Parsing goes through goformation's intrinsic processor, with our own handlers
// for Ref, Fn::GetAtt and Fn::Sub so that they resolve the way a local stack needs: a parameter
// to its value, a table to its local name, an ARN to a fake local ARN. goformation neither merges
// Globals nor knows every SAM event type (ScheduleV2), so the resolved JSON is decoded here.
package samtemplate

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/awslabs/goformation/v7/intrinsics"
)

// Local pseudo parameters: the region Préau is deployed to and an obviously fake account.
const (
	Region    = "eu-west-3"
	AccountID = "000000000000"
	Partition = "aws"
)

// Template is template.yaml with intrinsics resolved and Globals merged into each function.
type Template struct {
	// Params holds every parameter's resolved value (override, else Default, else "").
	Params map[string]string
	// Globals is the Globals.Function section (the defaults every function inherits).
	Globals FunctionSettings
	// Functions are the AWS::Serverless::Function resources, sorted by LogicalID.
	Functions []Function
	// Tables are the AWS::DynamoDB::Table resources, sorted by LogicalID.
	Tables []Table
	// Resources holds every resource by LogicalID, with its properties resolved, for the
	// template tests of what the local stack does not use (the HTTP API's settings, log groups,
	// alarms, queues, topics).
	Resources map[string]Resource
}

// Resource is one resource of the template with its resolved properties as JSON.
type Resource struct {
	LogicalID  string
	Type       string
	Properties json.RawMessage // resolved JSON
	// DeletionPolicy and UpdateReplacePolicy say what CloudFormation does with the resource when
	// it leaves the stack or is replaced ("" = Delete).
	DeletionPolicy, UpdateReplacePolicy string
}

// Decode unmarshals the resource's properties into v.
func (r Resource) Decode(v any) error {
	if len(r.Properties) == 0 {
		return nil
	}
	if err := json.Unmarshal(r.Properties, v); err != nil {
		return fmt.Errorf("%s properties: %w", r.LogicalID, err)
	}
	return nil
}

// ResourcesOfType returns the resources of one type (e.g. AWS::CloudWatch::Alarm).
func (t *Template) ResourcesOfType(typ string) []Resource {
	var out []Resource
	for _, id := range slices.Sorted(maps.Keys(t.Resources)) {
		if r := t.Resources[id]; r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// Resource returns the resource with that LogicalID.
func (t *Template) Resource(logicalID string) (Resource, bool) {
	r, ok := t.Resources[logicalID]
	return r, ok
}

// LocalArn is what !GetAtt <id>.<attr> resolves to for any resource but a table.
func LocalArn(id, attr string) string {
	return fmt.Sprintf("arn:%s:local:%s:%s:%s/%s", Partition, Region, AccountID, id, attr)
}

// FunctionSettings are the runtime settings a function has after Globals are merged.
type FunctionSettings struct {
	Runtime       string
	Handler       string
	Architectures []string
	Timeout       int // seconds
	MemorySize    int // MB
}

// Function is one AWS::Serverless::Function.
type Function struct {
	LogicalID string
	// Dir is the function's package directory, relative to the module root: functions/<lowercase id>.
	Dir string
	// BuildMethod is Metadata.BuildMethod ("makefile" for every Préau function).
	BuildMethod string
	FunctionSettings
	// Env is the resolved environment: Globals' variables overlaid with the function's own.
	Env       map[string]string
	Routes    []Route
	Schedules []Schedule
	// Policies are the IAM statements of the function's inline policies.
	Policies []Statement
	// DeadLetterQueue is the resolved DeadLetterQueue.TargetArn ("" when none): where Lambda
	// puts an asynchronous invocation (a schedule's) that failed every retry.
	DeadLetterQueue string
	// AsyncRetries is EventInvokeConfig.MaximumRetryAttempts (nil when not set).
	AsyncRetries *int
}

// Route is one HttpApi event: API Gateway's route key is Method + " " + Path.
type Route struct {
	Method string // GET, POST, … or ANY
	Path   string // API Gateway form: /api/v1/children/{childId}/planning, /static/{file+}; or DefaultRoute
	Event  string // the event's name in the template
}

// DefaultRoute is the Path (and route key) of an HttpApi event without Path and Method: API
// Gateway's $default route, which gets every request no other route matches, whatever its
// method.
const DefaultRoute = "$default"

// RouteKey returns the API Gateway v2 route key, e.g. "GET /static/{file+}", or "$default".
func (r Route) RouteKey() string {
	if r.Path == DefaultRoute {
		return DefaultRoute
	}
	return r.Method + " " + r.Path
}

// Schedule is one ScheduleV2 (EventBridge Scheduler) or Schedule event.
type Schedule struct {
	Name       string // the event's name in the template
	Expression string // cron(...) or rate(...)
	Timezone   string // ScheduleExpressionTimezone, e.g. Europe/Paris
	Input      string // the JSON input passed to the function, if any
	// RetryPolicy and DeadLetterArn are what Scheduler does when it cannot deliver the event:
	// retry up to MaxRetries times within MaxEventAge seconds (nil when unset), then send it to
	// the queue DeadLetterArn ("" when none).
	MaxRetries    *int
	MaxEventAge   *int
	DeadLetterArn string
}

// Statement is one IAM policy statement.
type Statement struct {
	Effect    string
	Actions   []string
	Resources []string
	// Conditions maps an operator (ForAllValues:StringLike) to its keys and their values
	// ({"dynamodb:LeadingKeys": ["FAMILY#*"]}).
	Conditions map[string]map[string][]string
}

// Table is one AWS::DynamoDB::Table.
type Table struct {
	LogicalID string
	// CreateTableInput creates the table under its local name (tableNames[LogicalID], else LogicalID).
	CreateTableInput *dynamodb.CreateTableInput
	// TTLAttribute is TimeToLiveSpecification.AttributeName when enabled, else "".
	TTLAttribute string
	// PointInTimeRecovery and SSE report the template's settings (not applied locally).
	PointInTimeRecovery bool
	SSE                 bool
}

// TableArn is the fake local ARN that !GetAtt <table>.Arn resolves to.
func TableArn(name string) string {
	return fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/%s", Partition, Region, AccountID, name)
}

// goformation's ProcessYAML re-registers its YAML tag resolvers in a package map on every call.
var processMu sync.Mutex

// Load reads the template at path. params override parameter defaults; tableNames maps a table's
// LogicalID to its local name (a table missing from it keeps its LogicalID as name).
func Load(path string, params map[string]string, tableNames map[string]string) (*Template, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("samtemplate: %w", err)
	}
	t, err := Parse(raw, params, tableNames)
	if err != nil {
		return nil, fmt.Errorf("samtemplate: %s: %w", path, err)
	}
	return t, nil
}

// Parse is Load on the template's bytes.
func Parse(raw []byte, params map[string]string, tableNames map[string]string) (*Template, error) {
	r := &resolver{params: params, tableNames: tableNames}
	opts := &intrinsics.ProcessorOptions{IntrinsicHandlerOverrides: map[string]intrinsics.IntrinsicHandler{
		"Ref":        r.ref,
		"Fn::GetAtt": r.getAtt,
		"Fn::Sub":    r.sub,
	}}
	processMu.Lock()
	resolved, err := intrinsics.ProcessYAML(raw, opts)
	processMu.Unlock()
	if err != nil {
		return nil, err
	}
	if len(r.errs) > 0 {
		return nil, fmt.Errorf("unresolved: %s", strings.Join(r.errs, "; "))
	}

	var doc rawTemplate
	if err := json.Unmarshal(resolved, &doc); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	t := &Template{Params: map[string]string{}, Resources: map[string]Resource{}}
	for name, p := range doc.Parameters {
		t.Params[name] = r.param(name, p.Default)
	}
	g := doc.Globals.Function
	t.Globals = FunctionSettings{Runtime: g.Runtime, Handler: g.Handler, Architectures: g.Architectures,
		Timeout: g.Timeout, MemorySize: g.MemorySize}

	for _, id := range slices.Sorted(maps.Keys(doc.Resources)) {
		res := doc.Resources[id]
		t.Resources[id] = Resource{LogicalID: id, Type: res.Type, Properties: res.Properties,
			DeletionPolicy: res.DeletionPolicy, UpdateReplacePolicy: res.UpdateReplacePolicy}
		switch res.Type {
		case "AWS::Serverless::Function":
			f, err := decodeFunction(id, res, g)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", id, err)
			}
			t.Functions = append(t.Functions, f)
		case "AWS::DynamoDB::Table":
			tb, err := decodeTable(id, res, r.tableName(id))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", id, err)
			}
			t.Tables = append(t.Tables, tb)
		}
	}
	return t, nil
}

// Function returns the function with that LogicalID.
func (t *Template) Function(logicalID string) (Function, bool) {
	for _, f := range t.Functions {
		if f.LogicalID == logicalID {
			return f, true
		}
	}
	return Function{}, false
}

// Table returns the table with that LogicalID.
func (t *Template) Table(logicalID string) (Table, bool) {
	for _, tb := range t.Tables {
		if tb.LogicalID == logicalID {
			return tb, true
		}
	}
	return Table{}, false
}

type rawTemplate struct {
	Parameters map[string]struct {
		Default any
	}
	Globals struct {
		Function rawFunction
	}
	Resources map[string]struct {
		Type                string
		Metadata            map[string]any
		Properties          json.RawMessage
		DeletionPolicy      string
		UpdateReplacePolicy string
	}
}

type rawFunction struct {
	Runtime       string
	Handler       string
	Architectures []string
	Timeout       int
	MemorySize    int
	Environment   struct {
		Variables map[string]any
	}
	Events          map[string]rawEvent
	Policies        json.RawMessage
	DeadLetterQueue struct {
		Type      string
		TargetArn string
	}
	EventInvokeConfig struct {
		MaximumRetryAttempts *int
	}
}

type rawEvent struct {
	Type       string
	Properties struct {
		Method                     string
		Path                       string
		Schedule                   string
		ScheduleExpression         string
		ScheduleExpressionTimezone string
		Input                      string
		RetryPolicy                struct {
			MaximumRetryAttempts     *int
			MaximumEventAgeInSeconds *int
		}
		DeadLetterConfig struct {
			Arn string
		}
	}
}

func decodeFunction(id string, res struct {
	Type                string
	Metadata            map[string]any
	Properties          json.RawMessage
	DeletionPolicy      string
	UpdateReplacePolicy string
}, g rawFunction) (Function, error) {
	var p rawFunction
	if err := json.Unmarshal(res.Properties, &p); err != nil {
		return Function{}, fmt.Errorf("properties: %w", err)
	}
	f := Function{
		LogicalID: id,
		Dir:       "functions/" + strings.ToLower(id),
		FunctionSettings: FunctionSettings{
			Runtime:       cmp.Or(p.Runtime, g.Runtime),
			Handler:       cmp.Or(p.Handler, g.Handler),
			Architectures: g.Architectures,
			Timeout:       cmp.Or(p.Timeout, g.Timeout),
			MemorySize:    cmp.Or(p.MemorySize, g.MemorySize),
		},
		Env: map[string]string{},
	}
	if len(p.Architectures) > 0 {
		f.Architectures = p.Architectures
	}
	if bm, ok := res.Metadata["BuildMethod"].(string); ok {
		f.BuildMethod = bm
	}
	for k, v := range g.Environment.Variables {
		f.Env[k] = scalar(v)
	}
	for k, v := range p.Environment.Variables {
		f.Env[k] = scalar(v)
	}
	for _, name := range slices.Sorted(maps.Keys(p.Events)) {
		ev := p.Events[name]
		switch ev.Type {
		case "HttpApi":
			m := strings.ToUpper(ev.Properties.Method)
			if m == "" || m == "X-AMAZON-APIGATEWAY-ANY-METHOD" {
				m = "ANY"
			}
			path := ev.Properties.Path
			if path == "" && ev.Properties.Method == "" {
				path = DefaultRoute // SAM makes an event with neither the API's $default route
			}
			f.Routes = append(f.Routes, Route{Method: m, Path: path, Event: name})
		case "ScheduleV2", "Schedule":
			expr := cmp.Or(ev.Properties.ScheduleExpression, ev.Properties.Schedule)
			f.Schedules = append(f.Schedules, Schedule{Name: name, Expression: expr,
				Timezone: ev.Properties.ScheduleExpressionTimezone, Input: ev.Properties.Input,
				MaxRetries:    ev.Properties.RetryPolicy.MaximumRetryAttempts,
				MaxEventAge:   ev.Properties.RetryPolicy.MaximumEventAgeInSeconds,
				DeadLetterArn: ev.Properties.DeadLetterConfig.Arn})
		default:
			return Function{}, fmt.Errorf("event %s: type %s is not supported locally", name, ev.Type)
		}
	}
	pol, err := decodePolicies(p.Policies)
	if err != nil {
		return Function{}, fmt.Errorf("policies: %w", err)
	}
	f.Policies = pol
	f.DeadLetterQueue = p.DeadLetterQueue.TargetArn
	f.AsyncRetries = p.EventInvokeConfig.MaximumRetryAttempts
	return f, nil
}

// decodePolicies reads the inline statements of Policies (a list of {Statement: [...]} documents).
// Managed policy names and SAM policy templates are not used by Préau and are refused, so that
// the "no * action" test cannot be dodged by them.
func decodePolicies(raw json.RawMessage) ([]Statement, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var docs []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &docs); err != nil {
		var one map[string]json.RawMessage
		if err2 := json.Unmarshal(raw, &one); err2 != nil {
			return nil, fmt.Errorf("want a list of inline policy documents: %w", err)
		}
		docs = []map[string]json.RawMessage{one}
	}
	var out []Statement
	for _, d := range docs {
		st, ok := d["Statement"]
		if !ok || len(d) > 2 {
			return nil, fmt.Errorf("only inline {Statement: [...]} documents are supported, got keys %v", slices.Sorted(maps.Keys(d)))
		}
		var stmts []struct {
			Effect    string
			Action    stringList
			Resource  stringList
			Condition map[string]map[string]stringList
		}
		if err := json.Unmarshal(st, &stmts); err != nil {
			return nil, fmt.Errorf("statement: %w", err)
		}
		for _, s := range stmts {
			var conds map[string]map[string][]string
			for op, keys := range s.Condition {
				if conds == nil {
					conds = map[string]map[string][]string{}
				}
				conds[op] = map[string][]string{}
				for k, v := range keys {
					conds[op][k] = v
				}
			}
			out = append(out, Statement{Effect: s.Effect, Actions: s.Action, Resources: s.Resource, Conditions: conds})
		}
	}
	return out, nil
}

// stringList is an IAM field that is either a string or a list of strings.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*l = many
	return nil
}

type rawKey struct{ AttributeName, KeyType string }

type rawIndex struct {
	IndexName  string
	KeySchema  []rawKey
	Projection struct {
		ProjectionType   string
		NonKeyAttributes []string
	}
}

func decodeTable(id string, res struct {
	Type                string
	Metadata            map[string]any
	Properties          json.RawMessage
	DeletionPolicy      string
	UpdateReplacePolicy string
}, name string) (Table, error) {
	var p struct {
		BillingMode                      string
		PointInTimeRecoverySpecification struct{ PointInTimeRecoveryEnabled bool }
		SSESpecification                 struct{ SSEEnabled bool }
		AttributeDefinitions             []struct{ AttributeName, AttributeType string }
		KeySchema                        []rawKey
		GlobalSecondaryIndexes           []rawIndex
		LocalSecondaryIndexes            []rawIndex
		TimeToLiveSpecification          *struct {
			AttributeName string
			Enabled       bool
		}
	}
	if err := json.Unmarshal(res.Properties, &p); err != nil {
		return Table{}, fmt.Errorf("properties: %w", err)
	}
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingMode(p.BillingMode),
		KeySchema:   keys(p.KeySchema),
	}
	for _, a := range p.AttributeDefinitions {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(a.AttributeName), AttributeType: types.ScalarAttributeType(a.AttributeType)})
	}
	for _, ix := range p.GlobalSecondaryIndexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName: aws.String(ix.IndexName), KeySchema: keys(ix.KeySchema), Projection: projection(ix)})
	}
	for _, ix := range p.LocalSecondaryIndexes {
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, types.LocalSecondaryIndex{
			IndexName: aws.String(ix.IndexName), KeySchema: keys(ix.KeySchema), Projection: projection(ix)})
	}
	t := Table{LogicalID: id, CreateTableInput: in,
		PointInTimeRecovery: p.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled,
		SSE:                 p.SSESpecification.SSEEnabled}
	if p.TimeToLiveSpecification != nil && p.TimeToLiveSpecification.Enabled {
		t.TTLAttribute = p.TimeToLiveSpecification.AttributeName
	}
	return t, nil
}

func keys(ks []rawKey) []types.KeySchemaElement {
	var out []types.KeySchemaElement
	for _, k := range ks {
		out = append(out, types.KeySchemaElement{AttributeName: aws.String(k.AttributeName), KeyType: types.KeyType(k.KeyType)})
	}
	return out
}

func projection(ix rawIndex) *types.Projection {
	p := &types.Projection{ProjectionType: types.ProjectionType(ix.Projection.ProjectionType)}
	if len(ix.Projection.NonKeyAttributes) > 0 {
		p.NonKeyAttributes = ix.Projection.NonKeyAttributes
	}
	return p
}

// resolver holds the intrinsic handlers' inputs and collects what they could not resolve
// (goformation's handlers cannot return errors).
type resolver struct {
	params     map[string]string
	tableNames map[string]string
	errs       []string
}

func (r *resolver) fail(format string, args ...any) any {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
	return ""
}

func (r *resolver) tableName(id string) string {
	if n, ok := r.tableNames[id]; ok && n != "" {
		return n
	}
	return id
}

func (r *resolver) param(name string, def any) string {
	if v, ok := r.params[name]; ok {
		return v
	}
	return scalar(def)
}

// section returns the named top-level map of the raw template.
func section(template any, name string) map[string]any {
	if m, ok := template.(map[string]any); ok {
		if s, ok := m[name].(map[string]any); ok {
			return s
		}
	}
	return nil
}

// ref resolves Ref: pseudo parameters, parameters, tables (their local name), and any other
// resource to its LogicalID (what CloudFormation returns differs per type; locally an id is enough).
func (r *resolver) ref(_ string, input any, template any) any {
	name, ok := input.(string)
	if !ok {
		return r.fail("Ref: want a name, got %v", input)
	}
	switch name {
	case "AWS::Region":
		return Region
	case "AWS::AccountId":
		return AccountID
	case "AWS::Partition":
		return Partition
	case "AWS::StackName":
		return "preau-local"
	case "AWS::URLSuffix":
		return "amazonaws.com"
	case "AWS::NoValue":
		return nil
	}
	if p, ok := section(template, "Parameters")[name]; ok {
		def, _ := p.(map[string]any)["Default"]
		return r.param(name, def)
	}
	if res, ok := section(template, "Resources")[name].(map[string]any); ok {
		if res["Type"] == "AWS::DynamoDB::Table" {
			return r.tableName(name)
		}
		return name
	}
	return r.fail("Ref: %s is neither a parameter nor a resource", name)
}

// getAtt resolves Fn::GetAtt X.Arn to a fake local ARN (tables get their real-looking ARN).
func (r *resolver) getAtt(_ string, input any, template any) any {
	var id, attr string
	switch v := input.(type) {
	case string:
		id, attr, _ = strings.Cut(v, ".")
	case []any:
		if len(v) == 2 {
			id, _ = v[0].(string)
			attr, _ = v[1].(string)
		}
	}
	res, ok := section(template, "Resources")[id].(map[string]any)
	if !ok || attr == "" {
		return r.fail("Fn::GetAtt: unknown resource or attribute in %v", input)
	}
	if res["Type"] == "AWS::DynamoDB::Table" && attr == "Arn" {
		return TableArn(r.tableName(id))
	}
	return LocalArn(id, attr)
}

var subVar = regexp.MustCompile(`\$\{([^}]*)\}`)

// sub resolves Fn::Sub in both forms: "text ${Name}" and ["text ${Var}", {Var: value}].
func (r *resolver) sub(_ string, input any, template any) any {
	var text string
	vars := map[string]any{}
	switch v := input.(type) {
	case string:
		text = v
	case []any:
		if len(v) != 2 {
			return r.fail("Fn::Sub: want [text, variables], got %v", v)
		}
		text, _ = v[0].(string)
		if m, ok := v[1].(map[string]any); ok {
			vars = m
		}
	default:
		return r.fail("Fn::Sub: unexpected %v", input)
	}
	return subVar.ReplaceAllStringFunc(text, func(m string) string {
		name := m[2 : len(m)-1]
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}" // ${!Literal} is the escape for a literal ${Literal}
		}
		if v, ok := vars[name]; ok {
			return scalar(v)
		}
		if strings.Contains(name, ".") {
			return scalar(r.getAtt("Fn::GetAtt", name, template))
		}
		return scalar(r.ref("Ref", name, template))
	})
}

// scalar renders a resolved YAML scalar as an environment-variable string.
func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// RouteKeys returns every HttpApi route key of the template, sorted.
func (t *Template) RouteKeys() []string {
	var out []string
	for _, f := range t.Functions {
		for _, r := range f.Routes {
			out = append(out, r.RouteKey())
		}
	}
	sort.Strings(out)
	return out
}

// ModuleRoot walks up from dir to the directory holding go.mod: the repository root, where
// template.yaml lives. Tests use it to find the template from their package directory.
func ModuleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("module root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("module root: no go.mod above the working directory")
		}
		dir = parent
	}
}
