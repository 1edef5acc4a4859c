package templatetest

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// fuzzPending names the functions whose routes are not fuzzed yet, each with why. An entry
// leaves once its function's FuzzRoutes lands; a new function never gets one.
var fuzzPending = map[string]string{}

var fuzzTarget = regexp.MustCompile(`(?s)func FuzzRoutes\(f \*testing\.F\).*routefuzz\.Fuzz\(f, routefuzz\.Target\{\s*Function:\s*"(\w+)"`)

// Every function with routes has a FuzzRoutes test over them (infra/routefuzz): no input gives
// a 5xx, and the seed corpus runs in `make test`.
func TestEveryRouteIsFuzzed(t *testing.T) {
	root, tpl := load(t)
	for _, f := range tpl.Functions {
		if len(f.Routes) == 0 {
			continue
		}
		t.Run(f.LogicalID, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(root, f.Dir, "fuzz_test.go"))
			m := fuzzTarget.FindSubmatch(src)
			_, pending := fuzzPending[f.LogicalID]
			switch {
			case pending && err == nil:
				t.Errorf("%s/fuzz_test.go exists: remove %s from fuzzPending", f.Dir, f.LogicalID)
			case pending:
				t.Logf("not fuzzed yet: %s", fuzzPending[f.LogicalID])
			case err != nil:
				t.Errorf("%s has routes but no fuzz_test.go calling routefuzz.Fuzz: %v", f.LogicalID, err)
			case m == nil || string(m[1]) != f.LogicalID:
				t.Errorf("%s/fuzz_test.go does not fuzz %s's routes with routefuzz.Fuzz", f.Dir, f.LogicalID)
			}
		})
	}
}
