// Package secret holds the functions' secret HMAC key, which signs the anti-robot challenges,
// the unsubscribe links and the calendar feed tokens, keys the client-address hashes of
// throttles and derives the key sealing staff second factors.
//
// Deployed, the key is read from SSM Parameter Store, a network call a cold start should not
// wait for: Load starts the read at once in the background and returns a Key at once, so the
// read overlaps the rest of the start-up and the runtime's first poll. Every use goes through
// Bytes, which waits for the read if it is still under way (bounded by the request's
// context) and hands out the key only once it is read and checked: no caller ever signs with
// an empty or partial key. A read that failed, or a wait the request's context ended, is
// ErrUnavailable, a 503 for the caller. The local stack and tests have their key at once
// (Fixed).
package secret

import (
	"context"
	"errors"
	"fmt"

	"github.com/preau/preau/shared/fault"
)

// MinLength is the shortest key accepted, in bytes.
const MinLength = 32

// ErrUnavailable is a request that needs the key while it cannot be had: its read failed, or
// the request ended while waiting for it. Callers see a 503 without the cause.
var ErrUnavailable = fault.New(fault.Unavailable, "service-unavailable", "Service momentanément indisponible",
	"Le service est momentanément indisponible. Veuillez réessayer dans quelques instants.")

// Key is the secret key, read once. Its zero value and a nil *Key hold no key: every use fails.
// It is safe for concurrent use: any number of first uses wait for the same read.
type Key struct {
	done chan struct{} // closed once b and err are set, never written again
	b    []byte
	err  error
}

// Fixed returns a key known at once. A key shorter than MinLength fails every use.
func Fixed(b []byte) *Key {
	k := &Key{done: make(chan struct{})}
	k.b, k.err = check(b, nil)
	close(k.done)
	return k
}

// Load starts read in the background and returns the key it will hold. read runs once; its
// error, or a key shorter than MinLength, fails every use.
func Load(read func() ([]byte, error)) *Key {
	k := &Key{done: make(chan struct{})}
	go func() {
		defer close(k.done)
		k.b, k.err = check(read())
	}()
	return k
}

func check(b []byte, err error) ([]byte, error) {
	switch {
	case err != nil:
		return nil, err
	case len(b) < MinLength:
		return nil, fmt.Errorf("secret key: shorter than %d bytes", MinLength)
	}
	return b, nil
}

// Bytes returns the key, waiting for its read until ctx ends. The error wraps ErrUnavailable
// and the cause (never the key). The caller must not modify the bytes.
func (k *Key) Bytes(ctx context.Context) ([]byte, error) {
	if k == nil || k.done == nil {
		return nil, fmt.Errorf("%w: no secret key", ErrUnavailable)
	}
	select {
	case <-k.done:
	default:
		select {
		case <-k.done:
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: waiting for the secret key: %w", ErrUnavailable, ctx.Err())
		}
	}
	if k.err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, k.err)
	}
	return k.b, nil
}

// Wait blocks until the key is read and returns why it cannot be used, nil when it can: a
// function's start-up watches it to exit loudly on a bad configuration (lambdaapp).
func (k *Key) Wait() error {
	if k == nil || k.done == nil {
		return errors.New("no secret key")
	}
	<-k.done
	return k.err
}
