package tmpl

import (
	"fmt"
	"reflect"
	"sync"
	"text/template/parse"
)

// builtin is a predefined function: it evaluates its own arguments (and and or stop at the
// first that decides), final being the value piped in, if any.
type builtin func(s *state, dot reflect.Value, args []parse.Node, final reflect.Value) reflect.Value

// builtins are made when the first template is parsed, not at every start (a function answering
// JSON only never makes them). An init function assigns it: the builtins call back into the
// evaluation that looks them up.
var builtins func() map[string]builtin

func init() { builtins = sync.OnceValue(makeBuiltins) }

func makeBuiltins() map[string]builtin {
	return map[string]builtin{
		"and": func(s *state, dot reflect.Value, args []parse.Node, final reflect.Value) reflect.Value {
			return s.andOr(dot, args, final, false)
		},
		"or": func(s *state, dot reflect.Value, args []parse.Node, final reflect.Value) reflect.Value {
			return s.andOr(dot, args, final, true)
		},
		"not":     not,
		"len":     length,
		"index":   index,
		"slice":   slice,
		"print":   printer(fmt.Sprint),
		"println": printer(fmt.Sprintln),
		"printf":  printf,
		"eq":      compare("eq"),
		"ne":      compare("ne"),
		"lt":      compare("lt"),
		"le":      compare("le"),
		"gt":      compare("gt"),
		"ge":      compare("ge"),
		"call":    callBuiltin,
	}
}

// values evaluates args then final, for a builtin that needs them all.
func (s *state) values(dot reflect.Value, args []parse.Node, final reflect.Value) []reflect.Value {
	out := make([]reflect.Value, 0, len(args)+1)
	for _, a := range args {
		out = append(out, s.arg(dot, nil, a))
	}
	if !isMissing(final) {
		out = append(out, final)
	}
	return out
}

func (s *state) want(name string, vals []reflect.Value, n int) {
	if len(vals) < n {
		s.failf("wrong number of args for %s: want at least %d got %d", name, n, len(vals))
	}
}

func (s *state) andOr(dot reflect.Value, args []parse.Node, final reflect.Value, or bool) reflect.Value {
	name := map[bool]string{false: "and", true: "or"}[or]
	if len(args) == 0 || (len(args) == 1 && isMissing(final)) {
		s.failf("wrong number of args for %s: want at least 2", name)
	}
	var v reflect.Value
	for _, a := range args {
		v = s.arg(dot, nil, a)
		if truth(v) == or {
			return v
		}
	}
	if !isMissing(final) {
		v = final
	}
	return v
}

func truth(v reflect.Value) bool {
	t, _ := isTrue(indirectInterface(v))
	return t
}

func not(s *state, dot reflect.Value, args []parse.Node, final reflect.Value) reflect.Value {
	vals := s.values(dot, args, final)
	if len(vals) != 1 {
		s.failf("wrong number of args for not: want 1 got %d", len(vals))
	}
	return reflect.ValueOf(!truth(vals[0]))
}

func length(s *state, dot reflect.Value, args []parse.Node, final reflect.Value) reflect.Value {
	vals := s.values(dot, args, final)
	if len(vals) != 1 {
		s.failf("wrong number of args for len: want 1 got %d", len(vals))
	}
	v, isNil := indirect(vals[0])
	if isNil {
		s.failf("error calling len: len of nil pointer")
	}
	switch v.Kind() {
	case reflect.Array, reflect.Chan, reflect.Map, reflect.Slice, reflect.String:
		return reflect.ValueOf(v.Len())
	}
	s.failf("error calling len: len of type %s", v.Type())
	return reflect.Value{}
}

// indexArg is an index or slice bound as an int, refused when negative or past cap.
func (s *state) indexArg(v reflect.Value, cap int) int {
	var x int64
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		x = v.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		x = int64(v.Uint())
	case reflect.Invalid:
		s.failf("cannot index slice/array with nil")
	default:
		s.failf("cannot index slice/array with type %s", v.Type())
	}
	if x < 0 || int(x) < 0 || int(x) > cap {
		s.failf("index out of range: %d", x)
	}
	return int(x)
}

