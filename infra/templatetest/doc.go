// Package templatetest holds the tests that keep template.yaml, the Makefile and functions/ in
// step: build targets, runtime settings, routes, least-privilege policies and table wiring; the
// operations rules every function and schedule must follow (log group with retention, throttles
// and errors alarms to the alarm topic, retries and dead-letter queues); and samconfig.toml's
// config environments against the template's parameters.
// It has no code of its own.
package templatetest
