// Package tmplgen escapes Préau's page and e-mail templates ahead of time, with html/template,
// into the files package tmpl executes, and lists the names by which those templates may call
// methods (tmpl's methods_gen.go). It runs from go generate and from tests, never in a function:
// linking html/template is what package tmpl exists to avoid.
//
// Sources and what is written from them (paths from the repository's root):
//
//	shared/web/templates/*.html          → shared/web/escaped/base.tmpl: the shared layout and
//	    partials ("layout.html") and the error page ("error-page").
//	functions/<f>/templates/<page>.html  → functions/<f>/escaped/<page>.html: what the page adds
//	    to the shared layout (its "content", its "title"), executed as "layout.html" over it;
//	    or over the function's own layout.html and _shared.html beside the shared notices when it
//	    has them (the back-office), escaped once in functions/<f>/escaped/base.tmpl.
//	shared/mail/templates/*.html         → shared/mail/escaped/mail.html (each e-mail's
//	    "<name>.html" and "layout.html"); the .txt parts are plain text and are not escaped.
//	every template, and the methods declared → shared/tmpl/methods_gen.go
//	    under functions/ and shared/
package tmplgen

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"html/template"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"text/template/parse"
	"time"

	"github.com/preau/preau/shared/tmpl"
)

// Source is template files: the files of FS matching Patterns, parsed in that order.
type Source struct {
	FS       fs.FS
	Patterns []string
}

// Escape parses sources in order with html/template, escapes each entry and every template it
// calls, and returns those templates as one text of {{define}} blocks for tmpl.Parse. It fails
// when html/template refuses a template, or when an escaped action would need an escaper that
// package tmpl does not have.
func Escape(entries []string, sources ...Source) (string, error) {
	set, err := escapeSet(entries, sources...)
	if err != nil {
		return "", err
	}
	return join(set), nil
}

// EscapeOver is Escape for a page over a base (its layout and partials) escaped apart, whose
// text is base: it returns only the templates that the base does not hold as they are, for
// tmpl's Set.Extend. A template of the base that the page set escapes otherwise (a partial the
// page calls in another context) is refused unless the page defines it itself.
func EscapeOver(base string, entries []string, sources ...Source) (string, error) {
	baseTexts, err := splitDefines(base)
	if err != nil {
		return "", err
	}
	set, err := escapeSet(entries, sources...)
	if err != nil {
		return "", err
	}
	own, err := definedBy(sources[len(sources)-1])
	if err != nil {
		return "", err
	}
	page := map[string]string{}
	for name, text := range set {
		b, inBase := baseTexts[name]
		switch {
		case !inBase || own[name]:
			page[name] = text
		case b != text:
			return "", fmt.Errorf("the page escapes %q of its base otherwise: define it in the page", name)
		}
	}
	return join(page), nil
}

// escapeSet is Escape's templates by name, each as the text of its escaped tree.
func escapeSet(entries []string, sources ...Source) (map[string]string, error) {
	funcs, err := functionNames(sources)
	if err != nil {
		return nil, err
	}
	t := template.New(entries[0]).Funcs(funcs)
	for _, src := range sources {
		if t, err = t.ParseFS(src.FS, src.Patterns...); err != nil {
			return nil, err
		}
	}
	for _, e := range entries {
		if t.Lookup(e) == nil {
			return nil, fmt.Errorf("no template %q", e)
		}
		// Executing is how html/template escapes a template and those it calls; the data is
		// nil, so the execution itself may fail, which says nothing about the templates.
		err := t.ExecuteTemplate(io.Discard, e, nil)
		var escErr *template.Error
		if errors.As(err, &escErr) {
			return nil, err
		}
	}
	out := map[string]string{}
	names := reachable(t, entries)
	for _, n := range names {
		var missing string
		walk(t.Lookup(n).Tree.Root, func(node parse.Node) {
			if c, ok := node.(*parse.TemplateNode); ok && !slices.Contains(names, c.Name) && missing == "" {
				missing = c.Name
			}
		})
		if missing != "" {
			// html/template keeps the copy of a template escaped for another context (inside
			// <title>, an attribute, a URL) where it cannot be read back.
			base, _, _ := strings.Cut(missing, "$htmltemplate_")
			return nil, fmt.Errorf("%s calls %q where it is not text (inside an element such as <title>, an attribute or a URL): call it where text goes, or print its value there", n, base)
		}
	}
	for _, n := range names {
		tree := t.Lookup(n).Tree
		if err := check(n, tree.Root); err != nil {
			return nil, err
		}
		out[n] = tree.Root.String()
	}
	if _, err := tmpl.Parse("check", join(out), stubs(funcs)); err != nil {
		return nil, fmt.Errorf("escaped text does not parse again: %w", err)
	}
	return out, nil
}

