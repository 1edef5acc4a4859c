package main

import (
	"strings"

	"github.com/preau/preau/shared/fault"
)

// asFields renders a refusal's field errors as lines for the terminal.
func asFields(err error) (string, bool) {
	f, ok := fault.As(err)
	if !ok {
		return "", false
	}
	lines := []string{f.Detail}
	for _, fe := range f.Fields {
		lines = append(lines, "  "+fe.Field+": "+fe.Detail)
	}
	return strings.Join(lines, "\n"), true
}
