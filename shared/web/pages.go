package web

import (
	"fmt"
	"io/fs"
	"maps"
	"path"
	"strings"
	"sync"

	"github.com/preau/preau/shared/tmpl"
)

// Pages is a function's pages: the *.html files of its escaped folder, each what a page adds to
// its layout as tmplgen escaped them from the function's templates (go generate ./shared/tmpl),
// parsed over the layout the first time a container shows it: a cold start parses none, and a
// container parses only the pages it serves. The names are read at once, so a missing page is
// known at start-up; ParseAll parses every page now (the tests of each function with pages call
// it, so a page calling a function its program lacks fails there, not in front of a parent).
type Pages struct {
	parse map[string]func() (*tmpl.Set, error)
}

// NewPages lists the *.html files of fsys, each a page named by its file name without ".html",
// over base: the layout and partials (Layout), parsed once for every page.
func NewPages(fsys fs.FS, base func() (*tmpl.Set, error)) (*Pages, error) {
	files, err := fs.Glob(fsys, "*.html")
	if err != nil {
		return nil, fmt.Errorf("pages: %w", err)
	}
	p := &Pages{parse: map[string]func() (*tmpl.Set, error){}}
	for _, file := range files {
		name := strings.TrimSuffix(path.Base(file), ".html")
		p.parse[name] = sync.OnceValues(func() (*tmpl.Set, error) {
			layout, err := base()
			if err != nil {
				return nil, err
			}
			text, err := fs.ReadFile(fsys, file)
			if err != nil {
				return nil, fmt.Errorf("page %s: %w", name, err)
			}
			set, err := layout.Extend(file, string(text))
			if err != nil {
				return nil, fmt.Errorf("page %s: %w", name, err)
			}
			return set, nil
		})
	}
	return p, nil
}

// Layout returns the escaped layout file of fsys, parsed on first use with Funcs and funcs.
func Layout(fsys fs.FS, file string, funcs tmpl.FuncMap) func() (*tmpl.Set, error) {
	return sync.OnceValues(func() (*tmpl.Set, error) {
		text, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("layout: %w", err)
		}
		all := tmpl.FuncMap{}
		maps.Copy(all, Funcs)
		maps.Copy(all, funcs)
		set, err := tmpl.Parse(file, string(text), all)
		if err != nil {
			return nil, fmt.Errorf("layout: %w", err)
		}
		return set, nil
	})
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
