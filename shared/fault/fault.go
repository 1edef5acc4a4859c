// Package fault is the vocabulary of refusals that parents and API clients may see.
//
// Domain packages return *fault.Error for every refusal a user can act on (bad input, deadline
// passed, full, not found…), each with a stable Type slug and a French Detail. Anything else is
// an internal error: shared/web logs it and answers a generic 500 without its text. The mapping
// from Kind to HTTP status lives in one place, shared/web.
package fault

import (
	"errors"
	"fmt"
)

// Kind is the class of a refusal; shared/web maps each kind to one HTTP status.
type Kind int

// The kinds of refusal.
const (
	Invalid         Kind = iota + 1 // 400: the request is malformed or a field is wrong
	Unauthenticated                 // 401: no valid session or bad credentials
	Forbidden                       // 403: authenticated but not allowed, or a cross-site request
	NotFound                        // 404: absent, or not the caller's (never reveal which)
	Conflict                        // 409: the state forbids it (deadline passed, full, already…)
	Gone                            // 410: an expired or spent link
	TooManyRequests                 // 429: throttled
	Unavailable                     // 503: a dependency of the request is not ready or failed (the secret key)
)

// FieldError is a problem with one form field, keyed by the field's JSON name.
type FieldError struct {
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

// Error is a refusal. Type is a stable slug ("deadline-passed") that clients may switch on;
// Title is a short French summary; Detail is the French sentence shown to the user.
type Error struct {
	Kind   Kind
	Type   string
	Title  string
	Detail string
	Fields []FieldError
	// Ext holds extension members of the problem document (e.g. "deadline").
	Ext map[string]any
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s", e.Type, e.Detail)
}

// Is matches two faults of the same Type, so callers can write errors.Is(err, reservations.ErrFull).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Type == e.Type
}

// New returns a refusal of the given kind.
func New(kind Kind, typ, title, detail string) *Error {
	return &Error{Kind: kind, Type: typ, Title: title, Detail: detail}
}

// With returns a copy of e with extension member key set to value.
func (e *Error) With(key string, value any) *Error {
	c := *e
	c.Ext = make(map[string]any, len(e.Ext)+1)
	for k, v := range e.Ext {
		c.Ext[k] = v
	}
	c.Ext[key] = value
	return &c
}

// WithDetail returns a copy of e with another French detail.
func (e *Error) WithDetail(detail string) *Error {
	c := *e
	c.Detail = detail
	return &c
}

// Fields collects field errors while a form is validated.
type Fields []FieldError

// Add records a problem with field.
func (f *Fields) Add(field, detail string) { *f = append(*f, FieldError{Field: field, Detail: detail}) }

// Has reports whether field already has a problem.
func (f Fields) Has(field string) bool {
	for _, e := range f {
		if e.Field == field {
			return true
		}
	}
	return false
}

// Err returns nil when no field failed, else an Invalid fault of type "invalid-fields".
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{
		Kind:   Invalid,
		Type:   "invalid-fields",
		Title:  "Formulaire incomplet ou incorrect",
		Detail: "Certains champs sont à corriger.",
		Fields: append([]FieldError(nil), f...),
	}
}

// As returns the refusal inside err, if any.
func As(err error) (*Error, bool) {
	var f *Error
	if errors.As(err, &f) {
		return f, true
	}
	return nil, false
}
