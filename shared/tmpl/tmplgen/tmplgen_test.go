package tmplgen_test

import (
	"bytes"
	"errors"
	htmltemplate "html/template"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	texttemplate "text/template"

	"github.com/preau/preau/shared/tmpl"
	"github.com/preau/preau/shared/tmpl/tmplgen"
)

type item struct {
	Name  string
	Price int
	Tags  []string
	Next  *item
}

// The methods bear names the repository's templates read (tmpl calls a method only by one of
// those): Label has a value receiver, Checked a pointer receiver and an argument, Paid fails.
func (i item) Label() string              { return "« " + i.Name + " »" }
func (i *item) Checked(end string) string { return strings.ToUpper(i.Name) + end }
func (i item) Paid() (string, error)      { return "", errors.New("refused") }

type status int

func (s status) String() string { return [...]string{"ouverte", "fermée"}[s] }

type page struct {
	Title  string
	Items  []item
	Ptr    *item
	Nil    *item
	M      map[string]int
	Status status
	N      int
	U      uint8
	F      float64
	Any    any
	Str    *string
	Err    error
	URL    string
	Empty  []string
	Markup any
	Link   any
}

func data(html func(string) any, url func(string) any) page {
	s := "pointé"
	it := item{Name: "Frites & <ketchup>", Price: 250, Tags: []string{"a", "b+c"}}
	return page{
		Title:  `L'école "Jules Ferry" <b>`,
		Items:  []item{it, {Name: "Ça", Price: 0}, {Name: "Z\x00", Price: -3, Next: &it}},
		Ptr:    &it,
		M:      map[string]int{"b": 2, "a": 1, "c": 3},
		Status: 1,
		N:      3,
		U:      3,
		F:      2.5,
		Any:    []int{1, 2},
		Str:    &s,
		Err:    errors.New("échec <grave>"),
		URL:    "https://exemple.fr/chemin vers/é?q=a b&r=1#x",
		Markup: html("<em>déjà</em> &amp; sûr"),
		Link:   url("data:image/png;base64,AAAA+/="),
	}
}

var funcs = map[string]any{
	"double": func(n int) int { return 2 * n },
	"join":   strings.Join,
	"upper":  strings.ToUpper,
	"pair":   func(a string, b int) string { return a + "=" + strings.Repeat("*", b) },
	"boom":   func() (string, error) { return "", errors.New("boom") },
}

