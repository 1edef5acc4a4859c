package fr

import (
	"strings"
	"testing"

	"github.com/preau/preau/shared/cutoff"
)

func TestCutoff(t *testing.T) {
	tests := []struct {
		days, hour int
		want       string
	}{
		{0, 10, "le jour même avant 10h00"},
		{0, 8, "le jour même avant 8h00"},
		{0, 23, "le jour même avant 23h00"},
		{0, 0, "au plus tard la veille"},
		{1, 10, "1 jour ouvré avant le jour concerné, avant 10h00"},
		{1, 12, "1 jour ouvré avant le jour concerné, avant 12h00"},
		{1, 0, "1 jour ouvré avant le jour concerné, avant 0h00"},
		{2, 10, "2 jours ouvrés avant le jour concerné, avant 10h00"},
		{2, 9, "2 jours ouvrés avant le jour concerné, avant 9h00"},
		{5, 10, "5 jours ouvrés avant le jour concerné, avant 10h00"},
		{5, 17, "5 jours ouvrés avant le jour concerné, avant 17h00"},
	}
	for _, tt := range tests {
		p := cutoff.Policy{WorkingDaysBefore: tt.days, Hour: tt.hour}
		t.Run(tt.want, func(t *testing.T) {
			if err := p.Validate(); err != nil {
				t.Fatal(err)
			}
			got := Cutoff(p)
			if got != tt.want {
				t.Fatalf("Cutoff(%d days, %dh) = %q, want %q", tt.days, tt.hour, got, tt.want)
			}
			rule := CutoffRule(p)
			if rule != "Toute demande de réservation ou d'annulation doit intervenir "+tt.want+"." {
				t.Fatalf("CutoffRule = %q", rule)
			}
			// A day is either the day itself or working days before it, never both; one
			// working day before is not the day before.
			if tt.days == 0 && strings.Contains(got, "ouvré") {
				t.Errorf("%q counts working days for a same-day policy", got)
			}
			if tt.days > 0 && (strings.Contains(got, "même") || strings.Contains(got, "veille")) {
				t.Errorf("%q says the day itself or the day before for %d working days", got, tt.days)
			}
			if tt.days > 1 && !strings.Contains(got, "jours ouvrés") || tt.days == 1 && strings.Contains(got, "jours") {
				t.Errorf("%q: wrong plural for %d", got, tt.days)
			}
		})
	}
}
