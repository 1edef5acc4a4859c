// Command bench measures Préau's functions (`make bench`). Each section is a benchmark of its
// own; run some with -only=sizes,startup. Sections:
//
//	sizes    each function's bootstrap for linux/arm64, built as the Makefile builds it for
//	         `sam build`, against a hello-world aws-lambda-go function built the same way
//	startup  the time from exec to the first GET /runtime/invocation/next (the process is ready
//	         to serve) of a host build, median of -startup-runs runs spread over -copies copies of each
//	         binary, against the same hello world
//	firstrequest  the time from exec to the answer of a cold process's first invocation, one
//	         that needs the secret key (read from SSM, as deployed) and no table, median of
//	         -runs runs over -copies copies, against the hello world's first answer
//
// With PREAU_BENCH_RESULTS set (`make bench` sets it), each section also merges its figures into
// that file (infra/benchresults): size_ratio_max and startup_ratio_max, the hello world's
// hello_size_mib and hello_startup_ms, and each function's size_ratio_<function> and
// startup_ratio_<function> (its logical id in lower case); firstrequest adds
// hello_first_answer_ms and first_answer_ms_<function>.
//
// To add a section, write a func(*env) error and register it in sections.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/preau/preau/infra/benchresults"
	"github.com/preau/preau/infra/samtemplate"
	"github.com/preau/preau/infra/ssmtest"
)

// env is what every section gets.
type env struct {
	root      string
	tpl       *samtemplate.Template
	work      string // scratch directory
	runs      int    // first-answer runs
	startRuns int    // start-up runs
	// copies is how many copies of each binary the start-up section runs in turn: where a
	// file's pages land in memory makes one binary start up to a third slower than another copy
	// of it, for the whole of a run (see startup).
	copies int
}

type section struct {
	name string
	run  func(*env) error
}

var sections = []section{
	{"sizes", sizes},
	{"startup", startup},
	{"firstrequest", firstRequest},
}

func main() {
	only := flag.String("only", "", "comma-separated sections to run (default all: "+names()+")")
	runs := flag.Int("runs", 30, "runs per first-answer measurement (the median is shown)")
	startRuns := flag.Int("startup-runs", 100, "runs per start-up measurement (the median is shown)")
	copies := flag.Int("copies", 5, "copies of each binary the start-up runs take in turn")
	flag.Parse()
	if err := run(*only, *runs, *startRuns, *copies); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func names() string {
	var n []string
	for _, s := range sections {
		n = append(n, s.name)
	}
	return strings.Join(n, ",")
}

func run(only string, runs, startRuns, copies int) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	root, err := samtemplate.ModuleRoot(wd)
	if err != nil {
		return err
	}
	tpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"), nil, nil)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "preau-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	e := &env{root: root, tpl: tpl, work: work, runs: runs, startRuns: startRuns, copies: max(copies, 1)}
	for _, s := range sections {
		if only != "" && !slices.Contains(strings.Split(only, ","), s.name) {
			continue
		}
		fmt.Printf("== %s\n", s.name)
		if err := s.run(e); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		fmt.Println()
	}
	return nil
}

// helloSource is the baseline: the smallest aws-lambda-go function. It is written to a
// temporary package inside the module (named with a leading underscore, so ./... ignores it)
// so that it builds with the module's own aws-lambda-go version.
const helloSource = `package main

import "github.com/aws/aws-lambda-go/lambda"

func main() { lambda.Start(func() (string, error) { return "hello", nil }) }
`

// target is one program to measure: a function of the template or the hello world.
type target struct {
	name string
	pkg  string // ./functions/portal
}

func (e *env) targets() ([]target, func(), error) {
	dir, err := os.MkdirTemp(filepath.Join(e.root, "infra", "bench"), "_hello")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(helloSource), 0o644); err != nil {
		cleanup()
		return nil, nil, err
	}
	ts := []target{{name: "hello (aws-lambda-go)", pkg: "./" + mustRel(e.root, dir)}}
	for _, f := range e.tpl.Functions {
		if _, err := os.Stat(filepath.Join(e.root, f.Dir, "main.go")); err != nil {
			continue
		}
		ts = append(ts, target{name: f.LogicalID, pkg: "./" + f.Dir})
	}
	return ts, cleanup, nil
}

func mustRel(base, p string) string {
	r, err := filepath.Rel(base, p)
	if err != nil {
		panic(err)
	}
	return filepath.ToSlash(r)
}