// cases are template bodies, each executed with html/template and with Escape then tmpl, to
// the same output (or both failing).
var cases = map[string]string{
	"text":        `<p title="{{.Title}}">{{.Title}}</p><title>{{.Title}}</title><textarea>{{.Title}}</textarea>`,
	"fields":      `{{.Ptr.Name}} {{.Ptr.Price}} {{index .Items 1}} {{.Ptr.Tags}} {{(index .Items 2).Next.Name}} {{.Str}} {{.Err}} {{.Status}} {{.F}} {{.U}}`,
	"methods":     `{{.Ptr.Label}} {{.Ptr.Checked "!"}} {{range .Items}}{{.Label}}{{.Checked "?"}}{{end}} {{with index .Items 0}}{{.Checked "."}}{{end}}`,
	"range":       `{{range $i, $e := .Items}}{{$i}}:{{$e.Name}}/{{if eq $i 1}}{{continue}}{{end}}{{$e.Price}};{{end}}|{{range .Empty}}x{{else}}vide{{end}}|{{range $k, $v := .M}}{{$k}}{{$v}}{{end}}|{{range .N}}{{.}}{{end}}`,
	"break":       `{{range .Items}}{{if lt .Price 1}}{{break}}{{end}}{{.Name}}{{end}}`,
	"vars":        `{{$x := 1}}{{range .Items}}{{$x = .Price}}{{end}}{{$x}} {{$.Title}} {{with .Ptr}}{{$.N}}{{.Name}}{{else}}rien{{end}} {{with .Nil}}x{{else}}nil{{end}}`,
	"logic":       `{{and 1 0 2}} {{or 0 "" "z"}} {{not .Empty}} {{and .Ptr .Ptr.Name}} {{or .Nil "défaut"}} {{if and .N (gt .N 2) (le .F 2.5) (ne .Title "")}}oui{{end}} {{if eq .U 3}}u{{end}} {{eq .N 1 2 3}} {{ge .N 4}} {{lt "a" "b"}} {{eq .Status 1}}`,
	"funcs":       `{{double .N}} {{.N | double | double}} {{join .Ptr.Tags ", "}} {{upper .Title}} {{pair "x" 3}} {{printf "%03d-%s" .N .Ptr.Name}} {{print .N .F "s"}} {{len .Items}} {{len .M}} {{index .M "b"}} {{index .M "zz"}} {{slice .Title 2 5}} {{println "fin"}}`,
	"urls":        `<a href="{{.URL}}">x</a><a href="/familles/{{.Ptr.Name}}?mois={{.Title}}&n={{.N}}">y</a><a href="javascript:alert({{.N}})">z</a><a href="{{.Title}}">t</a><img src="{{.Link}}" alt=""><a href="mailto:{{.Ptr.Name}}">m</a>`,
	"unsafe url":  `<a href="{{.Ptr.Name | printf "javascript:%s"}}">x</a><a href="{{printf "JavaScript:x"}}">y</a><a href="{{"http://a/b c"}}">z</a>`,
	"trusted":     `<div>{{.Markup}}</div><title>{{.Markup}}</title>`,
	"missing key": `[{{.M.zz}}] [{{index .M "zz"}}] [{{.Any}}]`,
	"templates":   `<ul>{{range .Items}}{{template "row" .}}{{end}}</ul>{{template "b" .Ptr}}`,
	"comments":    `<p>a<!-- {{.Title}} -->b</p>{{/* commentaire */}}`,
	"nil field":   `{{.Nil.Name}}`,
	"no field":    `{{.Ptr.Nope}}`,
	"func error":  `{{boom}}`,
	"method err":  `{{.Ptr.Paid}}`,
	"bad index":   `{{index .Items 9}}`,
	"whitespace":  "<p>\n  {{- .N -}}\n  </p>",
}

// defines are the templates the cases call.
const defines = `{{define "row"}}<li title="{{.Name}}">{{.Label}}</li>{{end}}{{define "b"}}<i>{{.Name}}</i>{{end}}`

func TestSameOutputAsHTMLTemplate(t *testing.T) {
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			src := `{{define "page"}}` + body + `{{end}}` + defines
			want, wantErr := viaHTMLTemplate(src)
			got, gotErr := viaTmpl(t, src)
			if (wantErr != nil) != (gotErr != nil) {
				t.Fatalf("html/template: %q, err %v\ntmpl: %q, err %v", want, wantErr, got, gotErr)
			}
			if wantErr != nil {
				return
			}
			if got != want {
				t.Errorf("output differs\nhtml/template: %q\ntmpl:          %q", want, got)
			}
		})
	}
}

func viaHTMLTemplate(src string) (string, error) {
	t, err := htmltemplate.New("x").Funcs(htmltemplate.FuncMap(funcs)).Parse(src)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	err = t.ExecuteTemplate(&b, "page", data(func(s string) any { return htmltemplate.HTML(s) }, func(s string) any { return htmltemplate.URL(s) }))
	return b.String(), err
}

func viaTmpl(t *testing.T, src string) (string, error) {
	t.Helper()
	text, err := tmplgen.Escape([]string{"page"}, tmplgen.Source{FS: fstest.MapFS{"x.html": {Data: []byte(src)}}, Patterns: []string{"x.html"}})
	if err != nil {
		t.Fatalf("escape: %v", err)
	}
	set, err := tmpl.Parse("x", text, tmpl.FuncMap(funcs))
	if err != nil {
		t.Fatalf("parse escaped text: %v\n%s", err, text)
	}
	return set.ExecuteString("page", data(func(s string) any { return tmpl.HTML(s) }, func(s string) any { return tmpl.URL(s) }))
}

