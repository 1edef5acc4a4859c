package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestTableIsCurrent: zoneb_gen.go is what the CSV file makes now; after editing the file, run
// go generate ./shared/calendar.
func TestTableIsCurrent(t *testing.T) {
	dir := filepath.Join("..", "..")
	want, err := generate(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "zoneb_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("shared/calendar/zoneb_gen.go differs from data/school-holidays-zone-b.csv: run go generate ./shared/calendar")
	}
}