// join writes templates as {{define}} blocks, sorted by name.
func join(set map[string]string) string {
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "{{define %q}}%s{{end}}\n", n, set[n])
	}
	return b.String()
}

// splitDefines is the templates of a text join wrote, by name.
func splitDefines(text string) (map[string]string, error) {
	tr := parse.New("base")
	tr.Mode = parse.SkipFuncCheck
	trees := map[string]*parse.Tree{}
	if _, err := tr.Parse(text, "", "", trees); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for n, t := range trees {
		if t.Root != nil && !parse.IsEmptyTree(t.Root) {
			out[n] = t.Root.String()
		}
	}
	return out, nil
}

// definedBy is the names src's files define.
func definedBy(src Source) (map[string]bool, error) {
	own := map[string]bool{}
	err := eachTree([]Source{src}, func(_ string, tr *parse.Tree) {
		if tr.Root != nil && !parse.IsEmptyTree(tr.Root) {
			own[tr.Name] = true
		}
	})
	return own, err
}

// functionNames parses every source file without checking functions, and returns a stand-in
// for each function the templates call that is not a builtin: escaping needs only their names.
func functionNames(sources []Source) (template.FuncMap, error) {
	funcs := template.FuncMap{}
	err := eachTree(sources, func(_ string, tr *parse.Tree) {
		walk(tr.Root, func(n parse.Node) {
			id, ok := n.(*parse.IdentifierNode)
			if ok && !builtin[id.Ident] {
				funcs[id.Ident] = func(...any) any { return nil }
			}
		})
	})
	return funcs, err
}

var builtin = map[string]bool{"and": true, "or": true, "not": true, "len": true, "index": true, "slice": true,
	"print": true, "printf": true, "println": true, "eq": true, "ne": true, "lt": true, "le": true, "gt": true,
	"ge": true, "call": true, "html": true, "js": true, "urlquery": true}

func stubs(funcs template.FuncMap) tmpl.FuncMap {
	out := tmpl.FuncMap{}
	for n, f := range funcs {
		out[n] = f
	}
	return out
}

// eachTree parses the files of sources without checking the functions they call.
func eachTree(sources []Source, f func(file string, tr *parse.Tree)) error {
	for _, src := range sources {
		for _, p := range src.Patterns {
			files, err := fs.Glob(src.FS, p)
			if err != nil {
				return err
			}
			if len(files) == 0 {
				return fmt.Errorf("no file matches %s", p)
			}
			for _, file := range files {
				text, err := fs.ReadFile(src.FS, file)
				if err != nil {
					return err
				}
				tr := parse.New(file)
				tr.Mode = parse.SkipFuncCheck
				trees := map[string]*parse.Tree{}
				if _, err := tr.Parse(string(text), "", "", trees); err != nil {
					return err
				}
				for _, t := range trees {
					f(file, t)
				}
			}
		}
	}
	return nil
}

// walk calls f on every node under n.
func walk(n parse.Node, f func(parse.Node)) {
	if n == nil {
		return
	}
	f(n)
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walk(c, f)
		}
	case *parse.ActionNode:
		walk(n.Pipe, f)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, d := range n.Decl {
			walk(d, f)
		}
		for _, c := range n.Cmds {
			walk(c, f)
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			walk(a, f)
		}
	case *parse.ChainNode:
		walk(n.Node, f)
	case *parse.IfNode:
		walkBranch(&n.BranchNode, f)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, f)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, f)
	case *parse.TemplateNode:
		walk(n.Pipe, f)
	}
}

func walkBranch(b *parse.BranchNode, f func(parse.Node)) {
	walk(b.Pipe, f)
	if b.List != nil {
		walk(b.List, f)
	}
	if b.ElseList != nil {
		walk(b.ElseList, f)
	}
}

