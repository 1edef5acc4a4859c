package tmpl

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"text/template/parse"
)

// maxDepth bounds nested {{template}} calls: a template that calls itself forever fails
// instead of exhausting the stack.
const maxDepth = 1000

// state is one execution: the writer, the variables in scope and the nesting depth.
type state struct {
	sets  *Set
	w     io.Writer
	name  string // the template being executed, for errors
	node  parse.Node
	vars  []variable
	depth int
}

type variable struct {
	name  string
	value reflect.Value
}

// failure is how an execution error travels up to run, which returns it.
type failure struct{ err error }

// loop signals travel as panics too, caught by the range that owns them.
type loopSignal int

const (
	signalBreak loopSignal = iota
	signalContinue
)

var (
	errorType    = reflect.TypeFor[error]()
	stringerType = reflect.TypeFor[fmt.Stringer]()
	valueType    = reflect.TypeFor[reflect.Value]()
	anyType      = reflect.TypeFor[any]()
)

// missing marks "no value piped in" (a command that is not the second of a pipeline).
var missing = reflect.ValueOf(struct{ missing bool }{true})

func isMissing(v reflect.Value) bool { return v.IsValid() && v.Type() == missing.Type() }

func (s *state) failf(format string, args ...any) {
	where := s.name
	if s.node != nil {
		if t, ok := s.sets.trees[s.name]; ok {
			loc, _ := t.ErrorContext(s.node)
			where = loc
		}
	}
	panic(failure{fmt.Errorf("tmpl: %s: %w", where, fmt.Errorf(format, args...))})
}

func (s *state) run(t *parse.Tree, data any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			switch f := r.(type) {
			case failure:
				err = f.err
			case loopSignal:
				err = fmt.Errorf("tmpl: %s: break or continue outside a range", s.name)
			default:
				// A reflect panic on a value the template should not have reached: the page
				// fails with an error, the process lives on.
				err = fmt.Errorf("tmpl: %s: %v", s.name, f)
			}
		}
	}()
	dot := reflect.ValueOf(data)
	s.vars = []variable{{"$", dot}}
	s.walk(dot, t.Root)
	return nil
}

func (s *state) mark() int { return len(s.vars) }

func (s *state) pop(mark int) { s.vars = s.vars[:mark] }

func (s *state) push(name string, v reflect.Value) { s.vars = append(s.vars, variable{name, v}) }

// setTop sets the variable n places from the top of the stack (1 is the top).
func (s *state) setTop(n int, v reflect.Value) { s.vars[len(s.vars)-n].value = v }

func (s *state) assign(name string, v reflect.Value) {
	for i := len(s.vars) - 1; i >= 0; i-- {
		if s.vars[i].name == name {
			s.vars[i].value = v
			return
		}
	}
	s.failf("undefined variable: %s", name)
}

func (s *state) lookup(name string) reflect.Value {
	for i := len(s.vars) - 1; i >= 0; i-- {
		if s.vars[i].name == name {
			return s.vars[i].value
		}
	}
	s.failf("undefined variable: %s", name)
	return reflect.Value{}
}

func (s *state) write(text string) {
	if _, err := io.WriteString(s.w, text); err != nil {
		panic(failure{fmt.Errorf("tmpl: write: %w", err)})
	}
}

func (s *state) walk(dot reflect.Value, node parse.Node) {
	s.node = node
	switch n := node.(type) {
	case *parse.ListNode:
		for _, c := range n.Nodes {
			s.walk(dot, c)
		}
	case *parse.TextNode:
		s.write(string(n.Text))
	case *parse.ActionNode:
		v := s.pipeline(dot, n.Pipe)
		if len(n.Pipe.Decl) == 0 {
			s.print(v)
		}
	case *parse.CommentNode:
	case *parse.IfNode:
		s.ifOrWith(dot, &n.BranchNode, false)
	case *parse.WithNode:
		s.ifOrWith(dot, &n.BranchNode, true)
	case *parse.RangeNode:
		s.rangeOver(dot, n)
	case *parse.TemplateNode:
		s.call(dot, n)
	case *parse.BreakNode:
		panic(signalBreak)
	case *parse.ContinueNode:
		panic(signalContinue)
	default:
		s.failf("unknown node %s", node)
	}
}

