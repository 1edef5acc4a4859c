package accounts

import (
	"context"
	"fmt"
	"time"
)

// MaxMessagesPerAddress bounds the public forms other than sign-up ("Nous contacter") that one
// client address sends in an hour.
const MaxMessagesPerAddress = 10

var messagesPerAddress = limit{"message-address", MaxMessagesPerAddress, time.Hour}

// HumanStore is what the check needs: spending proofs and counting attempts.
type HumanStore interface {
	ProofSpender
	AttemptTaker
}

// HumanCheck is sign-up's anti-robot check for the other public forms ("Nous contacter"): the
// same signed challenge (proof of work, or the question without JavaScript), spent once, its
// answers limited per address, after a limit of MaxMessagesPerAddress forms per client address.
type HumanCheck struct {
	Config
	Store HumanStore
}

// Check refuses a robot with a field error on "antiRobot" (or a throttle refusal), and returns
// nil for a person.
func (h *HumanCheck) Check(ctx context.Context, challenge, solution, answer, clientAddr string, now time.Time) error {
	addr, err := h.addressKey(ctx, clientAddr)
	if err != nil {
		return err
	}
	if err := messagesPerAddress.enforce(ctx, h.Store, addr, now,
		"Trop de messages envoyés depuis votre connexion."); err != nil {
		return err
	}
	if h.AntiRobot == nil {
		return nil
	}
	reason, err := h.checkProof(ctx, h.Store, Proof{Challenge: challenge, Solution: solution, Answer: answer}, clientAddr, now)
	if err != nil {
		return fmt.Errorf("anti-robot: %w", err)
	}
	if reason != "" {
		return fieldErr("antiRobot", reason)
	}
	return nil
}
