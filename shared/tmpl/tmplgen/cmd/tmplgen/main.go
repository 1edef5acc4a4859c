// Command tmplgen writes the escaped pages and e-mails and tmpl's methods_gen.go from the
// templates (see package tmplgen). Run it with go generate ./shared/tmpl from anywhere in the
// repository, or as tmplgen <root>.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/preau/preau/shared/tmpl/tmplgen"
)

func main() {
	root := "."
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	if err := run(root); err != nil {
		fmt.Fprintln(os.Stderr, "tmplgen:", err)
		os.Exit(1)
	}
}

func run(root string) error {
	files, err := tmplgen.Generate(root)
	if err != nil {
		return err
	}
	for _, pattern := range tmplgen.Dirs {
		stale, err := filepath.Glob(filepath.Join(root, pattern, "*"))
		if err != nil {
			return err
		}
		for _, f := range stale {
			rel, err := filepath.Rel(root, f)
			if err != nil {
				return err
			}
			if _, ok := files[filepath.ToSlash(rel)]; !ok {
				if err := os.Remove(f); err != nil {
					return err
				}
			}
		}
	}
	for rel, data := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
