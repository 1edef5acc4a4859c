// Package tmpl executes Préau's pages and e-mails: templates in Go's template language, escaped
// ahead of time by html/template (package tmplgen, run by go generate) and executed here.
//
// Why not html/template at run time: text/template, under it, looks methods up by a name read
// from the template (reflect.Value.MethodByName). A program that can do that keeps every exported
// method of every type it ever holds in an interface, since the linker cannot tell which will be
// asked for: about 1.7 MiB of every function, a fifth of its size. This package calls methods by
// constant names only — those the repository's templates use (methods_gen.go, written by
// tmplgen) — and reads fields and map keys by name, which costs nothing at link time.
//
// What it executes is text/template's language with its meaning: actions, if/else, range (slices,
// arrays, maps in key order, integers) with break and continue, with, template, variables,
// pipelines, the functions of a FuncMap and the builtins and, or, not, len, index, slice, print,
// printf, println, eq, ne, lt, le, gt, ge and call. A field is looked up as text/template does it:
// a method of that name first, then a struct field or a map key. The escaping functions that
// html/template inserted in a page (_html_template_*) are this package's own (escape.go), and
// HTML and URL are the trusted content types they let through unescaped.
//
// A page is escaped once, when it is written, and checked then: tmplgen refuses an action that
// prints without an escaper, and its tests compare this package's output with html/template's.
//go:generate go run ./tmplgen/cmd/tmplgen ../..

package tmpl

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"text/template/parse"
)

// FuncMap names the functions a template may call, as text/template's FuncMap does: each value
// is a function returning one value, or one value and an error.
type FuncMap map[string]any

// HTML is markup from a trusted source (rendered by Préau itself), printed as it is in text.
type HTML string

// URL is a URL from a trusted source (made by Préau itself, such as a data: URL of a QR code),
// printed without the filter that replaces unsafe schemes.
type URL string

// Set is a parsed set of named templates, safe for concurrent executions.
type Set struct {
	trees map[string]*parse.Tree
	funcs map[string]fn
	known map[string]any // every function name, for the parser
}

// Parse parses text, which defines templates with {{define "name"}}…{{end}} (what tmplgen writes,
// or a plain text/template file for an e-mail's text part), with funcs besides the builtins and
// escapers.
func Parse(name, text string, funcs FuncMap) (*Set, error) {
	return parseFiles(funcs, [][2]string{{name, text}})
}

// ParseFS is Parse over each file of fsys matching pattern, the templates of all of them in one
// set (two files defining one name are refused).
func ParseFS(fsys fs.FS, pattern string, funcs FuncMap) (*Set, error) {
	files, err := fs.Glob(fsys, pattern)
	if err != nil {
		return nil, fmt.Errorf("tmpl: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("tmpl: no file matches %s", pattern)
	}
	texts := make([][2]string, 0, len(files))
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("tmpl: %w", err)
		}
		texts = append(texts, [2]string{f, string(b)})
	}
	return parseFiles(funcs, texts)
}

func parseFiles(funcs FuncMap, texts [][2]string) (*Set, error) {
	known := map[string]any{} // text/template/parse wants a non-nil value for each name
	for n := range builtins() {
		known[n] = n
	}
	for n := range escapers() {
		known[n] = n
	}
	set := &Set{trees: map[string]*parse.Tree{}, funcs: map[string]fn{}, known: known}
	for n, f := range funcs {
		v, err := newFn(n, f)
		if err != nil {
			return nil, err
		}
		set.funcs[n] = v
		known[n] = f
	}
	for _, nt := range texts {
		if err := set.add(nt[0], nt[1], false); err != nil {
			return nil, err
		}
	}
	return set, nil
}

// add parses text into s; a template it defines replaces one of s's if replace, else is refused.
func (s *Set) add(name, text string, replace bool) error {
	trees, err := parse.Parse(name, text, "", "", s.known)
	if err != nil {
		return fmt.Errorf("tmpl: %w", err)
	}
	for n, t := range trees {
		old, ok := s.trees[n]
		switch {
		case !ok || parse.IsEmptyTree(old.Root):
			s.trees[n] = t
		case parse.IsEmptyTree(t.Root):
		case replace:
			s.trees[n] = t
		default:
			return fmt.Errorf("tmpl: template %q defined twice", n)
		}
	}
	return nil
}

// Extend returns a new set: s's templates with those text defines, which replace s's of the same
// name (a page's "title" over its layout's), executed with s's functions. s is left as it is, and
// its templates are shared, not copied: a layout parsed once serves every page.
func (s *Set) Extend(name, text string) (*Set, error) {
	ext := &Set{trees: maps.Clone(s.trees), funcs: s.funcs, known: s.known}
	if err := ext.add(name, text, true); err != nil {
		return nil, err
	}
	return ext, nil
}

// Has reports whether the set defines template name.
func (s *Set) Has(name string) bool {
	t, ok := s.trees[name]
	return ok && t.Root != nil
}

// Execute writes template name applied to data to w. On error, w may hold part of the output:
// callers that must not show half a page execute into a buffer (ExecuteString).
func (s *Set) Execute(w io.Writer, name string, data any) error {
	t, ok := s.trees[name]
	if !ok || t.Root == nil {
		return fmt.Errorf("tmpl: no template %q", name)
	}
	st := &state{sets: s, w: w, name: name}
	return st.run(t, data)
}

// ExecuteString is Execute into a string.
func (s *Set) ExecuteString(name string, data any) (string, error) {
	var b bytes.Buffer
	if err := s.Execute(&b, name, data); err != nil {
		return "", err
	}
	return b.String(), nil
}
