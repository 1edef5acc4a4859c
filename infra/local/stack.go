package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/preau/preau/infra/apigw"
	"github.com/preau/preau/infra/lambdarun"
	"github.com/preau/preau/infra/localaws"
	"github.com/preau/preau/infra/samtemplate"
)

// Options configure a Stack.
type Options struct {
	Root       string            // repository root (template.yaml, functions/)
	BinDir     string            // where host binaries are built
	BaseURL    string            // BASE_URL given to the functions, e.g. http://127.0.0.1:8080
	Instances  int               // processes per function
	DynamoDB   string            // emulator endpoints
	SES        string            //
	TableNames map[string]string // table LogicalID → local name
	SecretKey  string
	// LocalClock, when not zero, is the local time at ClockBase (real time); it then runs.
	LocalClock time.Time
	ClockBase  time.Time
	Log        io.Writer
	// DataDir is where the DynamoDB emulator keeps its data (shown in the banner only).
	DataDir string
	// Template is the template's path; "" means Root/template.yaml.
	Template string
	// Binaries gives prebuilt binaries by LogicalID; those functions are not built.
	Binaries map[string]string
	// PayFiP is the base URL of the PayFiP stand-in the functions call (test mode); "" keeps
	// the template's PAYFIP_URL.
	PayFiP string
}

// Stack serves the template's HttpApi routes by invoking the functions' real binaries.
type Stack struct {
	opts    Options
	tpl     *samtemplate.Template
	router  *apigw.Router
	funcs   map[string]samtemplate.Function
	runners map[string]*lambdarun.Runner
	broken  map[string]error // functions that could not be built
	logMu   sync.Mutex
	dataDir string
}

// NewStack reads template.yaml, builds every function for the host and starts its instances.
// A function that does not build is reported and its routes answer 503; the others run.
func NewStack(ctx context.Context, o Options) (*Stack, error) {
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Template == "" {
		o.Template = filepath.Join(o.Root, "template.yaml")
	}
	tpl, err := samtemplate.Load(o.Template, nil, o.TableNames)
	if err != nil {
		return nil, err
	}
	var routes []apigw.Route
	for _, f := range tpl.Functions {
		for _, r := range f.Routes {
			routes = append(routes, apigw.Route{Method: r.Method, Path: r.Path, Target: f.LogicalID})
		}
	}
	router, err := apigw.NewRouter(routes)
	if err != nil {
		return nil, err
	}
	s := &Stack{opts: o, tpl: tpl, router: router, funcs: map[string]samtemplate.Function{},
		runners: map[string]*lambdarun.Runner{}, broken: map[string]error{}, dataDir: o.DataDir}
	var toBuild []samtemplate.Function
	for _, f := range tpl.Functions {
		if _, ok := o.Binaries[f.LogicalID]; !ok {
			toBuild = append(toBuild, f)
		}
	}
	bins := BuildAll(ctx, o.Root, o.BinDir, toBuild)
	for id, path := range o.Binaries {
		bins[id] = Binary{Path: path}
	}
	for _, f := range tpl.Functions {
		s.funcs[f.LogicalID] = f
		b := bins[f.LogicalID]
		if b.Err != nil {
			s.broken[f.LogicalID] = b.Err
			fmt.Fprintf(o.Log, "local: %s is not served: %v\n", f.LogicalID, b.Err)
			continue
		}
		r, err := lambdarun.Start(lambdarun.Function{
			Name: f.LogicalID, Binary: b.Path, Env: s.env(f), Instances: o.Instances,
			Timeout: time.Duration(f.Timeout) * time.Second, MemoryMB: f.MemorySize, Log: o.Log,
		})
		if err != nil {
			s.Close()
			return nil, err
		}
		s.runners[f.LogicalID] = r
	}
	return s, nil
}

// env is a function's whole environment: the template's (Globals + function) with the local
// overrides. LAMBDA_TASK_ROOT is never set: code uses it to tell real Lambda, where local-only
// settings (LOCAL_CLOCK, COOKIE_INSECURE, PREAU_LOCAL) are refused.
func (s *Stack) env(f samtemplate.Function) []string {
	vars := map[string]string{}
	for k, v := range f.Env {
		vars[k] = v
	}
	o := s.opts
	for logical, name := range o.TableNames {
		switch logical {
		case "DataTable":
			vars["DATA_TABLE"] = name
		case "SessionTable":
			vars["SESSION_TABLE"] = name
		}
	}
	vars["BASE_URL"] = o.BaseURL
	// Deployed, the functions that sign read their key from SSM Parameter Store; locally the
	// generated key file is passed directly, to every function.
	delete(vars, "SECRET_KEY_PARAMETER")
	vars["SECRET_KEY"] = o.SecretKey
	vars["PREAU_LOCAL"] = "1"
	vars["COOKIE_INSECURE"] = "1"
	vars["AWS_CONFIG_FILE"] = os.DevNull // never a developer's real AWS profile
	vars["AWS_SHARED_CREDENTIALS_FILE"] = os.DevNull
	for _, kv := range localaws.Env(o.DynamoDB, o.SES) {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	if o.PayFiP != "" {
		vars["PAYFIP_URL"] = o.PayFiP
		vars["PAYFIP_SAISIE"] = "T" // the stand-in is accepted in test mode only
	}
	if !o.LocalClock.IsZero() {
		vars["LOCAL_CLOCK"] = o.LocalClock.Format(time.RFC3339Nano)
		vars["LOCAL_CLOCK_BASE"] = o.ClockBase.Format(time.RFC3339Nano)
	}
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			vars[k] = v
		}
	}
	delete(vars, "LAMBDA_TASK_ROOT")
	var out []string
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		out = append(out, k+"="+vars[k])
	}
	return out
}