// The e-mails' text parts are not escaped: there tmpl must print what text/template prints.
func TestSameOutputAsTextTemplate(t *testing.T) {
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			src := `{{define "page"}}` + body + `{{end}}` + defines
			d := data(func(s string) any { return s }, func(s string) any { return s })
			tt, err := texttemplate.New("x").Funcs(texttemplate.FuncMap(funcs)).Parse(src)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			wantErr := tt.ExecuteTemplate(&b, "page", d)
			set, err := tmpl.Parse("x", src, tmpl.FuncMap(funcs))
			if err != nil {
				t.Fatal(err)
			}
			got, gotErr := set.ExecuteString("page", d)
			if (wantErr != nil) != (gotErr != nil) {
				t.Fatalf("text/template: %q, err %v\ntmpl: %q, err %v", b.String(), wantErr, got, gotErr)
			}
			if wantErr == nil && got != b.String() {
				t.Errorf("output differs\ntext/template: %q\ntmpl:          %q", b.String(), got)
			}
		})
	}
}

// A template called where html/template escapes a copy of it for another context is refused:
// that copy cannot be read back from html/template.
func TestEscapeRefusesATemplateCalledOutsideText(t *testing.T) {
	src := `{{define "page"}}<title>{{template "t" .}}</title>{{end}}{{define "t"}}{{.Title}}{{end}}`
	_, err := tmplgen.Escape([]string{"page"}, tmplgen.Source{FS: fstest.MapFS{"x.html": {Data: []byte(src)}}, Patterns: []string{"x.html"}})
	if err == nil || !strings.Contains(err.Error(), `calls "t" where it is not text`) {
		t.Fatalf("escaped without the error: %v", err)
	}
}

// A value printed where tmpl has no escaper for it (a script) is refused when the page is
// escaped, not printed raw.
func TestEscapeRefusesWhatTmplCannotEscape(t *testing.T) {
	for _, src := range []string{
		`{{define "page"}}<script>var x = {{.Title}};</script>{{end}}`,
		`{{define "page"}}<p style="color: {{.Title}}">x</p>{{end}}`,
		`{{define "page"}}<p onclick="f({{.Title}})">x</p>{{end}}`,
	} {
		_, err := tmplgen.Escape([]string{"page"}, tmplgen.Source{FS: fstest.MapFS{"x.html": {Data: []byte(src)}}, Patterns: []string{"x.html"}})
		if err == nil || !strings.Contains(err.Error(), "escaper") {
			t.Errorf("%s: escaped without error (%v)", src, err)
		}
	}
}

// The files go generate writes are those the templates make now, and no others.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	files, err := tmplgen.Generate(root)
	if err != nil {
		t.Fatal(err)
	}
	for rel, want := range files {
		got, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is not what the templates make now: run go generate ./shared/tmpl", rel)
		}
	}
	for _, pattern := range tmplgen.Dirs {
		found, err := filepath.Glob(filepath.Join(root, pattern, "*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range found {
			rel, _ := filepath.Rel(root, f)
			if _, ok := files[filepath.ToSlash(rel)]; !ok {
				t.Errorf("%s is written by no template: run go generate ./shared/tmpl", rel)
			}
		}
	}
}

