package reminders

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// unsubscribePurpose separates these signatures from every other use of the secret key.
const unsubscribePurpose = "preau/reminders/unsubscribe\n"

// UnsubscribeToken is the signed token of a parent's one-click unsubscribe link: the address and
// an HMAC-SHA256 of it under the commune's secret key. It works without logging in and only for
// that parent: without the key, no token can be made for another address.
func UnsubscribeToken(secret []byte, email string) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(email)) + "." + enc.EncodeToString(unsubscribeMAC(secret, email))
}

// VerifyUnsubscribe returns the address a token was made for, ok false when the token was not
// made with secret (forged, altered, or cut).
func VerifyUnsubscribe(secret []byte, token string) (email string, ok bool) {
	enc := base64.RawURLEncoding
	addr, sig, found := strings.Cut(token, ".")
	if !found || len(token) > 1024 {
		return "", false
	}
	a, err := enc.DecodeString(addr)
	if err != nil || len(a) == 0 {
		return "", false
	}
	mac, err := enc.DecodeString(sig)
	if err != nil || !hmac.Equal(mac, unsubscribeMAC(secret, string(a))) {
		return "", false
	}
	return string(a), true
}

func unsubscribeMAC(secret []byte, email string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(unsubscribePurpose))
	m.Write([]byte(email))
	return m.Sum(nil)
}
