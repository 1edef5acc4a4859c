// Package lambdarun runs a real function binary (a provided.al2023 "bootstrap" built for the
// host) the way the Lambda service does: it serves the Lambda Runtime API, starts the binary with
// AWS_LAMBDA_RUNTIME_API pointing at it, and hands it one invocation at a time.
//
// Each instance (process) gets its own Runtime API listener on 127.0.0.1, so an invocation always
// belongs to a known process: if that process crashes or overruns its timeout, the invocation fails
// and the process is replaced, as a Lambda execution environment would be.
//
// Implemented endpoints (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html):
//
//	GET  /2018-06-01/runtime/invocation/next
//	POST /2018-06-01/runtime/invocation/{id}/response
//	POST /2018-06-01/runtime/invocation/{id}/error
//	POST /2018-06-01/runtime/init/error
package lambdarun

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/preau/preau/infra/samtemplate"
)

// Function describes the binary to run and how.
type Function struct {
	Name      string        // the template's LogicalID, also AWS_LAMBDA_FUNCTION_NAME
	Binary    string        // path of the host-built bootstrap
	Env       []string      // the whole environment of each process (KEY=value)
	Instances int           // processes kept running; at least 1
	Timeout   time.Duration // per invocation, as the template's Timeout
	MemoryMB  int           // reported to the function only
	Log       io.Writer     // receives the processes' output, each line prefixed; nil discards
}

// FunctionError is what the function reported through /error (or a crash or a timeout).
type FunctionError struct {
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
}

func (e *FunctionError) Error() string { return e.Type + ": " + e.Message }

// Runner keeps a function's instances running and dispatches invocations to them.
type Runner struct {
	fn       Function
	queue    chan *invocation
	stopping chan struct{}
	wg       sync.WaitGroup
	arn      string
}

type invocation struct {
	id       string
	payload  []byte
	deadline time.Time
	result   chan result // buffered 1; the first outcome wins
}

type result struct {
	body []byte
	err  error
}

func (inv *invocation) finish(r result) {
	select {
	case inv.result <- r:
	default:
	}
}

// Start starts fn's instances. They connect in the background; Invoke waits for a free one.
func Start(fn Function) (*Runner, error) {
	if fn.Instances < 1 {
		fn.Instances = 1
	}
	if fn.Timeout <= 0 {
		fn.Timeout = 3 * time.Second
	}
	r := &Runner{fn: fn, queue: make(chan *invocation), stopping: make(chan struct{}),
		arn: fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", samtemplate.Region, samtemplate.AccountID, fn.Name)}
	for i := range fn.Instances {
		in := &instance{r: r, n: i + 1}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			r.Stop()
			return nil, fmt.Errorf("%s: runtime API listener: %w", fn.Name, err)
		}
		in.srv = &http.Server{Handler: in.routes(), ReadHeaderTimeout: 10 * time.Second}
		in.addr = l.Addr().String()
		r.wg.Go(func() { _ = in.srv.Serve(l) })
		r.wg.Go(in.supervise)
	}
	return r, nil
}

// Invoke sends payload to a free instance and returns the function's response payload. A
// function error is a *FunctionError. Waiting for a free instance counts against ctx only.
func (r *Runner) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	inv := &invocation{id: newRequestID(), payload: payload, result: make(chan result, 1)}
	select {
	case r.queue <- inv:
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: no free instance: %w", r.fn.Name, ctx.Err())
	case <-r.stopping:
		return nil, fmt.Errorf("%s: %w", r.fn.Name, ErrStopped)
	}
	select {
	case res := <-inv.result:
		return res.body, res.err
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: invocation %s: %w", r.fn.Name, inv.id, ctx.Err())
	}
}

// Stop kills every instance (by process group) and closes the Runtime API listeners.
func (r *Runner) Stop() {
	select {
	case <-r.stopping:
	default:
		close(r.stopping)
	}
	r.wg.Wait()
}

// instance is one process and its Runtime API endpoint.
type instance struct {
	r    *Runner
	n    int
	addr string
	srv  *http.Server

	mu      sync.Mutex
	current *invocation
	cmd     *exec.Cmd
	timer   *time.Timer
}

func (in *instance) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", in.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", in.response)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", in.error)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", in.initError)
	return mux
}

func (in *instance) next(w http.ResponseWriter, req *http.Request) {
	var inv *invocation
	select {
	case inv = <-in.r.queue:
	case <-req.Context().Done():
		return
	case <-in.r.stopping:
		// Hold the poll until the process is stopped, so that it does not log a failed poll.
		select {
		case <-req.Context().Done():
		case <-time.After(3 * time.Second):
		}
		return
	}
	inv.deadline = time.Now().Add(in.r.fn.Timeout)
	in.mu.Lock()
	if in.current != nil { // the runtime asked for more work without answering: Lambda fails it
		in.current.finish(result{err: &FunctionError{Type: "Runtime.InvalidState", Message: "next invocation requested before a response"}})
	}
	in.current = inv
	in.timer = time.AfterFunc(in.r.fn.Timeout, func() { in.timeout(inv) })
	in.mu.Unlock()

	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", in.r.arn)
	hexID := strings.ReplaceAll(inv.id, "-", "")
	h.Set("Lambda-Runtime-Trace-Id", "Root=1-"+hexID[:8]+"-"+hexID[8:]+";Sampled=0")
	_, _ = w.Write(inv.payload)
}