func (s *state) ifOrWith(dot reflect.Value, b *parse.BranchNode, with bool) {
	defer s.pop(s.mark())
	v := s.pipeline(dot, b.Pipe)
	truth, ok := isTrue(indirectInterface(v))
	if !ok {
		s.failf("if/with can't use %v", v)
	}
	switch {
	case truth && with:
		s.walk(v, b.List)
	case truth:
		s.walk(dot, b.List)
	case b.ElseList != nil:
		s.walk(dot, b.ElseList)
	}
}

func (s *state) call(dot reflect.Value, n *parse.TemplateNode) {
	t, ok := s.sets.trees[n.Name]
	if !ok || t.Root == nil {
		s.failf("no template %q", n.Name)
	}
	if s.depth >= maxDepth {
		s.failf("templates nested more than %d deep", maxDepth)
	}
	arg := reflect.Value{}
	if n.Pipe != nil {
		arg = s.pipeline(dot, n.Pipe)
	}
	inner := &state{sets: s.sets, w: s.w, name: n.Name, depth: s.depth + 1, vars: []variable{{"$", arg}}}
	inner.walk(arg, t.Root)
	s.node = n
}

// iterate runs one iteration of a range, and reports whether the range stops ({{break}}).
func (s *state) iterate(r *parse.RangeNode, mark int, key, elem reflect.Value) (stop bool) {
	if len(r.Pipe.Decl) > 0 {
		switch {
		case r.Pipe.IsAssign && len(r.Pipe.Decl) > 1:
			s.assign(r.Pipe.Decl[0].Ident[0], key)
		case r.Pipe.IsAssign:
			s.assign(r.Pipe.Decl[0].Ident[0], elem)
		default:
			s.setTop(1, elem)
		}
	}
	if len(r.Pipe.Decl) > 1 {
		if r.Pipe.IsAssign {
			s.assign(r.Pipe.Decl[1].Ident[0], elem)
		} else {
			s.setTop(2, key)
		}
	}
	defer func() {
		s.pop(mark)
		if rec := recover(); rec != nil {
			sig, ok := rec.(loopSignal)
			if !ok {
				panic(rec)
			}
			stop = sig == signalBreak
		}
	}()
	s.walk(elem, r.List)
	return false
}

func (s *state) rangeOver(dot reflect.Value, r *parse.RangeNode) {
	defer s.pop(s.mark())
	v, _ := indirect(s.pipeline(dot, r.Pipe))
	mark := s.mark()
	ran := false
	switch v.Kind() {
	case reflect.Array, reflect.Slice:
		for i := range v.Len() {
			ran = true
			if s.iterate(r, mark, reflect.ValueOf(i), v.Index(i)) {
				break
			}
		}
	case reflect.Map:
		for _, k := range sortedKeys(v) {
			ran = true
			if s.iterate(r, mark, k, v.MapIndex(k)) {
				break
			}
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		for i := range v.Int() {
			ran = true
			n := reflect.New(v.Type()).Elem()
			n.SetInt(i)
			if s.iterate(r, mark, n, n) {
				break
			}
		}
	case reflect.Invalid:
	default:
		s.failf("range can't iterate over %v", v)
	}
	if !ran && r.ElseList != nil {
		s.walk(dot, r.ElseList)
	}
}

// sortedKeys orders a map's keys as text/template does for the kinds Préau ranges over:
// strings, integers, floats and booleans.
func sortedKeys(m reflect.Value) []reflect.Value {
	keys := m.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int {
		switch a.Kind() {
		case reflect.String:
			return cmp.Compare(a.String(), b.String())
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return cmp.Compare(a.Int(), b.Int())
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			return cmp.Compare(a.Uint(), b.Uint())
		case reflect.Float32, reflect.Float64:
			return cmp.Compare(a.Float(), b.Float())
		case reflect.Bool:
			return cmp.Compare(boolInt(a.Bool()), boolInt(b.Bool()))
		}
		return 0
	})
	return keys
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *state) pipeline(dot reflect.Value, p *parse.PipeNode) reflect.Value {
	if p == nil {
		return reflect.Value{}
	}
	s.node = p
	v := missing
	for _, c := range p.Cmds {
		v = s.command(dot, c, v)
		if v.IsValid() && v.Kind() == reflect.Interface && v.Type().NumMethod() == 0 {
			v = reflect.ValueOf(v.Interface())
		}
	}
	for _, d := range p.Decl {
		if p.IsAssign {
			s.assign(d.Ident[0], v)
		} else {
			s.push(d.Ident[0], v)
		}
	}
	return v
}

