package tmpl

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// escapers are the functions html/template inserts where a page prints a value, by the names
// it gives them, written here to the same rules: every value printed in text, in an attribute
// or in a URL goes through one. tmplgen refuses a page that needs one this package lacks (a
// value inside a script or a style, which Préau's pages have none of). They are made when the
// first template is parsed, not at every start.
var escapers = sync.OnceValue(func() map[string]func(...any) string {
	return map[string]func(...any) string{
		"_html_template_htmlescaper":   htmlEscaper,
		"_html_template_attrescaper":   attrEscaper,
		"_html_template_rcdataescaper": rcdataEscaper,
		"_html_template_urlfilter":     urlFilter,
		"_html_template_urlnormalizer": func(args ...any) string { return urlProcess(true, args...) },
		"_html_template_urlescaper":    func(args ...any) string { return urlProcess(false, args...) },
		"_html_template_commentescaper": func(...any) string {
			return "" // comments are dropped from pages
		},
		"_eval_args_": evalArgs,
	}
})

// Escapers lists the names of the escaping functions this package implements (tmplgen checks
// every escaped page against it).
func Escapers() []string {
	out := make([]string, 0, len(escapers()))
	for n := range escapers() {
		out = append(out, n)
	}
	return out
}

type content int

const (
	plain content = iota
	trustedHTML
	trustedURL
)

// deref follows pointers to the value they point at.
func deref(a any) any {
	if a == nil {
		return nil
	}
	v := reflect.ValueOf(a)
	if v.Kind() != reflect.Pointer {
		return a
	}
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	return v.Interface()
}

// derefToPrintable follows pointers until a Stringer, an error or a non-pointer.
func derefToPrintable(a any) any {
	if a == nil {
		return nil
	}
	v := reflect.ValueOf(a)
	for !v.Type().Implements(stringerType) && !v.Type().Implements(errorType) && v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	return v.Interface()
}

// stringify is the text of an escaper's arguments, and whether it is trusted content.
func stringify(args ...any) (string, content) {
	if len(args) == 1 {
		switch s := deref(args[0]).(type) {
		case string:
			return s, plain
		case HTML:
			return string(s), trustedHTML
		case URL:
			return string(s), trustedURL
		}
	}
	kept := args[:0:0]
	for _, a := range args {
		if a == nil { // a missing value prints nothing
			continue
		}
		kept = append(kept, derefToPrintable(a))
	}
	return fmt.Sprint(kept...), plain
}

func evalArgs(args ...any) string {
	if len(args) == 1 {
		if s, ok := args[0].(string); ok {
			return s
		}
	}
	vals := make([]any, len(args))
	for i, a := range args {
		vals[i] = derefToPrintable(a)
	}
	return fmt.Sprint(vals...)
}

// replaceHTML writes s with the characters that matter in HTML as character references (and
// NUL as U+FFFD). keepAmp leaves & alone, for trusted markup that already has its references.
func replaceHTML(s string, keepAmp bool) string {
	var b strings.Builder
	last := 0
	for i, r := range s {
		var rep string
		switch r {
		case 0:
			rep = "\uFFFD"
		case '"':
			rep = "&#34;"
		case '&':
			if keepAmp {
				continue
			}
			rep = "&amp;"
		case '\'':
			rep = "&#39;"
		case '+':
			rep = "&#43;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		default:
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(s) + 16)
		}
		b.WriteString(s[last:i])
		b.WriteString(rep)
		last = i + len(string(r))
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func htmlEscaper(args ...any) string {
	s, t := stringify(args...)
	if t == trustedHTML {
		return s
	}
	return replaceHTML(s, false)
}

// attrEscaper escapes a value inside a quoted attribute, a <title> or a <textarea>. Trusted
// markup keeps its character references there, but not its tags: Préau never prints markup in
// an attribute, so it is refused rather than stripped.
func attrEscaper(args ...any) string {
	s, t := stringify(args...)
	if t == trustedHTML {
		panic(fmt.Errorf("trusted HTML %q printed inside an attribute or an RCDATA element", s))
	}
	return replaceHTML(s, false)
}

// rcdataEscaper escapes a value inside <title> or <textarea>, where trusted markup keeps its
// character references but not its tags.
func rcdataEscaper(args ...any) string {
	s, t := stringify(args...)
	return replaceHTML(s, t == trustedHTML)
}

// urlFilter lets through a URL whose scheme is http, https or mailto, or that has none, and
// replaces any other (javascript:…) by "#ZgotmplZ", as html/template does.
func urlFilter(args ...any) string {
	s, t := stringify(args...)
	if t == trustedURL {
		return s
	}
	if scheme, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(scheme, "/") {
		if !strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") && !strings.EqualFold(scheme, "mailto") {
			return "#ZgotmplZ"
		}
	}
	return s
}

// urlProcess percent-encodes what a URL (normalize) or a part of one (!normalize) must not
// hold as it is.
func urlProcess(normalize bool, args ...any) string {
	s, t := stringify(args...)
	if t == trustedURL {
		normalize = true
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			continue
		case strings.IndexByte("-._~", c) >= 0:
			continue
		case normalize && strings.IndexByte("!#$&*+,/:;=?@[]", c) >= 0:
			continue
		case normalize && c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			// An escape already made is kept; html/template keeps it only when something
			// follows it, and so does this, so that both print the same bytes.
			continue
		}
		b.WriteString(s[last:i])
		fmt.Fprintf(&b, "%%%02x", c)
		last = i + 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
