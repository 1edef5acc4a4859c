// Package totp is the second factor of staff logins: TOTP (RFC 6238) as every authenticator
// app reads it, SHA-1, 6 digits, 30 s, one step of drift either way (the rules around it are
// in shared/staff).
//
// It is a package of its own so that only the Gestion function (which gives an Authenticator
// to staff.Service in its main.go) links the authenticator library and its QR code encoder:
// every function imports shared/staff through the store.
package totp

import (
	"crypto/subtle"
	"fmt"
	"net/url"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// The TOTP parameters every authenticator app reads (RFC 6238 defaults).
var opts = totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Authenticator draws and checks TOTP secrets; it satisfies staff.TOTP.
type Authenticator struct{}

// NewSecret draws a new second-factor secret (base32, 160 bits).
func (Authenticator) NewSecret(issuer, email string) (string, error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: email, Period: 30,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1, SecretSize: 20})
	if err != nil {
		return "", fmt.Errorf("totp secret: %w", err)
	}
	return k.Secret(), nil
}

// Match returns the time step (of now-1, now, now+1) whose code is code, or 0.
func (Authenticator) Match(secret, code string, now time.Time) int64 {
	if len(code) != 6 {
		return 0
	}
	step := now.Unix() / 30
	for _, s := range []int64{step - 1, step, step + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*30, 0), opts)
		if err != nil {
			return 0
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s
		}
	}
	return 0
}

// EnrolmentKey is what the QR code of an enrolment carries (an otpauth:// URL).
func EnrolmentKey(issuer, email, secret string) (*otp.Key, error) {
	k, err := otp.NewKeyFromURL(fmt.Sprintf("otpauth://totp/%s:%s?algorithm=SHA1&digits=6&issuer=%s&period=30&secret=%s",
		url.PathEscape(issuer), url.PathEscape(email), url.QueryEscape(issuer), secret))
	if err != nil {
		return nil, fmt.Errorf("totp key: %w", err)
	}
	return k, nil
}

// CodeAt returns the code of secret at t (tests, and the demo's documentation).
func CodeAt(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, opts)
}
