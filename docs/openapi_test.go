package docs

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/preau/preau/infra/samtemplate"
)

// openAPI is the part of the document the tests read.
type openAPI struct {
	OpenAPI    string                                `json:"openapi"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas         map[string]json.RawMessage `json:"schemas"`
		Responses       map[string]json.RawMessage `json:"responses"`
		Parameters      map[string]json.RawMessage `json:"parameters"`
		SecuritySchemes map[string]json.RawMessage `json:"securitySchemes"`
	} `json:"components"`
}

func load(t *testing.T) openAPI {
	t.Helper()
	b := OpenAPIJSON()
	var doc openAPI
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

var methods = []string{"get", "put", "post", "delete", "patch", "head", "options", "trace"}

// TestRoutesMatchTemplate keeps the document in step with template.yaml: every /api/v1 route of
// the template is documented, and the document describes no route the template lacks.
func TestRoutesMatchTemplate(t *testing.T) {
	root, err := samtemplate.ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"), map[string]string{"SecretKey": strings.Repeat("k", 32)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var inTemplate []string
	for _, f := range tpl.Functions {
		for _, r := range f.Routes {
			if strings.HasPrefix(r.Path, "/api/v1/") {
				inTemplate = append(inTemplate, r.RouteKey())
			}
		}
	}
	if len(inTemplate) < 10 {
		t.Fatalf("only %d /api/v1 routes found in template.yaml: %v", len(inTemplate), inTemplate)
	}
	var inDoc []string
	for path, item := range load(t).Paths {
		for m := range item {
			if slices.Contains(methods, m) {
				inDoc = append(inDoc, strings.ToUpper(m)+" "+path)
			}
		}
	}
	sort.Strings(inTemplate)
	sort.Strings(inDoc)
	for _, k := range inTemplate {
		if !slices.Contains(inDoc, k) {
			t.Errorf("template.yaml route %q is missing from docs/openapi.yaml", k)
		}
	}
	for _, k := range inDoc {
		if !slices.Contains(inTemplate, k) {
			t.Errorf("docs/openapi.yaml documents %q, which template.yaml does not route", k)
		}
	}
}

// TestDocumentIsSound checks what a reader relies on: OpenAPI 3.1, every $ref resolves, every
// operation has an operationId (unique) and answers something, and every error is problem+json.
func TestDocumentIsSound(t *testing.T) {
	b := OpenAPIJSON()
	doc := load(t)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	if _, ok := doc.Components.SecuritySchemes["session"]; !ok {
		t.Error("no session security scheme")
	}

	t.Run("refs resolve", func(t *testing.T) {
		var all any
		if err := json.Unmarshal(b, &all); err != nil {
			t.Fatal(err)
		}
		walk(all, func(ref string) {
			parts := strings.Split(strings.TrimPrefix(ref, "#/"), "/")
			if !strings.HasPrefix(ref, "#/") || len(parts) != 3 || parts[0] != "components" {
				t.Errorf("unexpected $ref %q", ref)
				return
			}
			var set map[string]json.RawMessage
			switch parts[1] {
			case "schemas":
				set = doc.Components.Schemas
			case "responses":
				set = doc.Components.Responses
			case "parameters":
				set = doc.Components.Parameters
			}
			if _, ok := set[parts[2]]; !ok {
				t.Errorf("$ref %q does not resolve", ref)
			}
		})
	})

	t.Run("operations", func(t *testing.T) {
		ids := map[string]string{}
		for path, item := range doc.Paths {
			for m, raw := range item {
				if !slices.Contains(methods, m) {
					continue
				}
				var op struct {
					OperationID string                     `json:"operationId"`
					Responses   map[string]json.RawMessage `json:"responses"`
				}
				if err := json.Unmarshal(raw, &op); err != nil {
					t.Fatal(err)
				}
				where := strings.ToUpper(m) + " " + path
				if op.OperationID == "" {
					t.Errorf("%s: no operationId", where)
				} else if prev, dup := ids[op.OperationID]; dup {
					t.Errorf("%s: operationId %q already used by %s", where, op.OperationID, prev)
				}
				ids[op.OperationID] = where
				if len(op.Responses) == 0 {
					t.Errorf("%s: no responses", where)
				}
				for code, resp := range op.Responses {
					if code[0] < '4' || strings.Contains(string(resp), "$ref") {
						continue // success, or a shared response checked below
					}
					if !strings.Contains(string(resp), "application/problem+json") {
						t.Errorf("%s %s: an error response must be application/problem+json", where, code)
					}
				}
			}
		}
		for name, resp := range doc.Components.Responses {
			if name != "MailSent" && !strings.Contains(string(resp), "application/problem+json") {
				t.Errorf("components.responses.%s: an error response must be application/problem+json", name)
			}
		}
	})
}

// walk calls f with every $ref value in v.
func walk(v any, f func(string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && k == "$ref" {
				f(s)
				continue
			}
			walk(e, f)
		}
	case []any:
		for _, e := range x {
			walk(e, f)
		}
	}
}

var update = flag.Bool("update", false, "write openapi.json from openapi.yaml")

// TestJSONMatchesYAML: the JSON the Portal serves is openapi.yaml as it is now, indented, keys
// sorted. When it fails, run `go generate ./docs` (this test with -update).
func TestJSONMatchesYAML(t *testing.T) {
	var doc any
	if err := yaml.Unmarshal(OpenAPIYAML, &doc); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("openapi.json", want.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(OpenAPIJSON(), want.Bytes()) {
		t.Fatal("docs/openapi.json is not docs/openapi.yaml as JSON: run go generate ./docs")
	}
}
