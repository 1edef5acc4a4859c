package web

import (
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
)

// Pages is a function's page templates, each parsed the first time it is shown: a cold start
// parses none, and a container parses only the pages it serves. The names are read at once, so
// a missing page is known at start-up; ParseAll parses every page now (the tests of each
// function with pages call it, so a broken template fails there, not in front of a parent).
type Pages struct {
	parse map[string]func() (*template.Template, error)
}

// NewPages lists the files of fsys matching pattern, leaving out those skip names (layouts and
// shared partials), and parses each on first use with parse(file). A page is named by its file
// name without ".html".
func NewPages(fsys fs.FS, pattern string, skip []string, parse func(file string) (*template.Template, error)) (*Pages, error) {
	files, err := fs.Glob(fsys, pattern)
	if err != nil {
		return nil, fmt.Errorf("pages: %w", err)
	}
	p := &Pages{parse: map[string]func() (*template.Template, error){}}
	for _, file := range files {
		name := strings.TrimSuffix(path.Base(file), ".html")
		if slices.Contains(skip, name) {
			continue
		}
		p.parse[name] = sync.OnceValues(func() (*template.Template, error) {
			t, err := parse(file)
			if err != nil {
				return nil, fmt.Errorf("page %s: %w", name, err)
			}
			return t, nil
		})
	}
	return p, nil
}

// Lookup returns page name, parsing it if it is its first use.
func (p *Pages) Lookup(name string) (*template.Template, error) {
	parse, ok := p.parse[name]
	if !ok {
		return nil, fmt.Errorf("no page %q", name)
	}
	return parse()
}

// ParseAll parses every page and returns the first error.
func (p *Pages) ParseAll() error {
	for _, parse := range p.parse {
		if _, err := parse(); err != nil {
			return err
		}
	}
	return nil
}