// Now is the local clock: LOCAL_CLOCK moved on by the real time since start.
func (s *Stack) Now() time.Time {
	if s.opts.LocalClock.IsZero() {
		return time.Now()
	}
	return s.opts.LocalClock.Add(time.Since(s.opts.ClockBase))
}

// Close stops every function process.
func (s *Stack) Close() {
	var wg sync.WaitGroup
	for _, r := range s.runners {
		wg.Go(r.Stop)
	}
	wg.Wait()
}

// Invoke sends a raw payload to a function, as the Lambda Invoke API would.
func (s *Stack) Invoke(ctx context.Context, logicalID string, payload []byte) ([]byte, error) {
	r, ok := s.runners[logicalID]
	if !ok {
		if err := s.broken[logicalID]; err != nil {
			return nil, fmt.Errorf("%s: %w", logicalID, err)
		}
		return nil, fmt.Errorf("no function %s", logicalID)
	}
	f := s.funcs[logicalID]
	// The function's own timeout is enforced by lambdarun; this bounds the wait for an instance.
	ctx, cancel := context.WithTimeout(ctx, time.Duration(f.Timeout)*time.Second+30*time.Second)
	defer cancel()
	return r.Invoke(ctx, payload)
}

// ServeHTTP is API Gateway: route, convert, invoke, convert back; plus the /_local/ pages.
func (s *Stack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w}
	target, reqID := s.serve(rec, r)
	s.logf("%s %s %d %s %s %s", r.Method, r.URL.RequestURI(), rec.status, time.Since(start).Round(time.Millisecond), target, reqID)
}

func (s *Stack) serve(w http.ResponseWriter, r *http.Request) (target, reqID string) {
	if r.URL.Path == "/_local" || strings.HasPrefix(r.URL.Path, "/_local/") {
		s.serveLocal(w, r)
		return "local", "-"
	}
	route, params, ok := s.router.Match(r.Method, r.URL.Path)
	if !ok {
		apigw.WriteError(w, http.StatusNotFound)
		return "-", "-"
	}
	reqID = newID()
	w.Header().Set("Apigw-Requestid", reqID) // as API Gateway answers, so a client can quote it
	ev, err := apigw.Request(r, route, params, reqID, s.Now())
	if errors.Is(err, apigw.ErrPayloadTooLarge) {
		apigw.WriteError(w, http.StatusRequestEntityTooLarge)
		return route.Target, reqID
	}
	if err != nil {
		apigw.WriteError(w, http.StatusBadRequest)
		return route.Target, reqID
	}
	payload, _ := json.Marshal(ev)
	out, err := s.Invoke(r.Context(), route.Target, payload)
	if err != nil {
		var fe *lambdarun.FunctionError
		if errors.As(err, &fe) {
			s.logf("%s %s: function error: %v", route.Target, reqID, fe)
			apigw.WriteError(w, http.StatusInternalServerError)
		} else {
			s.logf("%s %s: %v", route.Target, reqID, err)
			apigw.WriteError(w, http.StatusServiceUnavailable)
		}
		return route.Target, reqID
	}
	if err := apigw.WriteResponse(w, out); err != nil {
		s.logf("%s %s: %v", route.Target, reqID, err)
	}
	return route.Target, reqID
}

// serveLocal serves GET /_local/ (what runs) and POST /_local/schedules/{LogicalId}/{Event}.
func (s *Stack) serveLocal(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/_local")
	switch {
	case r.Method == http.MethodGet && (path == "" || path == "/"):
		s.serveIndex(w)
	case r.Method == http.MethodPost && strings.HasPrefix(path, "/schedules/"):
		id, event, _ := strings.Cut(strings.TrimPrefix(path, "/schedules/"), "/")
		s.trigger(w, r, id, event)
	default:
		apigw.WriteError(w, http.StatusNotFound)
	}
}

