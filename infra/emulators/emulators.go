// Package emulators starts and stops the local AWS stand-ins Préau runs against: dynalite
// (DynamoDB's wire API) and aws-ses-v2-local (SES, with a mailbox at GET /store). Both are npm
// packages pinned in infra/package.json and installed in infra/node_modules by `make npm-deps`.
//
// Each emulator runs in its own process group, listens on 127.0.0.1 only, and is stopped by its
// process id, never by name.
package emulators

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Options say where and how to start the emulators.
type Options struct {
	// Root is the repository root (holding infra/node_modules).
	Root string
	// DynamoDBPort and SESPort are the ports to listen on; 0 picks a free one.
	DynamoDBPort, SESPort int
	// DynamoDBPath keeps dynalite's data in that directory (LevelDB); "" keeps it in memory.
	DynamoDBPath string
	// Log receives the emulators' output; nil discards it (it is still shown on a start failure).
	Log io.Writer
}

// Emulators are the running emulators.
type Emulators struct {
	DynamoDB string // endpoint, e.g. http://127.0.0.1:8000
	SES      string // endpoint and mailbox, e.g. http://127.0.0.1:8005
	procs    []*proc
}

type proc struct {
	name string
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
}

// ErrNotInstalled means infra/node_modules lacks the emulators.
var ErrNotInstalled = errors.New("the local AWS emulators are not installed: run make npm-deps")

// Start starts both emulators and returns once both answer. On error nothing is left running.
func Start(ctx context.Context, o Options) (*Emulators, error) {
	bin := filepath.Join(o.Root, "infra", "node_modules", ".bin")
	for _, name := range []string{"dynalite", "aws-ses-v2-local"} {
		if _, err := os.Stat(filepath.Join(bin, name)); err != nil {
			return nil, ErrNotInstalled
		}
	}
	if _, err := exec.LookPath("node"); err != nil {
		return nil, fmt.Errorf("node is not on PATH (Node 20 or later is needed for the emulators): %w", err)
	}
	var err error
	if o.DynamoDBPort == 0 {
		if o.DynamoDBPort, err = FreePort(); err != nil {
			return nil, err
		}
	}
	if o.SESPort == 0 {
		if o.SESPort, err = FreePort(); err != nil {
			return nil, err
		}
	}
	e := &Emulators{
		DynamoDB: fmt.Sprintf("http://127.0.0.1:%d", o.DynamoDBPort),
		SES:      fmt.Sprintf("http://127.0.0.1:%d", o.SESPort),
	}
	dynArgs := []string{"--host", "127.0.0.1", "--port", strconv.Itoa(o.DynamoDBPort),
		// Tables are ACTIVE at once: the real service's delays only slow tests down.
		"--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"}
	if o.DynamoDBPath != "" {
		if err := os.MkdirAll(o.DynamoDBPath, 0o755); err != nil {
			return nil, fmt.Errorf("dynalite data directory: %w", err)
		}
		dynArgs = append(dynArgs, "--path", o.DynamoDBPath)
	}
	starts := []struct {
		name, url string
		args      []string
	}{
		{"dynalite", e.DynamoDB, dynArgs},
		{"aws-ses-v2-local", e.SES + "/health-check", []string{"--host", "127.0.0.1", "--port", strconv.Itoa(o.SESPort)}},
	}
	for _, s := range starts {
		p, err := start(filepath.Join(bin, s.name), s.args, o.Log)
		if err != nil {
			e.Stop()
			return nil, err
		}
		p.name = s.name
		e.procs = append(e.procs, p)
		if err := p.waitReady(ctx, s.url); err != nil {
			e.Stop()
			return nil, err
		}
	}
	return e, nil
}

func start(path string, args []string, log io.Writer) (*proc, error) {
	p := &proc{out: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(path, args...)
	var w io.Writer = p.out
	if log != nil {
		w = io.MultiWriter(p.out, log)
	}
	p.cmd.Stdout, p.cmd.Stderr = w, w
	// Own process group: Ctrl-C in a terminal does not reach it, and Stop can end the whole group.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", filepath.Base(path), err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	return p, nil
}

// waitReady polls url until the emulator answers any HTTP response. Node starts in about a
// second on an idle machine; the wait is long because a busy CI machine can take a minute.
func (p *proc) waitReady(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited at start-up: %s", p.name, p.out.String())
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer at %s: %w\n%s", p.name, url, ctx.Err(), p.out.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Stop ends both emulators' process groups (SIGTERM, then SIGKILL after 5 s) and waits for them.
func (e *Emulators) Stop() {
	var wg sync.WaitGroup
	for _, p := range e.procs {
		wg.Go(func() { p.stop() })
	}
	wg.Wait()
	e.procs = nil
}

func (p *proc) stop() {
	pgid := p.cmd.Process.Pid // Setpgid: the group id is the leader's pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// syncBuffer keeps an emulator's output for error messages.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 64<<10 {
		return len(p), nil // enough to explain a failure
	}
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
