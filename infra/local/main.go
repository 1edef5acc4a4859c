// Command local is Préau's local stack (`make run`): the functions' real binaries behind a local
// API Gateway on http://127.0.0.1:8080, against local DynamoDB and SES emulators.
//
// It installs the emulators if needed (npm ci in infra/), starts dynalite with its data in
// .local/dynalite (kept across restarts; `make reset` wipes it) and aws-ses-v2-local on :8005
// (the mailbox), creates the tables from template.yaml, loads the demo commune once, builds each
// function for this machine and serves every HttpApi route of template.yaml, as API Gateway v2 and
// Lambda would. Scheduled functions run on demand from http://127.0.0.1:8080/_local/.
//
// Settings (environment):
//
//	PORT=8080             port of the portal
//	LOCAL_INSTANCES=2     processes per function
//	LOCAL_CLOCK=<RFC3339> start the clock at that instant; it then runs (local only)
//	LOCAL_DIR=.local      where the data, the secret key and the binaries live (browser tests use a fresh one)
//	LOCAL_MAILBOX_PORT=8005  port of the SES emulator's mailbox
//	LOCAL_PAYFIP_PORT=8006   port of the PayFiP stand-in (infra/payfip), which the functions call
//
// Ctrl-C stops everything it started.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/preau/preau/infra/demo"
	"github.com/preau/preau/infra/emulators"
	"github.com/preau/preau/infra/localaws"
	"github.com/preau/preau/infra/payfip"
	"github.com/preau/preau/infra/samtemplate"
	"github.com/preau/preau/shared/store"
)

// Local names of the template's tables.
var tableNames = map[string]string{"DataTable": "preau-data", "SessionTable": "preau-sessions"}

const (
	dynamoPort = 8000
	sesPort    = 8005
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "local:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	root, err := samtemplate.ModuleRoot(wd)
	if err != nil {
		return err
	}
	port, err := intEnv("PORT", 8080)
	if err != nil {
		return err
	}
	instances, err := intEnv("LOCAL_INSTANCES", 2)
	if err != nil {
		return err
	}
	clockBase := time.Now()
	var localClock time.Time
	if v := os.Getenv("LOCAL_CLOCK"); v != "" {
		if localClock, err = time.Parse(time.RFC3339Nano, v); err != nil {
			return fmt.Errorf("LOCAL_CLOCK=%q: want an RFC 3339 instant such as 2026-12-03T09:59:00+01:00", v)
		}
	}
	// Take the portal's port first: if it is busy, say so before starting anything.
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return fmt.Errorf("port %d is busy (set PORT to use another): %w", port, err)
	}
	defer ln.Close()
	baseURL := fmt.Sprintf("http://127.0.0.1:%d", port)

	if err := npmDeps(ctx, root); err != nil {
		return err
	}
	state := filepath.Join(root, ".local")
	if v := os.Getenv("LOCAL_DIR"); v != "" {
		if state, err = filepath.Abs(v); err != nil {
			return err
		}
	}
	mailPort, err := intEnv("LOCAL_MAILBOX_PORT", sesPort)
	if err != nil {
		return err
	}
	dynPort := dynamoPort
	if !portFree(dynPort) {
		dynPort = 0 // a free one: nothing outside needs to know DynamoDB's port
	}
	if !portFree(mailPort) {
		return fmt.Errorf("port %d (the mailbox) is busy: is another local stack running? (LOCAL_MAILBOX_PORT to use another)", mailPort)
	}
	emu, err := emulators.Start(ctx, emulators.Options{Root: root, DynamoDBPort: dynPort, SESPort: mailPort,
		DynamoDBPath: filepath.Join(state, "dynalite")})
	if err != nil {
		return err
	}
	defer emu.Stop()

	tpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"), nil, tableNames)
	if err != nil {
		return err
	}
	db := localaws.DynamoDB(emu.DynamoDB)
	if err := localaws.EnsureTables(ctx, db, tpl.Tables); err != nil {
		return err
	}
	now := time.Now()
	if !localClock.IsZero() {
		now = localClock
	}
	st := store.New(db, store.Tables{Data: tableNames["DataTable"], Session: tableNames["SessionTable"]})
	if err := demo.Load(ctx, st, now); err != nil {
		return err
	}
	secret, err := secretKey(filepath.Join(state, "secret-key"))
	if err != nil {
		return err
	}
	payfipPort, err := intEnv("LOCAL_PAYFIP_PORT", 8006)
	if err != nil {
		return err
	}
	pf, err := payfip.Start(payfipPort, os.Stderr)
	if err != nil {
		return fmt.Errorf("%w (LOCAL_PAYFIP_PORT to use another)", err)
	}
	defer pf.Close()

	fmt.Fprintln(os.Stderr, "local: building the functions…")
	stack, err := NewStack(ctx, Options{
		Root: root, BinDir: filepath.Join(state, "bin"), BaseURL: baseURL, Instances: instances,
		DynamoDB: emu.DynamoDB, SES: emu.SES, TableNames: tableNames, SecretKey: secret,
		LocalClock: localClock, ClockBase: clockBase, Log: os.Stderr, DataDir: filepath.Join(state, "dynalite"),
		PayFiP: pf.URL,
	})
	if err != nil {
		return err
	}
	defer stack.Close()

	srv := &http.Server{Handler: stack, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	banner(baseURL, emu, stack, pf.URL)

	select {
	case <-ctx.Done():
		fmt.Fprintln(os.Stderr, "\nlocal: stopping…")
	case err := <-errc:
		return err
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdownCtx)
	return nil
}

