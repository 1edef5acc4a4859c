package fields

import "testing"

func TestFields(t *testing.T) {
	tests := []struct {
		name string
		f    func(string) bool
		ok   []string
		bad  []string
	}{
		{"NumCli", NumCli, []string{"123456", "000000"}, []string{"", "12345", "1234567", "12345a", "12 456", "١٢٣٤٥٦"}},
		{"Saisie", Saisie, []string{"T", "X", "W"}, []string{"", "t", "TX", "A"}},
		{"RefDet", RefDet, []string{"F2026110001", "abcDEF", "123456789012345678901234567890"}, []string{"", "F2026", "1234567890123456789012345678901", "F-2026-11", "Fé20261"}},
		{"Objet", Objet, []string{"", "Facture 2026 11", string(make([]byte, 0))}, []string{"Facture n°1", "a-b", string(make([]byte, 101)), "école"}},
	}
	for _, tt := range tests {
		for _, s := range tt.ok {
			if !tt.f(s) {
				t.Errorf("%s(%q) = false, want true", tt.name, s)
			}
		}
		for _, s := range tt.bad {
			if tt.f(s) {
				t.Errorf("%s(%q) = true, want false", tt.name, s)
			}
		}
	}
	long := make([]byte, 100)
	for i := range long {
		long[i] = 'a'
	}
	if !Objet(string(long)) || Objet(string(long)+"a") {
		t.Error("Objet: 100 characters at most")
	}
}