func (s *state) noArgs(args []parse.Node, final reflect.Value) {
	if len(args) > 1 || !isMissing(final) {
		s.failf("can't give argument to non-function %s", args[0])
	}
}

func (s *state) command(dot reflect.Value, c *parse.CommandNode, final reflect.Value) reflect.Value {
	first := c.Args[0]
	switch n := first.(type) {
	case *parse.FieldNode:
		return s.fieldChain(dot, dot, n.Ident, c.Args, final)
	case *parse.ChainNode:
		return s.chain(dot, n, c.Args, final)
	case *parse.IdentifierNode:
		return s.function(dot, n, c.Args, final)
	case *parse.PipeNode:
		s.noArgs(c.Args, final)
		return s.pipeline(dot, n)
	case *parse.VariableNode:
		return s.variable(dot, n, c.Args, final)
	}
	s.node = first
	s.noArgs(c.Args, final)
	switch first.(type) {
	case *parse.DotNode:
		return dot
	case *parse.NilNode:
		s.failf("nil is not a command")
	}
	return s.constant(first)
}

func (s *state) number(n *parse.NumberNode) reflect.Value {
	switch {
	case n.IsInt:
		return reflect.ValueOf(int(n.Int64))
	case n.IsFloat:
		return reflect.ValueOf(n.Float64)
	}
	s.failf("%s is not a number Préau's templates use", n.Text)
	return reflect.Value{}
}

func (s *state) chain(dot reflect.Value, c *parse.ChainNode, args []parse.Node, final reflect.Value) reflect.Value {
	if len(c.Field) == 0 {
		s.failf("internal error: no fields in chain")
	}
	if c.Node.Type() == parse.NodeNil {
		s.failf("indirection through explicit nil in %s", c)
	}
	return s.fieldChain(dot, s.arg(dot, nil, c.Node), c.Field, args, final)
}

func (s *state) variable(dot reflect.Value, v *parse.VariableNode, args []parse.Node, final reflect.Value) reflect.Value {
	s.node = v
	value := s.lookup(v.Ident[0])
	if len(v.Ident) == 1 {
		s.noArgs(args, final)
		return value
	}
	return s.fieldChain(dot, value, v.Ident[1:], args, final)
}

func (s *state) fieldChain(dot, receiver reflect.Value, idents []string, args []parse.Node, final reflect.Value) reflect.Value {
	for _, id := range idents[:len(idents)-1] {
		receiver = s.field(dot, id, nil, missing, receiver)
	}
	return s.field(dot, idents[len(idents)-1], args, final, receiver)
}

