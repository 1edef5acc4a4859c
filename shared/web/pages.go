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
// parsed over the layout the first time a container shows it: a cold start reads and parses
// none (not even the folder's listing), and a container parses only the pages it serves.
// ParseAll parses every page now (the tests of each function with pages call it, so a page
// calling a function its program lacks fails there, not in front of a parent).
type Pages struct {
	fsys  fs.FS
	base  func() (*tmpl.Set, error)
	mu    sync.Mutex
	parse map[string]func() (*tmpl.Set, error)
}

// NewPages returns the pages of fsys, each named by its file name without ".html", over base:
// the layout and partials (Layout), parsed once for every page.
func NewPages(fsys fs.FS, base func() (*tmpl.Set, error)) *Pages {
	return &Pages{fsys: fsys, base: base, parse: map[string]func() (*tmpl.Set, error){}}
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
	if p.fsys == nil {
		return nil, fmt.Errorf("no page %q", name)
	}
	p.mu.Lock()
	parse, ok := p.parse[name]
	if !ok {
		file := name + ".html"
		if st, err := fs.Stat(p.fsys, file); err != nil || st.IsDir() || path.Base(file) != file {
			p.mu.Unlock()
			return nil, fmt.Errorf("no page %q", name)
		}
		parse = sync.OnceValues(func() (*tmpl.Set, error) {
			layout, err := p.base()
			if err != nil {
				return nil, err
			}
			text, err := fs.ReadFile(p.fsys, file)
			if err != nil {
				return nil, fmt.Errorf("page %s: %w", name, err)
			}
			set, err := layout.Extend(file, string(text))
			if err != nil {
				return nil, fmt.Errorf("page %s: %w", name, err)
			}
			return set, nil
		})
		p.parse[name] = parse
	}
	p.mu.Unlock()
	return parse()
}

// ParseAll parses every page of the folder and returns the first error.
func (p *Pages) ParseAll() error {
	if p.fsys == nil {
		return nil
	}
	files, err := fs.Glob(p.fsys, "*.html")
	if err != nil {
		return fmt.Errorf("pages: %w", err)
	}
	for _, file := range files {
		if _, err := p.Lookup(strings.TrimSuffix(file, ".html")); err != nil {
			return err
		}
	}
	return nil
}
