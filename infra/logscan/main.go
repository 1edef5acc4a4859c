// Command logscan runs `go test -json …` and reads every log line the tests' code wrote (slog,
// as JSON or text, from handlers, functions and the local stack) for what logs must never hold:
// an e-mail address, a token (32 random bytes in base64url) or a token's hash (64 hex digits).
// It prints the tests' output as `go test` would, then each finding with its test, and fails
// when a test failed or a log line carries such a value. `make test` runs the Go tests through it:
//
//	go run ./infra/logscan -- go test -race -count=1 -json ./...
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: logscan -- go test -json ./...")
		os.Exit(2)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, "logscan:", err)
		os.Exit(2)
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "logscan:", err)
		os.Exit(2)
	}
	findings, failed := scan(out, os.Stdout)
	runErr := cmd.Wait()
	for _, f := range findings {
		fmt.Printf("logscan: %s\n", f)
	}
	if len(findings) > 0 {
		fmt.Printf("logscan: %d log lines hold an e-mail address or a token\n", len(findings))
	}
	if runErr != nil || failed || len(findings) > 0 {
		os.Exit(1)
	}
}

// event is one line of `go test -json` (test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// scan reads test2json events from r, writes to w what a non-verbose `go test` shows (package
// results, and the output of failing tests), and returns the findings and whether anything failed.
func scan(r io.Reader, w io.Writer) (findings []string, failed bool) {
	held := map[string][]string{} // output of running tests, shown if they fail
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			fmt.Fprintln(w, sc.Text()) // not test2json (a build error): show it
			continue
		}
		id := e.Package + " " + e.Test
		switch e.Action {
		case "output", "build-output":
			if f := Leak(e.Output); f != "" {
				findings = append(findings, fmt.Sprintf("%s: %s in %q", strings.TrimSpace(id), f, strings.TrimSpace(e.Output)))
			}
			if e.Test != "" {
				held[id] = append(held[id], e.Output)
			} else if !strings.HasPrefix(e.Output, "=== ") && !strings.HasPrefix(e.Output, "--- PASS") &&
				!strings.HasPrefix(e.Output, "PASS") && !isLog(e.Output) {
				fmt.Fprint(w, e.Output)
			}
		case "fail", "build-fail":
			failed = true
			for _, o := range held[id] {
				fmt.Fprint(w, o)
			}
			delete(held, id)
		case "pass", "skip":
			delete(held, id)
		}
	}
	return findings, failed
}
