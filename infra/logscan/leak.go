package main

import (
	"regexp"
	"strings"
)

var (
	// textLog is slog's text form through the log package: "2026/12/03 09:59:00 INFO msg k=v".
	textLog = regexp.MustCompile(`\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(\.\d+)? (DEBUG|INFO|WARN|ERROR) `)
	email   = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)
	// tokenHash is a SHA-256 in hex (session, link and feed token hashes, keyed address hashes).
	tokenHash = regexp.MustCompile(`(^|[^0-9A-Fa-f])[0-9a-f]{64}([^0-9A-Fa-f]|$)`)
	// token is a link or session secret: 32 random bytes in unpadded base64url.
	token = regexp.MustCompile(`(^|[^A-Za-z0-9_-])[A-Za-z0-9_-]{43}([^A-Za-z0-9_=-]|$)`)
)

// isLog reports whether line is a log line: slog's JSON or text form, possibly after a test's
// file:line prefix (the local stack relays its functions' logs through t.Log).
func isLog(line string) bool {
	return (strings.Contains(line, `"level":"`) && strings.Contains(line, `"msg":"`)) || textLog.MatchString(line)
}

// Leak names what a log line holds that logs must never hold, or returns "" (also for lines
// that are not log lines).
func Leak(line string) string {
	if !isLog(line) {
		return ""
	}
	switch {
	case email.MatchString(line):
		return "an e-mail address"
	case tokenHash.MatchString(line):
		return "a token hash"
	case token.MatchString(line) && hasDigitAndLetter(token.FindString(line)):
		return "a token"
	}
	return ""
}

// hasDigitAndLetter tells random text from a long word.
func hasDigitAndLetter(s string) bool {
	return strings.ContainsAny(s, "0123456789") && strings.ContainsAny(strings.ToLower(s), "abcdefghijklmnopqrstuvwxyz")
}
