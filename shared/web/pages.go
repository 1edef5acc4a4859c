package web

import (
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/preau/preau/shared/tmpl"
)

// Pages is a function's pages: the files of its escaped folder, each a page with its layout
// and partials as tmplgen escaped them from the function's templates (go generate), parsed the
// first time a container shows it: a cold start parses none, and a container parses only the
// pages it serves. The names are read at once, so a missing page is known at start-up; ParseAll
// parses every page now (the tests of each function with pages call it, so a page calling a
// function its program lacks fails there, not in front of a parent).
type Pages struct {
	parse map[string]func() (*tmpl.Set, error)
}

// NewPages lists the *.html files of fsys, each a page named by its file name without ".html",
// executed with funcs besides Funcs.
func NewPages(fsys fs.FS, funcs tmpl.FuncMap) (*Pages, error) {
	files, err := fs.Glob(fsys, "*.html")
	if err != nil {
		return nil, fmt.Errorf("pages: %w", err)
	}
	all := tmpl.FuncMap{}
	for n, f := range Funcs {
		all[n] = f
	}
	for n, f := range funcs {
		all[n] = f
	}
	p := &Pages{parse: map[string]func() (*tmpl.Set, error){}}
	for _, file := range files {
		name := strings.TrimSuffix(path.Base(file), ".html")
		p.parse[name] = sync.OnceValues(func() (*tmpl.Set, error) {
			text, err := fs.ReadFile(fsys, file)
			if err != nil {
				return nil, fmt.Errorf("page %s: %w", name, err)
			}
			set, err := tmpl.Parse(file, string(text), all)
			if err != nil {
				return nil, fmt.Errorf("page %s: %w", name, err)
			}
			return set, nil
		})
	}
	return p, nil
}

// Lookup returns page name, parsing it if it is its first use.
func (p *Pages) Lookup(name string) (*tmpl.Set, error) {
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
