package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// Settings are the Reminder function's own settings (template.yaml sets them).
type Settings struct {
	// Window is how far ahead deadlines are reminded: REMINDER_WINDOW_HOURS (default 24).
	Window time.Duration
	// SendRate is SES's maximum send rate, e-mails per second: SES_SEND_RATE (default 14).
	SendRate float64
}

// settingsFromEnv reads the settings; a bad value fails start-up naming it.
func settingsFromEnv() (Settings, error) {
	s := Settings{Window: 24 * time.Hour, SendRate: 14}
	var errs []error
	if v := os.Getenv("REMINDER_WINDOW_HOURS"); v != "" {
		h, err := strconv.Atoi(v)
		if err != nil || h < 1 || h > 7*24 {
			errs = append(errs, fmt.Errorf("REMINDER_WINDOW_HOURS=%q: want a whole number of hours from 1 to 168", v))
		}
		s.Window = time.Duration(h) * time.Hour
	}
	if v := os.Getenv("SES_SEND_RATE"); v != "" {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || r <= 0 || r > 1000 {
			errs = append(errs, fmt.Errorf("SES_SEND_RATE=%q: want e-mails per second, more than 0", v))
		}
		s.SendRate = r
	}
	if err := errors.Join(errs...); err != nil {
		return Settings{}, fmt.Errorf("configuration: %w", err)
	}
	return s, nil
}