// operand evaluates the arguments of index or slice: the item, which must not be nil, and the
// indexes.
func (s *state) operand(name string, dot reflect.Value, args []parse.Node, final reflect.Value) (reflect.Value, []reflect.Value) {
	vals := s.values(dot, args, final)
	s.want(name, vals, 1)
	item := indirectInterface(vals[0])
	if !item.IsValid() {
		s.failf("error calling %s: %s of untyped nil", name, name)
	}
	return item, vals[1:]
}

func index(s *state, dot reflect.Value, args []parse.Node, final reflect.Value) reflect.Value {
	item, indexes := s.operand("index", dot, args, final)
	for _, i := range indexes {
		i = indirectInterface(i)
		var isNil bool
		if item, isNil = indirect(item); isNil {
			s.failf("error calling index: index of nil pointer")
		}
		switch item.Kind() {
		case reflect.Array, reflect.Slice, reflect.String:
			x := s.indexArg(i, item.Len())
			if x == item.Len() {
				s.failf("error calling index: index out of range: %d", x)
			}
			item = item.Index(x)
		case reflect.Map:
			if !i.IsValid() {
				i = reflect.Zero(item.Type().Key())
			}
			if !i.Type().AssignableTo(item.Type().Key()) {
				s.failf("error calling index: value has type %s; should be %s", i.Type(), item.Type().Key())
			}
			if x := item.MapIndex(i); x.IsValid() {
				item = x
			} else {
				item = reflect.Zero(item.Type().Elem())
			}
		case reflect.Invalid:
			s.failf("error calling index: index of untyped nil")
		default:
			s.failf("error calling index: can't index item of type %s", item.Type())
		}
	}
	return item
}

func slice(s *state, dot reflect.Value, args []parse.Node, final reflect.Value) reflect.Value {
	item, indexes := s.operand("slice", dot, args, final)
	if len(indexes) > 3 {
		s.failf("error calling slice: too many slice indexes: %d", len(indexes))
	}
	var cap int
	switch item.Kind() {
	case reflect.String:
		if len(indexes) == 3 {
			s.failf("error calling slice: cannot 3-index slice a string")
		}
		cap = item.Len()
	case reflect.Array, reflect.Slice:
		cap = item.Cap()
	default:
		s.failf("error calling slice: can't slice item of type %s", item.Type())
	}
	idx := [3]int{0, item.Len()}
	for i, v := range indexes {
		idx[i] = s.indexArg(indirectInterface(v), cap)
	}
	if idx[0] > idx[1] {
		s.failf("error calling slice: invalid slice index: %d > %d", idx[0], idx[1])
	}
	if len(indexes) < 3 {
		return item.Slice(idx[0], idx[1])
	}
	if idx[1] > idx[2] {
		s.failf("error calling slice: invalid slice index: %d > %d", idx[1], idx[2])
	}
	return item.Slice3(idx[0], idx[1], idx[2])
}

func interfaces(vals []reflect.Value) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = valueInterface(v)
	}
	return out
}

func printer(f func(...any) string) builtin {
	return func(s *state, dot reflect.Value, args []parse.Node, final reflect.Value) reflect.Value {
		return reflect.ValueOf(f(interfaces(s.values(dot, args, final))...))
	}
}

func printf(s *state, dot reflect.Value, args []parse.Node, final reflect.Value) reflect.Value {
	vals := s.values(dot, args, final)
	s.want("printf", vals, 1)
	format, ok := indirectInterface(vals[0]), true
	if ok = format.IsValid() && format.Kind() == reflect.String; !ok {
		s.failf("printf: the format must be a string")
	}
	return reflect.ValueOf(fmt.Sprintf(format.String(), interfaces(vals[1:])...))
}

func callBuiltin(s *state, dot reflect.Value, args []parse.Node, final reflect.Value) reflect.Value {
	if len(args) == 0 {
		s.failf("wrong number of args for call: want at least 1 got 0")
	}
	f := indirectInterface(s.arg(dot, nil, args[0]))
	if !f.IsValid() || f.Kind() != reflect.Func || f.IsNil() {
		s.failf("error calling call: non-function %s", args[0])
	}
	return s.callFunc(dot, f, "call", args, final)
}

