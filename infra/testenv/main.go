// Command testenv runs a command with fresh in-memory AWS emulators around it:
//
//	go run ./infra/testenv -- go test ./...
//
// It starts dynalite and aws-ses-v2-local on free 127.0.0.1 ports, exports
// AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SES, AWS_REGION and dummy credentials, runs the
// command, stops the emulators (also on Ctrl-C) and exits with the command's status.
// `make test` and `make bench` use it.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/preau/preau/infra/emulators"
	"github.com/preau/preau/infra/localaws"
	"github.com/preau/preau/infra/samtemplate"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: go run ./infra/testenv -- COMMAND [ARGS...]")
		return 2
	}
	// The command shares our terminal's process group, so Ctrl-C reaches it directly; we only
	// need to outlive it to stop the emulators, which sit in their own groups.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)

	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		return 1
	}
	root, err := samtemplate.ModuleRoot(wd)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		return 1
	}
	emu, err := emulators.Start(context.Background(), emulators.Options{Root: root})
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		return 1
	}
	defer emu.Stop()
	fmt.Fprintf(os.Stderr, "testenv: DynamoDB at %s, SES at %s\n", emu.DynamoDB, emu.SES)

	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), localaws.Env(emu.DynamoDB, emu.SES)...)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		return 1
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		select {
		case sig := <-signals:
			// A signal sent to us alone (not to the terminal's group) is passed on.
			_ = cmd.Process.Signal(sig)
		case err := <-done:
			var exit *exec.ExitError
			switch {
			case err == nil:
				return 0
			case errors.As(err, &exit):
				if code := exit.ExitCode(); code > 0 {
					return code
				}
				return 1 // killed by a signal
			default:
				fmt.Fprintln(os.Stderr, "testenv:", err)
				return 1
			}
		}
	}
}
