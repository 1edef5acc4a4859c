package docs

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/preau/preau/"

// TestArchitectureListsEveryPackage keeps docs/architecture.md's table of shared packages in step
// with the code: one row per package under shared/ (and no row for a package that is gone), whose
// imports column is exactly the Préau packages it imports and whose last column is exactly the
// modules outside the standard library it imports, as `go list` reports them (tests excluded).
func TestArchitectureListsEveryPackage(t *testing.T) {
	doc, err := os.ReadFile("architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := sharedPackageRows(t, doc)
	if len(rows) < 10 {
		t.Fatalf("only %d rows found in the shared packages table of architecture.md", len(rows))
	}

	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}|{{join .Imports \" \"}}", "../shared/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	imports := map[string][]string{} // shared/x → its imports
	var external []string
	for line := range strings.Lines(strings.TrimSpace(string(out))) {
		pkg, imps, _ := strings.Cut(strings.TrimSpace(line), "|")
		imports[strings.TrimPrefix(pkg, module)] = strings.Fields(imps)
		for _, imp := range strings.Fields(imps) {
			if isExternal(imp) {
				external = append(external, imp)
			}
		}
	}
	moduleOf := map[string]string{}
	if len(external) > 0 {
		slices.Sort(external)
		external = slices.Compact(external)
		out, err := exec.Command("go", append([]string{"list", "-f", "{{.ImportPath}}|{{with .Module}}{{.Path}}{{end}}"}, external...)...).Output()
		if err != nil {
			t.Fatalf("go list: %v", err)
		}
		for line := range strings.Lines(strings.TrimSpace(string(out))) {
			pkg, mod, _ := strings.Cut(strings.TrimSpace(line), "|")
			moduleOf[pkg] = strings.TrimPrefix(mod, "github.com/")
		}
	}

	for pkg, imps := range imports {
		row, ok := rows[pkg]
		if !ok {
			t.Errorf("architecture.md has no row for %s", pkg)
			continue
		}
		var own, mods []string
		for _, imp := range imps {
			switch {
			case strings.HasPrefix(imp, module):
				own = append(own, strings.TrimPrefix(strings.TrimPrefix(imp, module), "shared/"))
			case isExternal(imp):
				mods = append(mods, moduleOf[imp])
			}
		}
		if want := set(own); !slices.Equal(row.imports, want) {
			t.Errorf("architecture.md: %s imports %v, the table says %v", pkg, want, row.imports)
		}
		if want := set(mods); !slices.Equal(row.modules, want) {
			t.Errorf("architecture.md: %s uses the modules %v, the table says %v", pkg, want, row.modules)
		}
	}
	for pkg := range rows {
		if _, ok := imports[pkg]; !ok {
			t.Errorf("architecture.md lists %s, which is not a package", pkg)
		}
	}
}

type packageRow struct{ imports, modules []string }

// sharedPackageRows reads the table under "## Shared packages": | package | role | imports | modules |.
func sharedPackageRows(t *testing.T, doc []byte) map[string]packageRow {
	rows := map[string]packageRow{}
	in := false
	sc := bufio.NewScanner(bytes.NewReader(doc))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "## ") {
			in = line == "## Shared packages"
			continue
		}
		if !in || !strings.HasPrefix(line, "| `shared/") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) != 4 {
			t.Errorf("architecture.md: want 4 cells (package, role, imports, modules): %s", line)
			continue
		}
		pkg := strings.Trim(strings.TrimSpace(cells[0]), "`")
		rows[pkg] = packageRow{imports: cellList(cells[2]), modules: cellList(cells[3])}
	}
	return rows
}

// cellList reads "`a`, `b`" (or "—" for none) as a sorted list.
func cellList(cell string) []string {
	var out []string
	for f := range strings.SplitSeq(cell, ",") {
		if f = strings.Trim(strings.TrimSpace(f), "`"); f != "" && f != "—" {
			out = append(out, f)
		}
	}
	return set(out)
}

func set(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// isExternal tells an import from outside the standard library and Préau.
func isExternal(imp string) bool {
	first, _, _ := strings.Cut(imp, "/")
	return strings.Contains(first, ".") && !strings.HasPrefix(imp, module)
}

// Function handlers are tested on fakes: no test of functions/... reaches an emulator, so
// `go test ./functions/...` passes on a machine without one. (The emulator suites are
// shared/store's, infra/local's and the browser tests.)
func TestFunctionTestsNeedNoEmulator(t *testing.T) {
	out, err := exec.Command("go", "list", "-test", "-deps", "-f", "{{.ImportPath}}", "../functions/...").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range strings.Fields(string(out)) {
		for _, emu := range []string{"/infra/dynamotest", "/infra/sestest", "/infra/testenv", "/infra/emulators"} {
			if strings.HasSuffix(p, emu) {
				t.Errorf("a test of functions/... depends on %s", p)
			}
		}
	}
}

// No function links text/template (nor html/template over it): its lookup of methods by name
// keeps every method of everything held in an interface (see "Pages and e-mails without
// text/template"). Functions are built as deployed, with the lambda.norpc tag.
func TestFunctionsLinkNoTextTemplate(t *testing.T) {
	out, err := exec.Command("go", "list", "-tags", "lambda.norpc", "-deps", "-f", "{{.ImportPath}}", "../functions/...").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range strings.Fields(string(out)) {
		if p == "text/template" || p == "html/template" || strings.HasSuffix(p, "/shared/tmpl/tmplgen") {
			t.Errorf("a function links %s", p)
		}
	}
}

// TestOnlyFunctionsThatTakePasswordsLinkHashing: argon2 (and with it golang.org/x/crypto's CPU
// feature detection, run at every start) is linked by the functions that take a password only,
// and the authenticator library (with its QR code encoder) by the back-office only. Each is a
// package of its own (accounts/argon2id, staff/totp) given in those functions' main.go.
func TestOnlyFunctionsThatTakePasswordsLinkHashing(t *testing.T) {
	only := map[string][]string{
		"golang.org/x/crypto/argon2": {"account", "gestion", "signup"},
		"github.com/pquerna/otp":     {"gestion"},
	}
	out, err := exec.Command("go", "list", "-tags", "lambda.norpc", "-deps", "-f",
		`{{if eq .Name "main"}}{{.ImportPath}}{{range .Deps}} {{.}}{{end}}{{"\n"}}{{end}}`, "../functions/...").Output()
	if err != nil {
		t.Fatal(err)
	}
	linkers := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		fn := path.Base(f[0])
		for _, dep := range f[1:] {
			if _, ok := only[dep]; ok {
				linkers[dep] = append(linkers[dep], fn)
			}
		}
	}
	for dep, want := range only {
		got := linkers[dep]
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s is linked by %v, want %v", dep, got, want)
		}
	}
}
