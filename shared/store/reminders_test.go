package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/reminders"
	"github.com/preau/preau/shared/reminders/reminderstest"
	"github.com/preau/preau/shared/reservations"
)

// TestRemindersContract runs the reminders stores' contract against DynamoDB (the emulator).
func TestRemindersContract(t *testing.T) {
	reminderstest.Contract(t, func(t *testing.T) reminderstest.Subject {
		st := newStore(t)
		ctx := context.Background()
		return reminderstest.Subject{Repo: st,
			PutHousehold: func(t *testing.T, h reminders.Household) {
				must(t, st.PutFamily(ctx, h.Family))
				for _, c := range h.Children {
					must(t, st.PutChild(ctx, c))
				}
				for _, e := range h.Enrolments {
					must(t, st.PutEnrolment(ctx, h.Family.ID, e))
				}
				for _, m := range h.Members {
					must(t, st.AddMember(ctx, h.Family.ID, m, time.Now()))
				}
			},
			PutAccount: func(t *testing.T, a reminderstest.Account) {
				civility, last, _ := strings.Cut(a.Greeting, " ")
				acc := accounts.Account{Email: a.Email, Civility: strings.TrimSuffix(civility, "."), LastName: last, FirstName: "X",
					CreatedAt: time.Now(), FamilyID: a.FamilyID, SessionStamp: "s"}
				if a.Confirmed {
					acc.ConfirmedAt = time.Now()
				}
				must(t, st.CreateAccount(ctx, acc))
			},
			Book: func(t *testing.T, s reservations.Slot, child string) {
				_, err := st.BookDay(ctx, s, child, 0, change(child, reservations.ActionBook))
				must(t, err)
			},
		}
	})
}

func TestDeletingAnAccountForgetsItsReminderChoices(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	must(t, st.CreateAccount(ctx, accounts.Account{Email: "gone@example.fr", Civility: "M", LastName: "Parti", SessionStamp: "s"}))
	must(t, st.SetReminderPreferences(ctx, "gone@example.fr", reminders.Preferences{WeeklySummary: true}))
	must(t, st.DeleteAccount(ctx, "gone@example.fr"))
	if subs, err := st.SummarySubscribers(ctx); err != nil || len(subs) != 0 {
		t.Errorf("after deletion, subscribers %v (%v)", subs, err)
	}
	if _, err := st.ReminderParent(ctx, "gone@example.fr"); err != reminders.ErrNoParent {
		t.Errorf("after deletion: %v, want ErrNoParent", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
