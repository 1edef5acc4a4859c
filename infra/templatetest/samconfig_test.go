package templatetest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"gopkg.in/yaml.v3"

	"github.com/preau/preau/infra/samtemplate"
)

// samconfig is the part of samconfig.toml the SAM CLI reads for build and deploy.
type samconfig = map[string]any

// overrides reads a parameter_overrides string: Key="value" or Key=value, space separated.
var override = regexp.MustCompile(`([A-Za-z0-9]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))`)

func parseOverrides(t *testing.T, s string) map[string]string {
	t.Helper()
	out := map[string]string{}
	rest := strings.TrimSpace(s)
	for rest != "" {
		loc := override.FindStringSubmatchIndex(rest)
		if loc == nil || loc[0] != 0 {
			t.Fatalf("parameter_overrides: cannot read %q", rest)
		}
		m := override.FindStringSubmatch(rest)
		v := m[3]
		if loc[4] >= 0 {
			v = strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(m[2])
		}
		if _, dup := out[m[1]]; dup {
			t.Errorf("parameter_overrides sets %s twice", m[1])
		}
		out[m[1]] = v
		rest = strings.TrimSpace(rest[loc[1]:])
	}
	return out
}

func table(v any, path ...string) map[string]any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	m, _ := v.(map[string]any)
	return m
}

// Every commune's config environment deploys the template as it is: its overrides name
// parameters that exist, give every parameter that has no default but the secret (which lives
// in SSM, never in this file), and satisfy the template with their values.
func TestSamconfigDeploysEachCommune(t *testing.T) {
	root, _ := load(t)
	var cfg samconfig
	if _, err := toml.DecodeFile(filepath.Join(root, "samconfig.toml"), &cfg); err != nil {
		t.Fatal(err)
	}
	if v, _ := cfg["version"].(float64); v != 0.1 {
		t.Errorf("version = %v, want 0.1", cfg["version"])
	}
	raw, err := readParameters(root)
	if err != nil {
		t.Fatal(err)
	}
	communes := 0
	for env := range cfg {
		deploy := table(cfg, env, "deploy", "parameters")
		if deploy == nil {
			continue
		}
		communes++
		t.Run(env, func(t *testing.T) {
			global := table(cfg, env, "global", "parameters")
			if name, _ := global["stack_name"].(string); name != "preau-"+env {
				t.Errorf("stack_name = %q, want preau-%s (one stack per commune)", name, env)
			}
			if region, _ := global["region"].(string); region == "" {
				t.Error("no region")
			}
			if c, _ := deploy["capabilities"].(string); c != "CAPABILITY_IAM" {
				t.Errorf("capabilities = %q, want CAPABILITY_IAM (the functions' roles)", c)
			}
			if table(cfg, env, "build", "parameters") == nil {
				t.Error("no build parameters")
			}
			po, _ := deploy["parameter_overrides"].(string)
			given := parseOverrides(t, po)
			for k := range given {
				p, ok := raw[k]
				if !ok {
					t.Errorf("override %s is not a parameter of template.yaml", k)
					continue
				}
				if p.NoEcho {
					t.Errorf("%s is a secret: it belongs in SSM, never in samconfig.toml", k)
				}
			}
			for name, p := range raw {
				if _, ok := given[name]; !ok && p.Default == nil && !p.NoEcho {
					t.Errorf("parameter %s has no default and is not given", name)
				}
			}
			for _, name := range perCommune {
				if _, ok := given[name]; !ok {
					t.Errorf("parameter %s is the commune's own: give it (its default is the demo's)", name)
				}
			}
			withValues, err := samtemplate.Load(filepath.Join(root, "template.yaml"), given, nil)
			if err != nil {
				t.Fatalf("template with %s's values: %v", env, err)
			}
			for k, v := range given {
				if err := raw[k].check(v); err != nil {
					t.Errorf("%s=%q: %v", k, v, err)
				}
				if withValues.Params[k] != v {
					t.Errorf("%s resolves to %q, want %q", k, withValues.Params[k], v)
				}
			}
		})
	}
	if communes == 0 || table(cfg, "laigneville", "deploy", "parameters") == nil {
		t.Error("samconfig.toml has no commune; the demo commune laigneville must be one")
	}
}

// perCommune are the parameters whose default only suits the demo: each commune gives its own.
var perCommune = []string{"CommuneName", "SubscriberCodePrefix", "MailFrom", "MailIdentity", "BaseUrl", "AlertEmail",
	"CommuneAddress", "CommuneSiret", "PublicationDirector", "DpoEmail", "ContactEmail", "AccessibilityStatus",
	"RegieName", "RegieAddress", "PayFiPNumCli", "PayFiPSaisie"}

// parameter is a template parameter's declaration, as far as the checks go.
type parameter struct {
	Type           string `yaml:"Type"`
	Default        any    `yaml:"Default"`
	NoEcho         bool   `yaml:"NoEcho"`
	AllowedValues  []any  `yaml:"AllowedValues"`
	AllowedPattern string `yaml:"AllowedPattern"`
	MinLength      *int   `yaml:"MinLength"`
}

// readParameters reads the Parameters section of template.yaml as written.
func readParameters(root string) (map[string]parameter, error) {
	b, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		return nil, err
	}
	var doc struct {
		Parameters map[string]parameter `yaml:"Parameters"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("template.yaml parameters: %w", err)
	}
	return doc.Parameters, nil
}

var errorf = fmt.Errorf

func (p parameter) check(v string) error {
	if p.AllowedPattern != "" {
		if !regexp.MustCompile(p.AllowedPattern).MatchString(v) {
			return errorf("does not match %s", p.AllowedPattern)
		}
	}
	if p.MinLength != nil && len(v) < *p.MinLength {
		return errorf("shorter than %d", *p.MinLength)
	}
	if len(p.AllowedValues) > 0 && !slices.ContainsFunc(p.AllowedValues, func(a any) bool { return scalarText(a) == v }) {
		return errorf("not one of %v", p.AllowedValues)
	}
	return nil
}