func banner(baseURL string, emu *emulators.Emulators, s *Stack, payfipURL string) {
	clock := "real time"
	if !s.opts.LocalClock.IsZero() {
		clock = "LOCAL_CLOCK, now " + s.Now().Format(time.RFC3339)
	}
	var codes []string
	for _, f := range demo.Families {
		codes = append(codes, fmt.Sprintf("    %-18s %s", f.Name, f.SubscriberCode))
	}
	fmt.Fprintf(os.Stderr, `
  Préau — Laigneville (local)

  Portal     %s/
  Mailbox    %s   (every e-mail the functions send)
  Local      %s/_local/   (routes, run scheduled jobs)
  PayFiP     %s   (stand-in, test mode: pay, refuse or abandon)
  DynamoDB   %s   (data in %s)
  Clock      %s

  Demo parent  %s / %s  (Famille Martin, linked)
  Demo subscriber codes (create an account, confirm it from the mailbox, then link a family):
%s

  Ctrl-C stops everything.

`, baseURL, emu.SES, baseURL, payfipURL, emu.DynamoDB, s.dataDir, clock, demo.ParentEmail, demo.ParentPassword, strings.Join(codes, "\n"))
}

// npmDeps installs the emulators from the lock file when infra/node_modules lacks them.
func npmDeps(ctx context.Context, root string) error {
	if _, err := os.Stat(filepath.Join(root, "infra", "node_modules", ".bin", "dynalite")); err == nil {
		if _, err := os.Stat(filepath.Join(root, "infra", "node_modules", ".bin", "aws-ses-v2-local")); err == nil {
			return nil
		}
	}
	fmt.Fprintln(os.Stderr, "local: installing the emulators (npm ci in infra/)…")
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = filepath.Join(root, "infra")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm ci in infra/ (Node 20 and npm are needed): %w", err)
	}
	return nil
}

// secretKey reads the local SECRET_KEY, making one on first run, so that signed links and
// sessions survive a restart as the data does.
func secretKey(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("secret key: %w", err)
	}
	key := rand.Text() + rand.Text() // 52 base32 characters, 260 bits
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("secret key: %w", err)
	}
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("secret key: %w", err)
	}
	return key, nil
}

func intEnv(name string, def int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive number", name, v)
	}
	return n, nil
}

func portFree(port int) bool {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return false
	}
	l.Close()
	return true
}