// build builds pkg to out; lambda=true is the Makefile's Lambda build (linux/arm64, stripped).
func (e *env) build(pkg, out string, lambda bool) error {
	args := []string{"build", "-tags", "lambda.norpc", "-trimpath"}
	envv := append(os.Environ(), "CGO_ENABLED=0")
	if lambda {
		args = append(args, "-ldflags", "-s -w")
		envv = append(envv, "GOOS=linux", "GOARCH=arm64")
	}
	cmd := exec.Command("go", append(args, "-o", out, pkg)...)
	cmd.Dir, cmd.Env = e.root, envv
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	return nil
}

func sizes(e *env) error {
	ts, cleanup, err := e.targets()
	if err != nil {
		return err
	}
	defer cleanup()
	var base int64
	figures := map[string]float64{}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "function\tlinux/arm64 bootstrap\tvs hello\t")
	for i, t := range ts {
		out := filepath.Join(e.work, "arm64-"+fmt.Sprint(i))
		if err := e.build(t.pkg, out, true); err != nil {
			fmt.Fprintf(w, "%s\tdoes not build\t\t\n", t.name)
			fmt.Fprintln(os.Stderr, err)
			continue
		}
		st, err := os.Stat(out)
		if err != nil {
			return err
		}
		if i == 0 {
			base = st.Size()
			figures["hello_size_mib"] = round3(float64(base) / (1 << 20))
		} else {
			figures["size_ratio_"+strings.ToLower(t.name)] = round3(float64(st.Size()) / float64(base))
		}
		fmt.Fprintf(w, "%s\t%.1f MiB\t×%.2f\t\n", t.name, float64(st.Size())/(1<<20), float64(st.Size())/float64(base))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return record(figures, "size_ratio_")
}