// trigger invokes a scheduled function as EventBridge Scheduler would: with the schedule's
// Input when it has one, else with a scheduled event. A request body replaces the payload.
func (s *Stack) trigger(w http.ResponseWriter, r *http.Request, id, event string) {
	f, ok := s.funcs[id]
	var sch *samtemplate.Schedule
	for i := range f.Schedules {
		if f.Schedules[i].Name == event {
			sch = &f.Schedules[i]
		}
	}
	if !ok || sch == nil {
		apigw.WriteError(w, http.StatusNotFound)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	payload := body
	if len(payload) == 0 {
		payload = ScheduledEvent(id, *sch, s.Now())
	}
	out, err := s.Invoke(r.Context(), id, payload)
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusBadGateway)
		msg, _ := json.Marshal(map[string]string{"error": err.Error()})
		_, _ = w.Write(msg)
		return
	}
	_, _ = w.Write(out)
}

// ScheduledEvent is the payload of a schedule without Input: its Input if set, else an
// EventBridge "Scheduled Event" naming the schedule.
func ScheduledEvent(functionID string, sch samtemplate.Schedule, now time.Time) []byte {
	if sch.Input != "" {
		return []byte(sch.Input)
	}
	ev := map[string]any{
		"version":     "0",
		"id":          newID(),
		"detail-type": "Scheduled Event",
		"source":      "aws.scheduler",
		"account":     samtemplate.AccountID,
		"time":        now.UTC().Format(time.RFC3339),
		"region":      samtemplate.Region,
		"resources": []string{fmt.Sprintf("arn:aws:scheduler:%s:%s:schedule/default/%s-%s",
			samtemplate.Region, samtemplate.AccountID, functionID, sch.Name)},
		"detail": map[string]any{},
	}
	b, _ := json.Marshal(ev)
	return b
}

var indexPage = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="en"><meta charset="utf-8"><title>Préau local stack</title>
<h1>Préau local stack</h1>
<p>Portal: <a href="/">{{.BaseURL}}/</a> · Mailbox: <a href="{{.SES}}">{{.SES}}</a> · DynamoDB: {{.DynamoDB}} · Clock: {{.Now}}</p>
<h2>Routes</h2>
<table><tr><th>Route</th><th>Function</th></tr>
{{range .Routes}}<tr><td><code>{{.Key}}</code></td><td>{{.Target}}</td></tr>{{end}}
</table>
<h2>Schedules</h2>
{{range .Schedules}}<form method="post" action="/_local/schedules/{{.Function}}/{{.Name}}">
<code>{{.Function}}/{{.Name}}</code> {{.Expression}} {{.Timezone}} <button>Run now</button></form>
{{else}}<p>No scheduled function in template.yaml.</p>{{end}}
{{if .Broken}}<h2>Not served</h2><ul>{{range $k, $v := .Broken}}<li>{{$k}}: {{$v}}</li>{{end}}</ul>{{end}}
</html>
`))

func (s *Stack) serveIndex(w http.ResponseWriter) {
	type sched struct {
		Function string
		samtemplate.Schedule
	}
	var scheds []sched
	for _, f := range s.tpl.Functions {
		for _, sc := range f.Schedules {
			scheds = append(scheds, sched{f.LogicalID, sc})
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = indexPage.Execute(w, map[string]any{
		"BaseURL": s.opts.BaseURL, "SES": s.opts.SES, "DynamoDB": s.opts.DynamoDB,
		"Now": s.Now().Format(time.RFC3339), "Routes": s.router.Routes(), "Schedules": scheds, "Broken": s.broken,
	})
}

func (s *Stack) logf(format string, args ...any) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.opts.Log, time.Now().Format("15:04:05.000")+" "+format+"\n", args...)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Binary is the outcome of building one function for the host.
type Binary struct {
	Path string
	Err  error
}

// BuildAll builds each function (that has a main.go) for the host, in parallel, into binDir:
// `go build -tags lambda.norpc -trimpath`, the flags of the Lambda build but for this machine.
func BuildAll(ctx context.Context, root, binDir string, fns []samtemplate.Function) map[string]Binary {
	out := map[string]Binary{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		for _, f := range fns {
			out[f.LogicalID] = Binary{Err: err}
		}
		return out
	}
	for _, f := range fns {
		wg.Go(func() {
			b := build(ctx, root, binDir, f)
			mu.Lock()
			out[f.LogicalID] = b
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

func build(ctx context.Context, root, binDir string, f samtemplate.Function) Binary {
	if _, err := os.Stat(filepath.Join(root, f.Dir, "main.go")); err != nil {
		return Binary{Err: fmt.Errorf("%s/main.go does not exist yet", f.Dir)}
	}
	bin := filepath.Join(binDir, f.LogicalID)
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", bin, "./"+f.Dir)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return Binary{Err: fmt.Errorf("build failed: %v\n%s", err, out)}
	}
	return Binary{Path: bin}
}

func newID() string { return rand.Text()[:8] + "-" + rand.Text()[:16] }