// field evaluates .name on receiver: a method of that name (called with args), else a struct
// field, else a map's entry.
func (s *state) field(dot reflect.Value, name string, args []parse.Node, final, receiver reflect.Value) reflect.Value {
	if !receiver.IsValid() {
		return reflect.Value{}
	}
	typ := receiver.Type()
	receiver, isNil := indirect(receiver)
	if receiver.Kind() == reflect.Interface && isNil {
		s.failf("nil pointer evaluating %s.%s", typ, name)
	}
	ptr := receiver
	if ptr.Kind() != reflect.Interface && ptr.Kind() != reflect.Pointer && ptr.CanAddr() {
		ptr = ptr.Addr()
	}
	if m := method(ptr, name); m.IsValid() {
		return s.callFunc(dot, m, name, args, final)
	}
	hasArgs := len(args) > 1 || !isMissing(final)
	switch receiver.Kind() {
	case reflect.Struct:
		if f, ok := receiver.Type().FieldByName(name); ok {
			if !f.IsExported() {
				s.failf("%s is an unexported field of struct type %s", name, typ)
			}
			v, err := receiver.FieldByIndexErr(f.Index)
			if err != nil {
				s.failf("%v", err)
			}
			if hasArgs {
				s.failf("%s has arguments but cannot be invoked as function", name)
			}
			return v
		}
	case reflect.Map:
		key := reflect.ValueOf(name)
		if key.Type().AssignableTo(receiver.Type().Key()) {
			if hasArgs {
				s.failf("%s is not a method but has arguments", name)
			}
			return receiver.MapIndex(key)
		}
	case reflect.Pointer:
		if et := receiver.Type().Elem(); et.Kind() == reflect.Struct {
			if _, ok := et.FieldByName(name); ok && isNil {
				s.failf("nil pointer evaluating %s.%s", typ, name)
			}
		}
	}
	if isNil {
		s.failf("nil pointer evaluating %s.%s", typ, name)
	}
	if !isMethodName(name) {
		s.failf("can't evaluate field %s in type %s (a method is called only by a name tmplgen has listed: run go generate)", name, typ)
	}
	s.failf("can't evaluate field %s in type %s", name, typ)
	return reflect.Value{}
}

func (s *state) function(dot reflect.Value, id *parse.IdentifierNode, args []parse.Node, final reflect.Value) reflect.Value {
	s.node = id
	if b, ok := builtins()[id.Ident]; ok {
		return b(s, dot, args[1:], final)
	}
	if e, ok := escapers()[id.Ident]; ok {
		vals := make([]any, 0, len(args))
		for _, a := range args[1:] {
			vals = append(vals, valueInterface(s.arg(dot, anyType, a)))
		}
		if !isMissing(final) {
			vals = append(vals, valueInterface(final))
		}
		return reflect.ValueOf(e(vals...))
	}
	f, ok := s.sets.funcs[id.Ident]
	if !ok {
		s.failf("%q is not a defined function", id.Ident)
	}
	return s.callFunc(dot, f.v, id.Ident, args, final)
}

func valueInterface(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	return v.Interface()
}

// fn is a function of a FuncMap, checked when the set is parsed.
type fn struct{ v reflect.Value }

func newFn(name string, f any) (fn, error) {
	v := reflect.ValueOf(f)
	if v.Kind() != reflect.Func {
		return fn{}, fmt.Errorf("tmpl: value for %s is not a function", name)
	}
	if !goodFunc(v.Type()) {
		return fn{}, fmt.Errorf("tmpl: %s must return one value, or one value and an error", name)
	}
	return fn{v}, nil
}

func goodFunc(t reflect.Type) bool {
	switch {
	case t.NumOut() == 1:
		return true
	case t.NumOut() == 2 && t.Out(1) == errorType:
		return true
	}
	return false
}

