package lambdarun

import (
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func buildEcho(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bootstrap")
	out, err := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bin, "./testdata/echo").CombinedOutput()
	if err != nil {
		t.Fatalf("build echo: %v\n%s", err, out)
	}
	return bin
}

type reply struct {
	Value, RequestID, Function, Env string
	Pid                             int
}

func invoke(t *testing.T, r *Runner, payload string) (reply, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := r.Invoke(ctx, []byte(payload))
	if err != nil {
		return reply{}, err
	}
	var rep reply
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("response %s: %v", out, err)
	}
	return rep, nil
}

func TestRunner(t *testing.T) {
	var log strings.Builder
	var logMu sync.Mutex
	r, err := Start(Function{Name: "Echo", Binary: buildEcho(t), Env: []string{"ECHO_ENV=yes"},
		// The timeout leaves a loaded machine, running the race detector, seconds to answer the
		// 200 ms pauses; "sleep" sleeps 10 s, past it.
		Instances: 2, Timeout: 4 * time.Second, Log: writerFunc(func(p []byte) (int, error) {
			logMu.Lock()
			defer logMu.Unlock()
			return log.Write(p)
		})})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()

	t.Run("response, context and environment", func(t *testing.T) {
		rep, err := invoke(t, r, `{"value":"bonjour"}`)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Value != "bonjour" || rep.Function != "Echo" || rep.Env != "yes" || len(rep.RequestID) != 36 {
			t.Errorf("reply = %+v", rep)
		}
	})
	t.Run("concurrent invocations use both instances", func(t *testing.T) {
		// An instance that has not polled yet (slow start on a busy machine) leaves the work to
		// the other, so rounds repeat until both have served.
		pids := map[int]bool{}
		var mu sync.Mutex
		for round := 0; round < 50 && len(pids) < 2; round++ {
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() {
					rep, err := invoke(t, r, `{"do":"pause"}`)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					pids[rep.Pid] = true
					mu.Unlock()
				})
			}
			wg.Wait()
		}
		if len(pids) != 2 {
			t.Errorf("served by %d processes, want 2", len(pids))
		}
	})
	t.Run("function error", func(t *testing.T) {
		_, err := invoke(t, r, `{"do":"fail"}`)
		var fe *FunctionError
		if !errors.As(err, &fe) || fe.Message != "asked to fail" {
			t.Errorf("err = %v", err)
		}
	})
	for _, tc := range []struct{ do, errType string }{{"sleep", "Sandbox.Timedout"}, {"exit", "Runtime.ExitError"}} {
		t.Run(tc.do+" fails the invocation and the instance is replaced", func(t *testing.T) {
			_, err := invoke(t, r, `{"do":"`+tc.do+`"}`)
			var fe *FunctionError
			if !errors.As(err, &fe) || fe.Type != tc.errType {
				t.Fatalf("err = %v, want %s", err, tc.errType)
			}
			for range 4 { // both instances answer again
				if _, err := invoke(t, r, `{"value":"again"}`); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	logMu.Lock()
	defer logMu.Unlock()
	if !strings.Contains(log.String(), "[Echo#") {
		t.Errorf("no prefixed log lines: %q", log.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
