package benchresults

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestMergeKeepsOtherNames(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".bench", "results.json")
	if err := Merge(path, map[string]float64{"size_ratio_max": 1.62, "startup_ratio_max": 1.31}); err != nil {
		t.Fatal(err)
	}
	if err := Merge(path, map[string]float64{"cost_per_family_year_eur": 0.012, "size_ratio_max": 1.58}); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"size_ratio_max": 1.58, "startup_ratio_max": 1.31, "cost_per_family_year_eur": 0.012}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("file holds %v, want %v", got, want)
	}
	b, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(b), "{\n  \"cost_per_family_year_eur\": 0.012,\n") {
		t.Fatalf("file is not an indented object with sorted names:\n%s", b)
	}
}

// go test -bench runs several packages' test binaries at once: every merge must survive.
func TestConcurrentMerges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.json")
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			if err := Merge(path, map[string]float64{fmt.Sprintf("step_%d_ms", i): float64(i)}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		if v, ok := got[fmt.Sprintf("step_%d_ms", i)]; !ok || v != float64(i) {
			t.Fatalf("step_%d_ms = %v, %v in %v", i, v, ok, got)
		}
	}
	if len(got) != 40 {
		t.Fatalf("%d names, want 40", len(got))
	}
}

func TestRecordNeedsTheVariable(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(Env, "")
	if err := Record(map[string]float64{"x_ms": 1}); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("wrote %v without %s", entries, Env)
	}
	path := filepath.Join(dir, "results.json")
	t.Setenv(Env, path)
	if err := Record(map[string]float64{"x_ms": 1.5}); err != nil {
		t.Fatal(err)
	}
	if got, _ := Read(path); got["x_ms"] != 1.5 {
		t.Fatalf("recorded %v", got)
	}
}

func TestMergeRefuses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.json")
	for _, tc := range []struct {
		name   string
		values map[string]float64
	}{
		{"upper case", map[string]float64{"Size": 1}},
		{"dash", map[string]float64{"size-ratio": 1}},
		{"empty name", map[string]float64{"": 1}},
		{"NaN", map[string]float64{"ratio": math.NaN()}},
		{"infinite", map[string]float64{"ratio": math.Inf(1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := Merge(path, tc.values); err == nil {
				t.Fatalf("merged %v", tc.values)
			}
		})
	}
	if err := os.WriteFile(path, []byte(`{"nested": {"a": 1}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Merge(path, map[string]float64{"ok": 1}); err == nil {
		t.Fatal("merged into a file that is not a flat object of numbers")
	}
}
