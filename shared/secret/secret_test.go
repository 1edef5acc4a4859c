package secret_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/secret"
)

var key = []byte(strings.Repeat("k", secret.MinLength))

func TestFixed(t *testing.T) {
	got, err := secret.Fixed(key).Bytes(context.Background())
	if err != nil || string(got) != string(key) {
		t.Fatalf("key %q, err %v", got, err)
	}
	if err := secret.Fixed(key).Wait(); err != nil {
		t.Fatal(err)
	}
}

// No use ever gets an empty or short key: a missing key, a short one, a failed read are all
// ErrUnavailable, a 503 refusal without its cause.
func TestNeverAnEmptyKey(t *testing.T) {
	for name, k := range map[string]*secret.Key{
		"nil":        nil,
		"zero value": {},
		"empty":      secret.Fixed(nil),
		"short":      secret.Fixed(key[1:]),
		"short read": secret.Load(func() ([]byte, error) { return key[1:], nil }),
		"failed":     secret.Load(func() ([]byte, error) { return key, errors.New("ssm: GetParameter: AccessDeniedException") }),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := k.Bytes(context.Background())
			if got != nil || !errors.Is(err, secret.ErrUnavailable) {
				t.Fatalf("key %q, err %v", got, err)
			}
			if f, ok := fault.As(err); !ok || f.Kind != fault.Unavailable || f.Type != "service-unavailable" {
				t.Fatalf("refusal %+v", f)
			}
			if k.Wait() == nil {
				t.Fatal("Wait says the key is usable")
			}
		})
	}
}

// A use before the read ends waits for it, up to its context's end; any number of first uses
// at once get the key of the one read.
func TestLoadWaits(t *testing.T) {
	release := make(chan struct{})
	var reads sync.WaitGroup
	reads.Add(1)
	k := secret.Load(func() ([]byte, error) { defer reads.Done(); <-release; return key, nil })

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if got, err := k.Bytes(ctx); got != nil || !errors.Is(err, secret.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("before the read: key %q, err %v", got, err)
	}
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			if got, err := k.Bytes(context.Background()); err != nil || string(got) != string(key) {
				t.Errorf("key %q, err %v", got, err)
			}
		})
	}
	close(release)
	wg.Wait()
	reads.Wait()
	// Once read, even an ended context has it: the wait is the only thing it bounds.
	ended, stop := context.WithCancel(context.Background())
	stop()
	if got, err := k.Bytes(ended); err != nil || string(got) != string(key) {
		t.Fatalf("after the read, ended context: key %q, err %v", got, err)
	}
}