// callFunc calls f (a function or a method value) with the arguments args[1:] and final.
func (s *state) callFunc(dot, f reflect.Value, name string, args []parse.Node, final reflect.Value) reflect.Value {
	if args != nil {
		args = args[1:]
	}
	typ := f.Type()
	numIn := len(args)
	if !isMissing(final) {
		numIn++
	}
	numFixed := len(args)
	if typ.IsVariadic() {
		numFixed = typ.NumIn() - 1
		if numIn < numFixed {
			s.failf("wrong number of args for %s: want at least %d got %d", name, typ.NumIn()-1, len(args))
		}
	} else if numIn != typ.NumIn() {
		s.failf("wrong number of args for %s: want %d got %d", name, typ.NumIn(), numIn)
	}
	if !goodFunc(typ) {
		s.failf("can't call method/function %q with %d results", name, typ.NumOut())
	}
	argv := make([]reflect.Value, numIn)
	i := 0
	for ; i < numFixed && i < len(args); i++ {
		argv[i] = s.arg(dot, typ.In(i), args[i])
	}
	if typ.IsVariadic() {
		et := typ.In(typ.NumIn() - 1).Elem()
		for ; i < len(args); i++ {
			argv[i] = s.arg(dot, et, args[i])
		}
	}
	if !isMissing(final) {
		t := typ.In(typ.NumIn() - 1)
		if typ.IsVariadic() {
			if numIn-1 < numFixed {
				t = typ.In(numIn - 1)
			} else {
				t = t.Elem()
			}
		}
		argv[i] = s.validate(final, t)
	}
	out, err := safeCall(f, argv)
	if err != nil {
		s.failf("error calling %s: %w", name, err)
	}
	if out.IsValid() && out.Type() == valueType {
		out = out.Interface().(reflect.Value)
	}
	return out
}

func safeCall(f reflect.Value, argv []reflect.Value) (v reflect.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = e
			} else {
				err = fmt.Errorf("%v", r)
			}
		}
	}()
	out := f.Call(argv)
	if len(out) == 2 && !out[1].IsNil() {
		return out[0], out[1].Interface().(error)
	}
	return out[0], nil
}