type kind int

const (
	invalidKind kind = iota
	boolKind
	complexKind
	intKind
	floatKind
	stringKind
	uintKind
)

func basicKind(v reflect.Value) kind {
	switch v.Kind() {
	case reflect.Bool:
		return boolKind
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return intKind
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return uintKind
	case reflect.Float32, reflect.Float64:
		return floatKind
	case reflect.Complex64, reflect.Complex128:
		return complexKind
	case reflect.String:
		return stringKind
	}
	return invalidKind
}

// equal is eq for two values: basic kinds by value (signed and unsigned integers compared as
// numbers), other comparable values of one type with ==.
func (s *state) equal(a, b reflect.Value) bool {
	ka, kb := basicKind(a), basicKind(b)
	if ka == invalidKind || kb == invalidKind {
		if !a.IsValid() || !b.IsValid() {
			return canNil(a) && canNil(b) && isNilValue(a) && isNilValue(b)
		}
		if a.Type() != b.Type() || !a.Type().Comparable() {
			s.failf("error calling eq: %v", errNotComparable)
		}
		return a.Interface() == b.Interface()
	}
	if ka != kb {
		switch {
		case ka == intKind && kb == uintKind:
			return a.Int() >= 0 && uint64(a.Int()) == b.Uint()
		case ka == uintKind && kb == intKind:
			return b.Int() >= 0 && a.Uint() == uint64(b.Int())
		}
		s.failf("error calling eq: %v", errNotComparable)
	}
	switch ka {
	case boolKind:
		return a.Bool() == b.Bool()
	case complexKind:
		return a.Complex() == b.Complex()
	case floatKind:
		return a.Float() == b.Float()
	case intKind:
		return a.Int() == b.Int()
	case stringKind:
		return a.String() == b.String()
	case uintKind:
		return a.Uint() == b.Uint()
	}
	return false
}

func canNil(v reflect.Value) bool { return !v.IsValid() || canBeNil(v.Type()) }

func isNilValue(v reflect.Value) bool { return !v.IsValid() || v.IsNil() }

func (s *state) less(a, b reflect.Value) bool {
	ka, kb := basicKind(a), basicKind(b)
	if ka == invalidKind || kb == invalidKind {
		s.failf("error calling lt: invalid type for comparison")
	}
	if ka != kb {
		switch {
		case ka == intKind && kb == uintKind:
			return a.Int() < 0 || uint64(a.Int()) < b.Uint()
		case ka == uintKind && kb == intKind:
			return b.Int() >= 0 && a.Uint() < uint64(b.Int())
		}
		s.failf("error calling lt: %v", errNotComparable)
	}
	switch ka {
	case floatKind:
		return a.Float() < b.Float()
	case intKind:
		return a.Int() < b.Int()
	case stringKind:
		return a.String() < b.String()
	case uintKind:
		return a.Uint() < b.Uint()
	}
	s.failf("error calling lt: invalid type for comparison")
	return false
}

func compare(op string) builtin {
	return func(s *state, dot reflect.Value, args []parse.Node, final reflect.Value) reflect.Value {
		vals := s.values(dot, args, final)
		for i := range vals {
			vals[i] = indirectInterface(vals[i])
		}
		if op == "eq" {
			s.want("eq", vals, 2)
			for _, v := range vals[1:] {
				if s.equal(vals[0], v) {
					return reflect.ValueOf(true)
				}
			}
			return reflect.ValueOf(false)
		}
		if len(vals) != 2 {
			s.failf("wrong number of args for %s: want 2 got %d", op, len(vals))
		}
		a, b := vals[0], vals[1]
		switch op {
		case "ne":
			return reflect.ValueOf(!s.equal(a, b))
		case "lt":
			return reflect.ValueOf(s.less(a, b))
		case "le":
			return reflect.ValueOf(s.less(a, b) || s.equal(a, b))
		case "gt":
			return reflect.ValueOf(!s.less(a, b) && !s.equal(a, b))
		}
		return reflect.ValueOf(!s.less(a, b))
	}
}