// take returns the current invocation if it has that id, and clears it.
func (in *instance) take(id string) *invocation {
	in.mu.Lock()
	defer in.mu.Unlock()
	inv := in.current
	if inv == nil || inv.id != id {
		return nil
	}
	in.current = nil
	if in.timer != nil {
		in.timer.Stop()
	}
	return inv
}

func (in *instance) response(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 6<<20+1))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	inv := in.take(req.PathValue("id"))
	if inv == nil {
		http.Error(w, `{"errorType":"InvalidRequestID"}`, http.StatusBadRequest)
		return
	}
	if len(body) > 6<<20 { // Lambda's synchronous response limit
		inv.finish(result{err: &FunctionError{Type: "Function.ResponseSizeTooLarge", Message: "response over 6 MB"}})
		http.Error(w, `{"errorType":"RequestEntityTooLarge"}`, http.StatusRequestEntityTooLarge)
		return
	}
	inv.finish(result{body: body})
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func (in *instance) error(w http.ResponseWriter, req *http.Request) {
	inv := in.take(req.PathValue("id"))
	if inv == nil {
		http.Error(w, `{"errorType":"InvalidRequestID"}`, http.StatusBadRequest)
		return
	}
	inv.finish(result{err: readFunctionError(req)})
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func (in *instance) initError(w http.ResponseWriter, req *http.Request) {
	fe := readFunctionError(req)
	in.logf("init error: %v", fe)
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func readFunctionError(req *http.Request) *FunctionError {
	fe := &FunctionError{}
	body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if json.Unmarshal(body, fe) != nil || fe.Type == "" && fe.Message == "" {
		fe.Message = string(body)
	}
	if fe.Type == "" {
		fe.Type = req.Header.Get("Lambda-Runtime-Function-Error-Type")
	}
	return fe
}

// timeout fails an overrunning invocation and kills its process; supervise starts a new one.
func (in *instance) timeout(inv *invocation) {
	if in.take(inv.id) == nil {
		return
	}
	inv.finish(result{err: &FunctionError{Type: "Sandbox.Timedout",
		Message: fmt.Sprintf("Task timed out after %.2f seconds", in.r.fn.Timeout.Seconds())}})
	in.logf("invocation %s timed out; restarting the instance", inv.id)
	in.kill()
}

func (in *instance) kill() {
	in.mu.Lock()
	cmd := in.cmd
	in.mu.Unlock()
	if cmd != nil && cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// supervise runs the process, restarting it when it exits, until the runner stops.
func (in *instance) supervise() {
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = in.srv.Shutdown(ctx)
	}()
	for {
		started := time.Now()
		err := in.runOnce()
		select {
		case <-in.r.stopping:
			return
		default:
		}
		if inv := in.takeAny(); inv != nil {
			inv.finish(result{err: &FunctionError{Type: "Runtime.ExitError", Message: fmt.Sprintf("process exited: %v", err)}})
		}
		in.logf("process exited (%v); restarting", err)
		// A process that dies at once (bad config) is restarted slowly, not in a tight loop.
		wait := 100 * time.Millisecond
		if time.Since(started) < time.Second {
			wait = 2 * time.Second
		}
		select {
		case <-in.r.stopping:
			return
		case <-time.After(wait):
		}
	}
}

func (in *instance) takeAny() *invocation {
	in.mu.Lock()
	defer in.mu.Unlock()
	inv := in.current
	in.current = nil
	if in.timer != nil {
		in.timer.Stop()
	}
	return inv
}

func (in *instance) runOnce() error {
	fn := in.r.fn
	cmd := exec.Command(fn.Binary)
	cmd.Env = append(append([]string{}, fn.Env...),
		"AWS_LAMBDA_RUNTIME_API="+in.addr,
		"AWS_LAMBDA_FUNCTION_NAME="+fn.Name,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE="+strconv.Itoa(max(fn.MemoryMB, 128)),
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/"+fn.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME=local-"+strconv.Itoa(in.n),
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
	)
	out := in.lineWriter()
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	in.mu.Lock()
	in.cmd = cmd
	in.mu.Unlock()

	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-in.r.stopping:
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case err := <-done:
			return err
		case <-time.After(2 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			return <-done
		}
	}
}

func (in *instance) prefix() string { return fmt.Sprintf("[%s#%d] ", in.r.fn.Name, in.n) }

func (in *instance) logf(format string, args ...any) {
	if in.r.fn.Log != nil {
		fmt.Fprintf(in.r.fn.Log, in.prefix()+format+"\n", args...)
	}
}

// lineWriter prefixes each output line with the instance's name.
func (in *instance) lineWriter() io.Writer {
	if in.r.fn.Log == nil {
		return io.Discard
	}
	return &prefixWriter{out: in.r.fn.Log, prefix: in.prefix()}
}

// prefixWriter writes complete lines, each after prefix, and keeps a partial line for later.
type prefixWriter struct {
	mu      sync.Mutex
	out     io.Writer
	prefix  string
	partial []byte
}

func (w *prefixWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		line := append([]byte(w.prefix), w.partial[:i+1]...)
		if _, err := w.out.Write(line); err != nil {
			return len(p), nil // losing a log line must not break the function
		}
		w.partial = w.partial[i+1:]
	}
	if len(w.partial) > 64<<10 {
		_, _ = w.out.Write(append(append([]byte(w.prefix), w.partial...), '\n'))
		w.partial = nil
	}
	return len(p), nil
}

// newRequestID returns a random UUID (version 4), the form of Lambda request ids.
func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// ErrStopped is returned by Invoke after Stop.
var ErrStopped = errors.New("lambdarun: stopped")
