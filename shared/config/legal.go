package config

import (
	"errors"
	"fmt"
	"net/mail"
	"os"
	"slices"
	"strconv"

	"github.com/preau/preau/shared/retention"
)

// Legal is what the public pages owe about the commune: who publishes the portal, who hosts
// it, whom to ask about personal data and accessibility. template.yaml's parameters set them
// (the Portal function's environment).
type Legal struct {
	Address             string // the mairie's postal address
	Phone               string // the mairie's telephone ("" when not published)
	Siret               string // 14 digits
	PublicationDirector string // "Mme Anne Dupont, maire de Laigneville"
	DPOEmail            string // the data protection officer's address
	Host                string // the host's name and address (Amazon Web Services EMEA SARL, …)
	// AccessibilityStatus is the RGAA conformity: "non conforme", "partiellement conforme" or
	// "totalement conforme"; only an audit allows more than "non conforme".
	AccessibilityStatus string
	// AccessibilityAudit describes the audit behind the status ("" when there was none).
	AccessibilityAudit string
}

// AccessibilityStatuses are the three statuses the RGAA allows.
var AccessibilityStatuses = []string{"non conforme", "partiellement conforme", "totalement conforme"}

// LegalFromEnv reads the commune's legal details; every problem is reported at once.
func LegalFromEnv() (Legal, error) {
	var errs []error
	need := func(name string) string {
		v := os.Getenv(name)
		if v == "" {
			errs = append(errs, fmt.Errorf("%s is not set", name))
		}
		return v
	}
	l := Legal{
		Address:             need("COMMUNE_ADDRESS"),
		Phone:               os.Getenv("COMMUNE_PHONE"),
		Siret:               need("COMMUNE_SIRET"),
		PublicationDirector: need("PUBLICATION_DIRECTOR"),
		DPOEmail:            need("DPO_EMAIL"),
		Host:                need("HOST_DETAILS"),
		AccessibilityStatus: need("ACCESSIBILITY_STATUS"),
		AccessibilityAudit:  os.Getenv("ACCESSIBILITY_AUDIT"),
	}
	if l.Siret != "" && !siret(l.Siret) {
		errs = append(errs, fmt.Errorf("COMMUNE_SIRET=%q is not 14 digits", l.Siret))
	}
	if l.DPOEmail != "" {
		if a, err := mail.ParseAddress(l.DPOEmail); err != nil || a.Address != l.DPOEmail {
			errs = append(errs, fmt.Errorf("DPO_EMAIL=%q is not an e-mail address", l.DPOEmail))
		}
	}
	if l.AccessibilityStatus != "" && !slices.Contains(AccessibilityStatuses, l.AccessibilityStatus) {
		errs = append(errs, fmt.Errorf("ACCESSIBILITY_STATUS=%q is not one of %q", l.AccessibilityStatus, AccessibilityStatuses))
	}
	if l.AccessibilityStatus != "" && l.AccessibilityStatus != AccessibilityStatuses[0] && l.AccessibilityAudit == "" {
		errs = append(errs, errors.New("ACCESSIBILITY_STATUS above \"non conforme\" needs ACCESSIBILITY_AUDIT (who audited, when)"))
	}
	if err := errors.Join(errs...); err != nil {
		return Legal{}, fmt.Errorf("configuration: %w", err)
	}
	return l, nil
}

func siret(s string) bool {
	if len(s) != 14 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// RetentionFromEnv reads how long records are kept (retention.Default's values when a
// variable is unset) and the log retention the stack gave CloudWatch, for the privacy notice.
func RetentionFromEnv() (retention.Policy, int, error) {
	var errs []error
	num := func(name string, def int) int {
		v := os.Getenv(name)
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q is not a whole number", name, v))
		}
		return n
	}
	d := retention.Default()
	p := retention.Policy{
		InactiveMonths:  num("RETENTION_INACTIVE_MONTHS", d.InactiveMonths),
		NoticeDays:      num("RETENTION_NOTICE_DAYS", d.NoticeDays),
		UnconfirmedDays: num("RETENTION_UNCONFIRMED_DAYS", d.UnconfirmedDays),
		RecordsYears:    num("RETENTION_RECORDS_YEARS", d.RecordsYears),
		MessagesMonths:  num("RETENTION_MESSAGES_MONTHS", d.MessagesMonths),
	}
	logDays := num("LOG_RETENTION_DAYS", 180)
	if len(errs) == 0 {
		if err := p.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("retention: %w", err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return retention.Policy{}, 0, fmt.Errorf("configuration: %w", err)
	}
	return p, logDays, nil
}
