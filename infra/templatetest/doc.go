// Package templatetest holds the tests that keep template.yaml, the Makefile and functions/ in
// step: build targets, runtime settings, routes, least-privilege policies and table wiring.
// It has no code of its own.
package templatetest
