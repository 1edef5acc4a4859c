// Package docs holds Préau's documents that the code ships: the OpenAPI 3.1 description of the
// JSON API (openapi.yaml, the one source), which the Portal function serves as JSON at
// /api/v1/openapi.json. A test keeps it in step with template.yaml's routes.
package docs

import _ "embed"

//go:generate go test -run TestJSONMatchesYAML -update .

// OpenAPIYAML is the OpenAPI document as written (docs/openapi.yaml).
//
//go:embed openapi.yaml
var OpenAPIYAML []byte

// openAPIJSON is openapi.yaml as JSON, written by `go generate ./docs` (TestJSONMatchesYAML
// fails when it is stale), so that the function serving it links no YAML parser.
//
//go:embed openapi.json
var openAPIJSON []byte

// OpenAPIJSON returns the OpenAPI document as JSON.
func OpenAPIJSON() []byte { return openAPIJSON }
