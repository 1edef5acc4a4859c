// Package fields holds PayFiP's rules for the fields of a payment request, in one place for the
// client that sends them (shared/payfip) and for the configuration that names the régie's
// client number and mode (shared/config). It imports nothing, so reading the configuration
// costs no part of PayFiP's client, and nothing is compiled at start-up.
package fields

// NumCli reports whether s is a régie's PayFiP client number: 6 digits.
func NumCli(s string) bool { return len(s) == 6 && all(s, digit) }

// Saisie reports whether s is a PayFiP mode: T (test), X (activation) or W (production).
func Saisie(s string) bool { return s == "T" || s == "X" || s == "W" }

// RefDet reports whether s is a debt reference PayFiP accepts: 6 to 30 ASCII letters or digits.
func RefDet(s string) bool { return len(s) >= 6 && len(s) <= 30 && all(s, alnum) }

// Objet reports whether s is a payment's object PayFiP accepts: up to 100 ASCII letters,
// digits or spaces.
func Objet(s string) bool {
	return len(s) <= 100 && all(s, func(c byte) bool { return alnum(c) || c == ' ' })
}

func all(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func digit(c byte) bool { return '0' <= c && c <= '9' }

func alnum(c byte) bool { return digit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }
