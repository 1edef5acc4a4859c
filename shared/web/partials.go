package web

import "embed"

// Partials are the parts of the shared layout that a function with a layout of its own (the
// back-office) parses beside it, so that both read alike: "notices", the flash message and the
// error summary of a form.
//
//go:embed templates/notices.html
var Partials embed.FS