// record merges figures into the results file, with the largest of those named prefix* as
// prefix+"max".
func record(figures map[string]float64, prefix string) error {
	worst := 0.0
	for k, v := range figures {
		if strings.HasPrefix(k, prefix) {
			worst = max(worst, v)
		}
	}
	figures[prefix+"max"] = worst
	return benchresults.Record(figures)
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// functionEnv starts the stand-ins a function's process needs outside its own settings, and
// returns the environment of the process of function name ("" for the hello world).
func (e *env) functionEnv() (envOf func(name string) []string, stop func()) {
	// The functions that sign read their key from SSM Parameter Store at start-up, as deployed:
	// a stand-in serves it on loopback. The read runs in the background (shared/secret): the
	// start-up section shows it is off the start's path, firstrequest that the first request
	// that needs the key does not wait longer for it.
	key := ssmtest.New(e.tpl.Params["SecretKeyParameter"], "SecureString", "bench-secret-key-0123456789-abcdefghij")
	ssmSrv := httptest.NewServer(key)
	fnEnv := []string{"PATH=" + os.Getenv("PATH"), "AWS_ENDPOINT_URL_SSM=" + ssmSrv.URL}
	for _, k := range []string{"AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SES", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		if v := os.Getenv(k); v != "" {
			fnEnv = append(fnEnv, k+"="+v)
		}
	}
	return func(name string) []string {
		env := slices.Clone(fnEnv)
		if f, ok := e.tpl.Function(name); ok {
			for k, v := range f.Env {
				env = append(env, k+"="+v)
			}
			env = append(env, "AWS_LAMBDA_FUNCTION_NAME="+f.LogicalID)
		}
		return env
	}, ssmSrv.Close
}

func startup(e *env) error {
	ts, cleanup, err := e.targets()
	if err != nil {
		return err
	}
	defer cleanup()
	envOf, stop := e.functionEnv()
	defer stop()
	var base time.Duration
	figures := map[string]float64{}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "function\tstart-up (median of %d, %d copies)\tmin\tmax\tvs hello\t\n", e.startRuns, e.copies)
	type target struct {
		name string
		bins []string // the copies, taken in turn
		env  []string
		ds   []time.Duration
	}
	var built []*target
	for i, t := range ts {
		bin := filepath.Join(e.work, "host-"+fmt.Sprint(i))
		if err := e.build(t.pkg, bin, false); err != nil {
			if i == 0 {
				return err
			}
			fmt.Fprintf(w, "%s\tdoes not build\t\t\t\t\n", t.name)
			fmt.Fprintln(os.Stderr, err)
			continue
		}
		tg := &target{name: t.name, env: envOf(t.name)}
		// Where a file's pages land in memory changes how fast every start of it is, for as long
		// as it stays in the page cache: one copy of a binary started ×1.3 slower than another
		// copy of the same bytes, run after run, and a function's ratio moved between ×1.06 and
		// ×1.80 from one run of the section to the next. Each binary is therefore written as
		// several copies, taken in turn, so that a ratio compares the programs rather than where
		// their files landed.
		if tg.bins, err = copiesOf(bin, e.copies); err != nil {
			return err
		}
		// One unmeasured run of each copy first: it pages the binary in, which Lambda's cold
		// start also does but from a different disk; what is compared is the Go start-up itself.
		for _, c := range tg.bins {
			if _, err := timeToFirstPoll(c, tg.env); err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
		}
		built = append(built, tg)
	}
	// The runs take turns, one of each binary per round, so that the hello world and every
	// function meet the same load on a shared machine: run one after the other, a load that
	// came or went during the section moved a function's ratio by ±0.3.
	for r := range e.startRuns {
		for _, tg := range built {
			d, err := timeToFirstPoll(tg.bins[r%len(tg.bins)], tg.env)
			if err != nil {
				return fmt.Errorf("%s: %w", tg.name, err)
			}
			tg.ds = append(tg.ds, d)
		}
	}
	for i, tg := range built {
		ds := tg.ds
		sort.Slice(ds, func(a, b int) bool { return ds[a] < ds[b] })
		med := ds[len(ds)/2]
		if i == 0 {
			base = med
			figures["hello_startup_ms"] = round3(float64(med) / float64(time.Millisecond))
		} else {
			figures["startup_ratio_"+strings.ToLower(tg.name)] = round3(float64(med) / float64(base))
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t×%.2f\t\n", tg.name, round(med), round(ds[0]), round(ds[len(ds)-1]), float64(med)/float64(base))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return record(figures, "startup_ratio_")
}

// copiesOf writes n copies of the file bin beside it (bin.0 … bin.n-1), each with its own pages.
func copiesOf(bin string, n int) ([]string, error) {
	b, err := os.ReadFile(bin)
	if err != nil {
		return nil, err
	}
	out := make([]string, n)
	for k := range out {
		out[k] = fmt.Sprintf("%s.%d", bin, k)
		if err := os.WriteFile(out[k], b, 0o755); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// firstRequests are sample events (the functions' own, replayed by their tests) that need the
// secret key and nothing else: no table, no session. Their answer is the first one a cold
// process gives with the key's read on its way.
var firstRequests = []struct{ function, event string }{
	{"Signup", "functions/signup/events/challenge.json"},
	{"Portal", "functions/portal/events/nous-contacter.json"},
	{"ReminderSettings", "functions/remindersettings/events/unsubscribe-forged.json"},
}

func firstRequest(e *env) error {
	ts, cleanup, err := e.targets()
	if err != nil {
		return err
	}
	defer cleanup()
	envOf, stop := e.functionEnv()
	defer stop()
	pkgOf := map[string]string{}
	for _, t := range ts {
		pkgOf[t.name] = t.pkg
	}
	type run struct{ name, pkg, event, wantStatus string }
	runs := []run{{name: ts[0].name, pkg: ts[0].pkg, event: ""}}
	for _, r := range firstRequests {
		if pkgOf[r.function] == "" {
			return fmt.Errorf("%s: no such function", r.function)
		}
		var want struct{ Status int }
		b, err := os.ReadFile(filepath.Join(e.root, strings.TrimSuffix(r.event, ".json")+".expect.json"))
		if err != nil || json.Unmarshal(b, &want) != nil || want.Status == 0 {
			return fmt.Errorf("%s: the status %s expects: %v", r.function, r.event, err)
		}
		runs = append(runs, run{name: r.function, pkg: pkgOf[r.function], event: r.event, wantStatus: fmt.Sprint(want.Status)})
	}
	type target struct {
		run
		bins    []string // the copies, taken in turn
		env     []string
		payload []byte
		ds      []time.Duration
	}
	var built []*target
	for i, r := range runs {
		bin := filepath.Join(e.work, "first-"+fmt.Sprint(i))
		if err := e.build(r.pkg, bin, false); err != nil {
			return err
		}
		tg := &target{run: r, env: envOf(r.name), payload: []byte("{}")}
		if r.event != "" {
			if tg.payload, err = os.ReadFile(filepath.Join(e.root, r.event)); err != nil {
				return err
			}
		}
		if tg.bins, err = copiesOf(bin, e.copies); err != nil { // as in startup
			return err
		}
		built = append(built, tg)
	}
	// In turns, as in startup; the first round pages each copy in, unmeasured.
	for n := range e.runs + e.copies {
		for _, tg := range built {
			d, answer, err := timeToFirstAnswer(tg.bins[n%len(tg.bins)], tg.env, tg.payload)
			if err != nil {
				return fmt.Errorf("%s: %w", tg.name, err)
			}
			if tg.wantStatus != "" {
				var res struct{ StatusCode int }
				if json.Unmarshal(answer, &res) != nil || fmt.Sprint(res.StatusCode) != tg.wantStatus {
					return fmt.Errorf("%s: answered %.200s, want status %s", tg.name, answer, tg.wantStatus)
				}
			}
			if n >= e.copies {
				tg.ds = append(tg.ds, d)
			}
		}
	}
	var base time.Duration
	figures := map[string]float64{}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "function\tevent\tfirst answer (median of %d, %d copies)\tmin\tmax\tvs hello\t\n", e.runs, e.copies)
	for i, tg := range built {
		ds := tg.ds
		sort.Slice(ds, func(a, b int) bool { return ds[a] < ds[b] })
		med := ds[len(ds)/2]
		ms := round3(float64(med) / float64(time.Millisecond))
		if i == 0 {
			base = med
			figures["hello_first_answer_ms"] = ms
		} else {
			figures["first_answer_ms_"+strings.ToLower(tg.name)] = ms
		}
		event := "{}"
		if tg.event != "" {
			event = filepath.Base(tg.event)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t×%.2f\t\n", tg.name, event, round(med), round(ds[0]), round(ds[len(ds)-1]),
			float64(med)/float64(base))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return benchresults.Record(figures)
}

// timeToFirstAnswer starts bin against a Runtime API that hands it payload as its first
// invocation, and returns the time until the process posts its answer, with the answer.
func timeToFirstAnswer(bin string, env []string, payload []byte) (time.Duration, []byte, error) {
	type answer struct {
		at   time.Time
		body []byte
		err  bool
	}
	answered := make(chan answer, 1)
	var handed sync.Once
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/runtime/invocation/next"):
			first := false
			handed.Do(func() { first = true })
			if !first {
				<-r.Context().Done() // one invocation only
				return
			}
			w.Header().Set("Lambda-Runtime-Aws-Request-Id", "first-request")
			w.Header().Set("Lambda-Runtime-Deadline-Ms", fmt.Sprint(time.Now().Add(30*time.Second).UnixMilli()))
			w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:eu-west-3:123456789012:function:bench")
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(payload)
		case r.Method == http.MethodPost && strings.Contains(r.URL.Path, "/runtime/invocation/first-request/"):
			at := time.Now()
			body, _ := io.ReadAll(r.Body)
			w.WriteHeader(http.StatusAccepted)
			select {
			case answered <- answer{at: at, body: body, err: strings.HasSuffix(r.URL.Path, "/error")}:
			default:
			}
		default:
			w.WriteHeader(http.StatusAccepted) // e.g. /runtime/init/error
		}
	})
	start, a, err := againstRuntimeAPI(bin, env, api, "answering", answered)
	if err != nil {
		return 0, nil, err
	}
	if a.err {
		return 0, nil, fmt.Errorf("invocation failed: %s", a.body)
	}
	return a.at.Sub(start), a.body, nil
}

func round(d time.Duration) string { return d.Round(10 * time.Microsecond).String() }

// timeToFirstPoll starts bin against a one-shot Runtime API and returns the time until the
// process asks for its first invocation, i.e. its cold start before any request.
func timeToFirstPoll(bin string, env []string) (time.Duration, error) {
	polled := make(chan time.Time, 1)
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/runtime/invocation/next") {
			select {
			case polled <- time.Now():
			default:
			}
			<-r.Context().Done() // hold the poll: no invocation is sent
			return
		}
		w.WriteHeader(http.StatusAccepted) // e.g. /runtime/init/error
	})
	start, t, err := againstRuntimeAPI(bin, env, api, "polling", polled)
	if err != nil {
		return 0, err
	}
	return t.Sub(start), nil
}

// againstRuntimeAPI starts bin (in a process group of its own) with api as its Runtime API on
// loopback, waits for got to yield, for the process to exit or for 10 s, then kills the process.
// It returns when the process was started and what got yielded; doing is what got waits for.
func againstRuntimeAPI[T any](bin string, env []string, api http.Handler, doing string, got <-chan T) (time.Time, T, error) {
	var zero T
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return time.Time{}, zero, err
	}
	srv := &http.Server{Handler: api}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()

	cmd := exec.Command(bin)
	cmd.Env = append(append([]string{}, env...), "AWS_LAMBDA_RUNTIME_API="+l.Addr().String())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return time.Time{}, zero, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}()
	select {
	case v := <-got:
		return start, v, nil
	case err := <-exited:
		exited <- err
		return time.Time{}, zero, fmt.Errorf("exited before %s (%v): %s", doing, err, out.String())
	case <-time.After(10 * time.Second):
		return time.Time{}, zero, fmt.Errorf("no %s within 10 s: %s", strings.TrimSuffix(doing, "ing"), out.String())
	}
}