// reachable lists, sorted, the entries and every template they call.
func reachable(t *template.Template, entries []string) []string {
	seen := map[string]bool{}
	var visit func(string)
	visit = func(name string) {
		if seen[name] {
			return
		}
		seen[name] = true
		tt := t.Lookup(name)
		if tt == nil || tt.Tree == nil {
			return
		}
		walk(tt.Tree.Root, func(n parse.Node) {
			if c, ok := n.(*parse.TemplateNode); ok {
				visit(c.Name)
			}
		})
	}
	for _, e := range entries {
		visit(e)
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		if t.Lookup(n) != nil && t.Lookup(n).Tree != nil {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// check refuses an escaped template that prints a value without one of tmpl's escapers last,
// or whose text would read as an action once written out.
func check(name string, root *parse.ListNode) error {
	known := tmpl.Escapers()
	var err error
	walk(root, func(n parse.Node) {
		switch n := n.(type) {
		case *parse.TextNode:
			if bytes.Contains(n.Text, []byte("{{")) && err == nil {
				err = fmt.Errorf("%s: text holds {{, which would read as an action", name)
			}
		case *parse.IdentifierNode:
			if (strings.HasPrefix(n.Ident, "_html_template_") || strings.HasPrefix(n.Ident, "_eval_args_")) && !slices.Contains(known, n.Ident) && err == nil {
				err = fmt.Errorf("%s: needs the escaper %s, which package tmpl lacks (a value inside a script or a style?)", name, n.Ident)
			}
		case *parse.ActionNode:
			if len(n.Pipe.Decl) > 0 {
				return
			}
			last := n.Pipe.Cmds[len(n.Pipe.Cmds)-1].Args[0]
			id, ok := last.(*parse.IdentifierNode)
			if (!ok || !slices.Contains(known, id.Ident)) && err == nil {
				err = fmt.Errorf("%s: %s prints without an escaper", name, n)
			}
		}
	})
	return err
}

// Idents returns, sorted, every name the templates of sources read with a dot (.Name,
// $x.Name, (…).Name): each may be a method, which package tmpl calls by constant name only.
func Idents(sources ...Source) ([]string, error) {
	set := map[string]bool{}
	err := eachTree(sources, func(_ string, tr *parse.Tree) {
		walk(tr.Root, func(n parse.Node) {
			var ids []string
			switch n := n.(type) {
			case *parse.FieldNode:
				ids = n.Ident
			case *parse.ChainNode:
				ids = n.Field
			case *parse.VariableNode:
				ids = n.Ident[1:]
			}
			for _, id := range ids {
				set[id] = true
			}
		})
	})
	out := make([]string, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	sort.Strings(out)
	return out, err
}

// MethodNames returns the names of the exported methods declared in the Go files under dirs
// (tests and the fakes of *test packages left out), and those of time.Time: the methods a
// template may call. Every other name a template reads is a field or a map key; listing only
// these keeps out of the functions the methods of Préau's services and of the AWS SDK that
// share a name with some field.
func MethodNames(dirs ...string) (map[string]bool, error) {
	names := map[string]bool{}
	t := reflect.TypeFor[time.Time]()
	for i := range t.NumMethod() {
		names[t.Method(i).Name] = true
	}
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == "testdata" || d.Name() == "node_modules" || (p != dir && strings.HasSuffix(d.Name(), "test")) {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			for _, decl := range f.Decls {
				if fd, ok := decl.(*ast.FuncDecl); ok && fd.Recv != nil && fd.Name.IsExported() {
					names[fd.Name.Name] = true
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return names, nil
}

// MethodsFile is the Go source of tmpl's methods_gen.go for names.
func MethodsFile(names []string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("// Code generated by tmplgen from every template of Préau; DO NOT EDIT.\n\npackage tmpl\n\nimport \"reflect\"\n\n")
	b.WriteString("// isMethodName reports whether name is one the templates read with a dot that is also the name of\n// a method declared in Préau or of time.Time: a template calls a method by these names only.\n")
	b.WriteString("func isMethodName(name string) bool {\n\tswitch name {\n\tcase ")
	for i, n := range names {
		if i > 0 {
			b.WriteString(",\n\t\t")
		}
		fmt.Fprintf(&b, "%q", n)
	}
	b.WriteString(":\n\t\treturn true\n\t}\n\treturn false\n}\n\n")
	b.WriteString("// method returns v's method name, if v has one, by a constant name: the linker then keeps\n// only the methods of these names.\n")
	b.WriteString("func method(v reflect.Value, name string) reflect.Value {\n\tswitch name {\n")
	for _, n := range names {
		fmt.Fprintf(&b, "\tcase %q:\n\t\treturn v.MethodByName(%q)\n", n, n)
	}
	b.WriteString("\t}\n\treturn reflect.Value{}\n}\n")
	return format.Source(b.Bytes())
}

// Generate returns every file tmplgen writes under the repository root, by path from it.
func Generate(root string) (map[string][]byte, error) {
	out := map[string][]byte{}
	webDir := os.DirFS(filepath.Join(root, "shared/web/templates"))
	web := Source{webDir, []string{"*.html"}}
	all := []Source{web}
	webBase, err := escapeBase(web)
	if err != nil {
		return nil, fmt.Errorf("shared/web/templates: %w", err)
	}
	out["shared/web/escaped/"+BaseFile] = generated("shared/web/templates/*.html", webBase)

	fnDirs, err := filepath.Glob(filepath.Join(root, "functions/*/templates"))
	if err != nil {
		return nil, err
	}
	for _, dir := range fnDirs {
		fsys := os.DirFS(dir)
		fn := filepath.Base(filepath.Dir(dir))
		base, baseText, skip := []Source{web}, webBase, []string(nil)
		if _, err := fs.Stat(fsys, "layout.html"); err == nil {
			// A layout of its own (the back-office), with the shared notices.
			base = []Source{{webDir, []string{"notices.html"}}, {fsys, []string{"layout.html", "_shared.html"}}}
			skip = []string{"layout.html", "_shared.html"}
			if baseText, err = escapeBase(base...); err != nil {
				return nil, fmt.Errorf("functions/%s/templates: %w", fn, err)
			}
			out[path.Join("functions", fn, "escaped", BaseFile)] = generated(path.Join("functions", fn, "templates/{layout,_shared}.html"), baseText)
		}
		pages, err := fs.Glob(fsys, "*.html")
		if err != nil {
			return nil, err
		}
		all = append(all, Source{fsys, []string{"*.html"}})
		for _, p := range pages {
			if slices.Contains(skip, p) {
				continue
			}
			text, err := EscapeOver(baseText, []string{"layout.html"}, append(slices.Clone(base), Source{fsys, []string{p}})...)
			if err != nil {
				return nil, fmt.Errorf("functions/%s/templates/%s: %w", fn, p, err)
			}
			out[path.Join("functions", fn, "escaped", p)] = generated(path.Join("functions", fn, "templates", p), text)
		}
	}

	mailDir := os.DirFS(filepath.Join(root, "shared/mail/templates"))
	mails, err := fs.Glob(mailDir, "*.html")
	if err != nil {
		return nil, err
	}
	text, err := Escape(mails, Source{mailDir, []string{"*.html"}})
	if err != nil {
		return nil, fmt.Errorf("shared/mail/templates: %w", err)
	}
	out["shared/mail/escaped/mail.html"] = generated("shared/mail/templates/*.html", text)
	all = append(all, Source{mailDir, []string{"*.html", "*.txt"}})

	idents, err := Idents(all...)
	if err != nil {
		return nil, err
	}
	declared, err := MethodNames(filepath.Join(root, "functions"), filepath.Join(root, "shared"))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, id := range idents {
		if declared[id] {
			names = append(names, id)
		}
	}
	src, err := MethodsFile(names)
	if err != nil {
		return nil, err
	}
	out["shared/tmpl/methods_gen.go"] = src
	return out, nil
}

// escapeBase escapes every template the sources define (a layout, its partials, the error
// page), so that a page calling a partial where the layout would holds nothing of it.
func escapeBase(sources ...Source) (string, error) {
	var entries []string
	for _, src := range sources {
		own, err := definedBy(src)
		if err != nil {
			return "", err
		}
		for n := range own {
			entries = append(entries, n)
		}
	}
	sort.Strings(entries)
	i := slices.Index(entries, "layout.html")
	if i < 0 {
		return "", errors.New("no layout.html")
	}
	entries[0], entries[i] = entries[i], entries[0] // html/template's set is named after the first
	return Escape(entries, sources...)
}

// generated is an escaped file's text under a line saying where it comes from.
func generated(from, text string) []byte {
	return []byte("{{/* Code generated by go generate ./shared/tmpl from " + from + "; DO NOT EDIT. */}}\n" + text)
}

// BaseFile is the name of a layout's escaped file: shared/web/escaped/base.tmpl (the shared
// layout and partials, and the error page), or a function's own (escaped/base.tmpl beside its
// pages). Each page's file holds only what it adds to its base (tmpl's Set.Extend).
const BaseFile = "base.tmpl"

// Dirs are the folders whose files Generate writes all of: a file there that Generate no longer
// writes is stale.
var Dirs = []string{"functions/*/escaped", "shared/web/escaped", "shared/mail/escaped"}