// arg evaluates an argument for a parameter of type typ (nil: any value).
func (s *state) arg(dot reflect.Value, typ reflect.Type, n parse.Node) reflect.Value {
	s.node = n
	switch a := n.(type) {
	case *parse.DotNode:
		return s.validate(dot, typ)
	case *parse.NilNode:
		if typ != nil && canBeNil(typ) {
			return reflect.Zero(typ)
		}
		s.failf("cannot assign nil to %s", typ)
	case *parse.FieldNode:
		return s.validate(s.fieldChain(dot, dot, a.Ident, []parse.Node{n}, missing), typ)
	case *parse.VariableNode:
		return s.validate(s.variable(dot, a, nil, missing), typ)
	case *parse.PipeNode:
		return s.validate(s.pipeline(dot, a), typ)
	case *parse.IdentifierNode:
		return s.validate(s.function(dot, a, []parse.Node{a}, missing), typ)
	case *parse.ChainNode:
		return s.validate(s.chain(dot, a, nil, missing), typ)
	}
	if typ == nil || typ == anyType || typ == valueType {
		v := s.constant(n)
		if typ == valueType {
			return reflect.ValueOf(v)
		}
		return v
	}
	value := reflect.New(typ).Elem()
	switch typ.Kind() {
	case reflect.Bool:
		if b, ok := n.(*parse.BoolNode); ok {
			value.SetBool(b.True)
			return value
		}
	case reflect.String:
		if str, ok := n.(*parse.StringNode); ok {
			value.SetString(str.Text)
			return value
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if num, ok := n.(*parse.NumberNode); ok && num.IsInt && !value.OverflowInt(num.Int64) {
			value.SetInt(num.Int64)
			return value
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if num, ok := n.(*parse.NumberNode); ok && num.IsUint && !value.OverflowUint(num.Uint64) {
			value.SetUint(num.Uint64)
			return value
		}
	case reflect.Float32, reflect.Float64:
		if num, ok := n.(*parse.NumberNode); ok && num.IsFloat && !value.OverflowFloat(num.Float64) {
			value.SetFloat(num.Float64)
			return value
		}
	case reflect.Interface:
		if typ.NumMethod() == 0 {
			return s.constant(n)
		}
	}
	s.failf("can't use %s as an argument of type %s", n, typ)
	return reflect.Value{}
}

// constant evaluates a literal: a command of its own, or an argument for a parameter that
// takes any value.
func (s *state) constant(n parse.Node) reflect.Value {
	switch c := n.(type) {
	case *parse.BoolNode:
		return reflect.ValueOf(c.True)
	case *parse.NumberNode:
		return s.number(c)
	case *parse.StringNode:
		return reflect.ValueOf(c.Text)
	}
	s.failf("can't evaluate %s", n)
	return reflect.Value{}
}

// validate converts v for a parameter of type typ, as text/template does: nil to the zero
// value of a nilable type, an interface to what it holds, a pointer to what it points at, an
// addressable value to its address.
func (s *state) validate(v reflect.Value, typ reflect.Type) reflect.Value {
	if !v.IsValid() {
		if typ == nil {
			return reflect.ValueOf(nil)
		}
		if canBeNil(typ) {
			return reflect.Zero(typ)
		}
		s.failf("invalid value; expected %s", typ)
	}
	if typ == valueType && v.Type() != typ {
		return reflect.ValueOf(v)
	}
	if typ == nil || v.Type().AssignableTo(typ) {
		return v
	}
	if v.Kind() == reflect.Interface && !v.IsNil() {
		v = v.Elem()
		if v.Type().AssignableTo(typ) {
			return v
		}
	}
	switch {
	case v.Kind() == reflect.Pointer && v.Type().Elem().AssignableTo(typ):
		if v.IsNil() {
			s.failf("dereference of nil pointer of type %s", typ)
		}
		return v.Elem()
	case reflect.PointerTo(v.Type()).AssignableTo(typ) && v.CanAddr():
		return v.Addr()
	}
	s.failf("wrong type for value; expected %s; got %s", typ, v.Type())
	return reflect.Value{}
}

func canBeNil(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Chan, reflect.Func, reflect.Interface, reflect.Map, reflect.Pointer, reflect.Slice:
		return true
	case reflect.Struct:
		return t == valueType
	}
	return false
}

// indirect follows pointers and interfaces to a value, reporting whether it met a nil.
func indirect(v reflect.Value) (reflect.Value, bool) {
	for ; v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface; v = v.Elem() {
		if v.IsNil() {
			return v, true
		}
	}
	return v, false
}

func indirectInterface(v reflect.Value) reflect.Value {
	if v.Kind() != reflect.Interface || v.IsNil() {
		return v
	}
	return v.Elem()
}

// isTrue is text/template's truth: a non-zero number, a non-empty string or collection, a
// non-nil pointer, any struct.
func isTrue(v reflect.Value) (truth, ok bool) {
	if !v.IsValid() {
		return false, true
	}
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() > 0, true
	case reflect.Bool:
		return v.Bool(), true
	case reflect.Complex64, reflect.Complex128:
		return v.Complex() != 0, true
	case reflect.Chan, reflect.Func, reflect.Pointer, reflect.Interface:
		return !v.IsNil(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() != 0, true
	case reflect.Float32, reflect.Float64:
		return v.Float() != 0, true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() != 0, true
	case reflect.Struct:
		return true, true
	}
	return false, false
}

// printable is the value an action prints: pointers followed, and an addressable value whose
// pointer is an error or a Stringer taken by address, as fmt would print it.
func printable(v reflect.Value) (any, bool) {
	if v.Kind() == reflect.Pointer {
		v, _ = indirect(v)
	}
	if !v.IsValid() {
		return "<no value>", true
	}
	if !v.Type().Implements(errorType) && !v.Type().Implements(stringerType) {
		if v.CanAddr() && (reflect.PointerTo(v.Type()).Implements(errorType) || reflect.PointerTo(v.Type()).Implements(stringerType)) {
			v = v.Addr()
		} else if v.Kind() == reflect.Chan || v.Kind() == reflect.Func {
			return nil, false
		}
	}
	return v.Interface(), true
}

func (s *state) print(v reflect.Value) {
	iface, ok := printable(v)
	if !ok {
		s.failf("can't print %s of type %s", s.node, v.Type())
	}
	if str, ok := iface.(string); ok {
		s.write(str)
		return
	}
	if _, err := fmt.Fprint(s.w, iface); err != nil {
		panic(failure{fmt.Errorf("tmpl: write: %w", err)})
	}
}

var errNotComparable = errors.New("incompatible types for comparison")
