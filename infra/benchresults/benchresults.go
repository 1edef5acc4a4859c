// Package benchresults keeps the figures of `make bench` in one machine-readable file: a flat
// JSON object of named numbers (`{"planning_p99_ratio": 2.4, "size_ratio_max": 1.62, ...}`),
// `.bench/results.json` at the module's root, which `make bench` starts empty.
//
// Each benchmark step merges its own names into the file, whatever ran before it: the
// Makefile gives every step the file's absolute path in PREAU_BENCH_RESULTS, a Go benchmark or
// command calls Record with what it measured, and a step run by hand without that variable
// writes nothing. Merges take a lock on the file, so the test binaries `go test -bench` runs
// side by side can record at the same time, and the file is replaced whole, never half written.
//
// A name is lower-case snake case with its unit last (`_ms`, `_s`, `_kb`, `_eur`, `_ratio` or
// a count), so the file reads without this package.
package benchresults

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
)

// Env names the variable that holds the results file's path.
const Env = "PREAU_BENCH_RESULTS"

var validName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Record merges values into the file named by PREAU_BENCH_RESULTS, and does nothing when the
// variable is empty (a benchmark run by hand).
func Record(values map[string]float64) error {
	path := os.Getenv(Env)
	if path == "" {
		return nil
	}
	return Merge(path, values)
}

// Merge sets values in the results file at path, keeping every other name it holds; the file
// and its folder are created when missing.
func Merge(path string, values map[string]float64) error {
	for name, v := range values {
		if !validName.MatchString(name) {
			return fmt.Errorf("bench results: %q is not a lower-case snake-case name", name)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("bench results: %s is %v, not a number JSON can hold", name, v)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("bench results: %w", err)
	}
	unlock, err := lock(path + ".lock")
	if err != nil {
		return fmt.Errorf("bench results: %w", err)
	}
	defer unlock()
	all, err := Read(path)
	if err != nil {
		return err
	}
	for name, v := range values {
		all[name] = v
	}
	b, err := json.MarshalIndent(all, "", "  ") // keys sorted
	if err != nil {
		return fmt.Errorf("bench results: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".results-*.json")
	if err != nil {
		return fmt.Errorf("bench results: %w", err)
	}
	_, werr := tmp.Write(append(b, '\n'))
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("bench results: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("bench results: %w", err)
	}
	return nil
}

// Read returns the numbers in the results file at path (none when it does not exist).
func Read(path string) (map[string]float64, error) {
	all := map[string]float64{}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return all, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bench results: %w", err)
	}
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, fmt.Errorf("bench results: %s is not a flat object of numbers: %w", path, err)
	}
	return all, nil
}

// lock holds an exclusive lock on the file at path until the returned func is called.
func lock(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
