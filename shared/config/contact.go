package config

import (
	"fmt"
	"net/mail"
	"os"
)

// ContactFromEnv reads CONTACT_EMAIL, the town hall's address that is told of each message
// parents send through "Nous contacter".
func ContactFromEnv() (string, error) {
	v := os.Getenv("CONTACT_EMAIL")
	if a, err := mail.ParseAddress(v); err != nil || a.Address != v {
		return "", fmt.Errorf("configuration: CONTACT_EMAIL=%q: want the town hall's address that receives the parents' messages", v)
	}
	return v, nil
}
