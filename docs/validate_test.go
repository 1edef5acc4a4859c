package docs

import (
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"gopkg.in/yaml.v3"
)

// TestDocumentValidates checks docs/openapi.yaml against the OpenAPI 3.1 specification's own
// schema, with a validator maintained outside Préau (libopenapi-validator).
func TestDocumentValidates(t *testing.T) {
	doc, err := libopenapi.NewDocument(OpenAPIYAML)
	if err != nil {
		t.Fatal(err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("building the validator: %v", errs)
	}
	ok, verrs := v.ValidateDocument()
	for _, e := range verrs {
		t.Errorf("%s", e.Error())
		for _, se := range e.SchemaValidationErrors {
			t.Errorf("  %s (%s, line %d): %s", se.FieldPath, se.KeywordLocation, se.Line, se.Reason)
		}
	}
	if !ok && len(verrs) == 0 {
		t.Error("document refused without a reason")
	}
}

// TestNoKeyWithoutValue catches what the specification's schema lets through inside a JSON
// Schema (where unknown keywords are allowed): an unquoted description holding ", " in a flow
// mapping, `{description: Cancelled, or nothing}`, which YAML reads as a second key with no value.
func TestNoKeyWithoutValue(t *testing.T) {
	var root yaml.Node
	if err := yaml.Unmarshal(OpenAPIYAML, &root); err != nil {
		t.Fatal(err)
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if v.Kind == yaml.ScalarNode && v.Tag == "!!null" && v.Value == "" {
					t.Errorf("line %d: key %q has no value (an unquoted text with a comma?)", k.Line, k.Value)
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&root)
}
