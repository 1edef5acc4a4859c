package messagestest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/messages"
)

var errRobot = func() error {
	var f fault.Fields
	f.Add("antiRobot", "Confirmez que vous n'êtes pas un robot.")
	return f.Err()
}()

// StoreContract is what every messages.Store must do; newStore returns an empty store.
func StoreContract(t *testing.T, newStore func(t *testing.T) messages.Store) {
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	thread := func(id, account string, created time.Time) messages.Thread {
		return messages.Thread{ID: id, Subject: "Cantine", Name: "Anne Martin", Email: "anne@example.org", Account: account,
			CreatedAt: created, UpdatedAt: created, Messages: []messages.Message{{ID: "a000000000000001", At: created, Author: "Anne Martin", Body: "Bonjour"}}}
	}
	t.Run("threads, pointers, order", func(t *testing.T) {
		s := newStore(t)
		for _, th := range []messages.Thread{
			thread("0000000000000001", "anne@example.org", at),
			thread("0000000000000002", "", at.Add(time.Minute)),
			thread("0000000000000003", "bruno@example.org", at.Add(2*time.Minute)),
			thread("0000000000000004", "anne@example.org", at.Add(3*time.Minute)),
		} {
			if err := s.CreateThread(ctx, th); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Thread(ctx, "00000000000000ff"); !errors.Is(err, messages.ErrNotFound) {
			t.Fatalf("absent thread: %v", err)
		}
		got, err := s.Thread(ctx, "0000000000000001")
		if err != nil || got.Subject != "Cantine" || got.Account != "anne@example.org" || len(got.Messages) != 1 ||
			got.Messages[0].Body != "Bonjour" || !got.CreatedAt.Equal(at) {
			t.Fatalf("thread = %+v, %v", got, err)
		}
		mine, err := s.AccountThreads(ctx, "anne@example.org")
		if err != nil || len(mine) != 2 || mine[0].ID != "0000000000000004" || mine[1].ID != "0000000000000001" {
			t.Fatalf("Anne's threads = %+v, %v", mine, err)
		}
		if none, _ := s.AccountThreads(ctx, "claire@example.org"); len(none) != 0 {
			t.Fatalf("a stranger's threads = %+v", none)
		}
		// An answer moves the thread to the top of the staff list.
		if _, added, err := s.AddMessage(ctx, "0000000000000001", messages.Message{ID: "b000000000000001", At: at.Add(time.Hour),
			Staff: true, Author: "agent@mairie.fr", Body: "Réponse"}, messages.MaxMessages); err != nil || !added {
			t.Fatalf("answer: %v, %v", added, err)
		}
		all, err := s.Threads(ctx)
		if err != nil || len(all) != 4 || all[0].ID != "0000000000000001" || !all[0].Answered() || all[1].ID != "0000000000000004" {
			t.Fatalf("all threads = %+v, %v", all, err)
		}
	})
	t.Run("a message added once, never past the limit", func(t *testing.T) {
		s := newStore(t)
		if err := s.CreateThread(ctx, thread("0000000000000001", "", at)); err != nil {
			t.Fatal(err)
		}
		m := messages.Message{ID: "c000000000000001", At: at.Add(time.Minute), Staff: true, Author: "agent@mairie.fr", Body: "Oui"}
		var wg sync.WaitGroup
		var added atomic.Int32
		for range 5 {
			wg.Go(func() {
				_, ok, err := s.AddMessage(ctx, "0000000000000001", m, 3)
				if err != nil {
					t.Error(err)
				}
				if ok {
					added.Add(1)
				}
			})
		}
		wg.Wait()
		if added.Load() != 1 {
			t.Fatalf("%d of 5 submits added, want 1", added.Load())
		}
		m.ID = "c000000000000002"
		if _, ok, err := s.AddMessage(ctx, "0000000000000001", m, 3); err != nil || !ok {
			t.Fatalf("third message: %v, %v", ok, err)
		}
		m.ID = "c000000000000003"
		if _, _, err := s.AddMessage(ctx, "0000000000000001", m, 3); !errors.Is(err, messages.ErrFull) {
			t.Fatalf("fourth message past a limit of 3: %v", err)
		}
		if _, _, err := s.AddMessage(ctx, "00000000000000ff", m, 3); !errors.Is(err, messages.ErrNotFound) {
			t.Fatalf("message to no thread: %v", err)
		}
	})
}