// A page escaped over its layout holds only what it adds, and executed over the layout
// (Set.Extend) prints what html/template prints for the two parsed together; the layout's own
// set is left as it was.
func TestPageOverItsLayout(t *testing.T) {
	layout := fstest.MapFS{"layout.html": {Data: []byte(`<h1>{{block "title" .}}Préau{{end}}</h1><main>{{block "content" .}}vide{{end}}</main>{{define "note"}}<p class="{{.Title}}">{{.Title}}</p>{{end}}`)}}
	page := fstest.MapFS{"page.html": {Data: []byte(`{{define "title"}}{{.Title}} – Préau{{end}}{{define "content"}}{{template "note" .}}<a href="/x?q={{.Title}}">{{.Title}}</a>{{end}}`)}}
	base, err := tmplgen.Escape([]string{"layout.html", "note"}, tmplgen.Source{FS: layout, Patterns: []string{"*.html"}})
	if err != nil {
		t.Fatal(err)
	}
	own, err := tmplgen.EscapeOver(base, []string{"layout.html"}, tmplgen.Source{FS: layout, Patterns: []string{"*.html"}}, tmplgen.Source{FS: page, Patterns: []string{"*.html"}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(own, `{{define "note"}}`) || strings.Contains(own, `{{define "layout.html"}}`) || !strings.Contains(own, `{{define "content"}}`) || !strings.Contains(own, `{{define "title"}}`) {
		t.Fatalf("the page's file should hold its title and content only:\n%s", own)
	}
	d := page0{Title: `L'été <1>`}
	ht := htmltemplate.Must(htmltemplate.Must(htmltemplate.New("layout.html").ParseFS(layout, "*.html")).ParseFS(page, "*.html"))
	var want bytes.Buffer
	if err := ht.ExecuteTemplate(&want, "layout.html", d); err != nil {
		t.Fatal(err)
	}
	layoutSet, err := tmpl.Parse("base", base, nil)
	if err != nil {
		t.Fatal(err)
	}
	pageSet, err := layoutSet.Extend("page", own)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pageSet.ExecuteString("layout.html", d)
	if err != nil {
		t.Fatal(err)
	}
	if got != want.String() {
		t.Errorf("page over its layout\nhtml/template: %q\ntmpl:          %q", want.String(), got)
	}
	alone, err := layoutSet.ExecuteString("layout.html", d)
	if err != nil || alone != "<h1>Préau</h1><main>vide</main>" {
		t.Errorf("the layout's set was changed by the page: %q, %v", alone, err)
	}
}

type page0 struct{ Title string }

// A set serves every request of a container at once: concurrent executions share its parsed
// templates and print the same page (run with -race).
func TestConcurrentExecutions(t *testing.T) {
	src := `{{define "page"}}` + cases["range"] + cases["methods"] + cases["urls"] + `{{end}}` + defines
	text, err := tmplgen.Escape([]string{"page"}, tmplgen.Source{FS: fstest.MapFS{"x.html": {Data: []byte(src)}}, Patterns: []string{"x.html"}})
	if err != nil {
		t.Fatal(err)
	}
	set, err := tmpl.Parse("x", text, tmpl.FuncMap(funcs))
	if err != nil {
		t.Fatal(err)
	}
	d := data(func(s string) any { return tmpl.HTML(s) }, func(s string) any { return tmpl.URL(s) })
	want, err := set.ExecuteString("page", d)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			for range 50 {
				got, err := set.ExecuteString("page", d)
				if err == nil && got != want {
					err = errors.New("a concurrent execution printed another page")
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// Any string printed in text, in an attribute, in a URL, as a whole URL and in RCDATA comes out
// of tmpl's escapers as html/template prints it.
func FuzzEscapersMatchHTMLTemplate(f *testing.F) {
	for _, s := range []string{"", "a", `L'école "J" <b>&amp;</b>`, "javascript:alert(1)", "https://x.fr/a b?c=é&d=+#f", "\x00\xff", "mailto:a@b.fr", "/chemin/%zz", "/a%41", "/a%41b", "%4", "data:text/html,x", " JAVASCRIPT:x", "a\u2028b"} {
		f.Add(s)
	}
	src := `{{define "page"}}<p title="{{.}}">{{.}}</p><a href="/x?q={{.}}&r={{.}}">l</a><a href="{{.}}">m</a><a href="/p/{{.}}">n</a><title>{{.}}</title><textarea>{{.}}</textarea>{{end}}`
	text, err := tmplgen.Escape([]string{"page"}, tmplgen.Source{FS: fstest.MapFS{"x.html": {Data: []byte(src)}}, Patterns: []string{"x.html"}})
	if err != nil {
		f.Fatal(err)
	}
	set, err := tmpl.Parse("x", text, nil)
	if err != nil {
		f.Fatal(err)
	}
	ht := htmltemplate.Must(htmltemplate.New("x").Parse(src))
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		if err := ht.ExecuteTemplate(&want, "page", s); err != nil {
			t.Skip(err)
		}
		got, err := set.ExecuteString("page", s)
		if err != nil {
			t.Fatal(err)
		}
		if got != want.String() {
			t.Errorf("%q\nhtml/template: %q\ntmpl:          %q", s, want.String(), got)
		}
	})
}
