package accounts

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsNoHTTP pins the layering: the account rules import neither shared/web nor
// net/http nor AWS (shared/web adapts to them, not the reverse).
func TestImportsNoHTTP(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range f.Imports {
			path, _ := strconv.Unquote(im.Path.Value)
			if path == "github.com/preau/preau/shared/web" || path == "net/http" || strings.HasPrefix(path, "github.com/aws/") {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
}
