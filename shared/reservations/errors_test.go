package reservations

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/preau/preau/shared/fault"
)

func TestClipCutsBetweenCharacters(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"short", "2026-12-07", "2026-12-07"},
		{"twenty characters", strings.Repeat("a", 20), strings.Repeat("a", 20)},
		{"ASCII", strings.Repeat("a", 25), strings.Repeat("a", 20) + "…"},
		{"accent across byte 20", strings.Repeat("a", 19) + "éééé", strings.Repeat("a", 19) + "é…"},
		{"all multi-byte", strings.Repeat("é", 30), strings.Repeat("é", 20) + "…"},
		{"invalid bytes", "ab\xffcd", "ab\uFFFDcd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := clip(tt.in)
			if got != tt.want || !utf8.ValidString(got) {
				t.Fatalf("clip(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	_, err := ParseDay(strings.Repeat("a", 19) + "éé")
	if f, ok := fault.As(err); !ok || !utf8.ValidString(f.Detail) {
		t.Fatalf("ParseDay detail: %v", err)
	}
}
