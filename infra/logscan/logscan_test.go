package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestLeak(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{`{"time":"2026-12-03T09:59:00Z","level":"ERROR","msg":"request failed","err":"delete FAMILY#f_a/FEED#anne.martin@example.org: boom"}`, "an e-mail address"},
		{`2026/12/03 09:59:00 ERROR request failed err="get SESSION#9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08: boom"`, "a token hash"},
		{`    stack_test.go:57: {"level":"INFO","msg":"link","token":"q1Zx8hV3bC5nT0pL7mR2sW9yK4dF6gH1jA3eU8iO5rE"}`, "a token"},
		{`{"time":"2026-12-03T09:59:00Z","level":"INFO","msg":"request","function":"Portal","route":"GET /{$}","status":200,"request_id":"0a1b2c3d4e5f6a7b"}`, ""},
		{`2026/12/03 09:59:00 INFO request function=Planning route="GET /calendrier/{token}" status=200`, ""},
		{`    handler_test.go:88: signed up anne.martin@example.org`, ""}, // a test's own message, not a log line
	} {
		if got := Leak(tc.line); got != tc.want {
			t.Errorf("Leak(%q) = %q, want %q", tc.line, got, tc.want)
		}
	}
}

func TestScan(t *testing.T) {
	in := strings.Join([]string{
		`{"Action":"run","Package":"p","Test":"TestA"}`,
		`{"Action":"output","Package":"p","Test":"TestA","Output":"2026/12/03 09:59:00 ERROR request failed err=\"account anne@example.org\"\n"}`,
		`{"Action":"pass","Package":"p","Test":"TestA"}`,
		`{"Action":"run","Package":"p","Test":"TestB"}`,
		`{"Action":"output","Package":"p","Test":"TestB","Output":"    b_test.go:3: wrong\n"}`,
		`{"Action":"fail","Package":"p","Test":"TestB"}`,
		`{"Action":"output","Package":"p","Output":"FAIL\tp\t0.1s\n"}`,
		`{"Action":"fail","Package":"p"}`,
	}, "\n")
	var out bytes.Buffer
	findings, failed := scan(strings.NewReader(in), &out)
	if !failed || len(findings) != 1 || !strings.Contains(findings[0], "p TestA: an e-mail address") {
		t.Errorf("failed %v, findings %q", failed, findings)
	}
	if got := out.String(); !strings.Contains(got, "b_test.go:3: wrong") || !strings.Contains(got, "FAIL\tp") || strings.Contains(got, "anne@") {
		t.Errorf("output:\n%s", got)
	}
}
