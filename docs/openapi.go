// Package docs holds Préau's documents that the code ships: the OpenAPI 3.1 description of the
// JSON API (openapi.yaml, the one source), which the Portal function serves as JSON at
// /api/v1/openapi.json. A test keeps it in step with template.yaml's routes.
package docs

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"

	"gopkg.in/yaml.v3"
)

// OpenAPIYAML is the OpenAPI document as written (docs/openapi.yaml).
//
//go:embed openapi.yaml
var OpenAPIYAML []byte

// OpenAPIJSON returns the OpenAPI document converted to JSON. The conversion runs once, on
// first use, so that a cold start which never serves the document does not pay for it.
func OpenAPIJSON() ([]byte, error) { return openAPIJSON() }

var openAPIJSON = sync.OnceValues(func() ([]byte, error) {
	var doc any
	if err := yaml.Unmarshal(OpenAPIYAML, &doc); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml to JSON: %w", err)
	}
	return b, nil
})
