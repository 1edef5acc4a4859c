package export_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/infra/demo"
	"github.com/preau/preau/infra/dynamotest"
	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/export"
	"github.com/preau/preau/shared/messages"
	"github.com/preau/preau/shared/reminders"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/store"
)

var now = time.Date(2026, 12, 1, 9, 0, 0, 0, date.Paris)

// Every demo family has a parent who booked each child's canteen on Thursday 10 December 2026:
// the children of a school share one day item, so an export that leaked other entries of it
// would show another family's child.
func TestEachDemoFamilyGetsItsOwnDataOnly(t *testing.T) {
	env := dynamotest.New(t)
	st := store.New(env.Client, store.Tables{Data: env.DataTable, Session: env.SessionTable})
	ctx := context.Background()
	if err := demo.Load(ctx, st, now); err != nil {
		t.Fatal(err)
	}
	day := date.New(2026, time.December, 10)
	parents := make([]string, len(demo.Families))
	for i, f := range demo.Families {
		email := "parent." + f.ID + "@exemple.fr"
		parents[i] = email
		if err := st.CreateAccount(ctx, accounts.Account{Email: email, Civility: "Mme", LastName: f.Children[0].LastName,
			FirstName: "Parent" + f.ID, PasswordHash: "x", CreatedAt: now.AddDate(0, -3, 0), ConfirmedAt: now.AddDate(0, -3, 0),
			FamilyID: f.ID, SessionStamp: "s"}); err != nil {
			t.Fatal(err)
		}
		if err := st.AddMember(ctx, f.ID, email, now); err != nil {
			t.Fatal(err)
		}
		inv := billing.Invoice{Number: fmt.Sprintf("2026%06d", i+101), FamilyID: f.ID, FamilyName: f.Name,
			Month: date.New(2026, time.November, 1), TotalCents: 250, IssuedOn: date.New(2026, time.December, 1), DueOn: date.New(2026, time.December, 31),
			Lines: []billing.Line{{ChildID: f.Children[0].ID, ChildName: f.Children[0].FirstName, Activity: calendar.Canteen,
				Site: demo.SiteOf(f.Children[0].Child, calendar.Canteen), Days: 1, UnitCents: 250, AmountCents: 250}}}
		if _, err := st.PutInvoice(ctx, inv); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if _, _, err := st.ApplyPayment(ctx, f.ID, inv.Number, billing.Payment{IDOp: "op-martin-1", AmountCents: 250, At: now}); err != nil {
				t.Fatal(err)
			}
		}
		// Each parent wrote to the town hall while signed in, and was answered; the first chose
		// their reminders.
		th := messages.Thread{ID: fmt.Sprintf("%016x", i+1), Subject: "Question de la " + f.Name, Name: "Parent" + f.ID, Email: email,
			Account: email, FamilyID: f.ID, CreatedAt: now, UpdatedAt: now,
			Messages: []messages.Message{{ID: "a000000000000001", At: now, Author: "Parent" + f.ID, Body: "Message de la " + f.Name}}}
		if err := st.CreateThread(ctx, th); err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.AddMessage(ctx, th.ID, messages.Message{ID: "b000000000000001", At: now.Add(time.Hour), Staff: true,
			Author: "agent@mairie.fr", Body: "Réponse à la " + f.Name}, messages.MaxMessages); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if err := st.SetReminderPreferences(ctx, email, reminders.Preferences{Enabled: true, Activities: []calendar.Activity{calendar.Canteen},
				Weekdays: []time.Weekday{time.Monday, time.Thursday}, WeeklySummary: true}); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range f.Children {
			sl := reservations.Slot{Activity: calendar.Canteen, Site: demo.SiteOf(c.Child, calendar.Canteen), Day: day}
			if _, err := st.BookDay(ctx, sl, c.ID, 120, reservations.Change{Who: email, At: now, Channel: reservations.ChannelWeb,
				Action: reservations.ActionBook, ChildID: c.ID}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// An account with no family sees only itself.
	loner := "seul@exemple.fr"
	if err := st.CreateAccount(ctx, accounts.Account{Email: loner, Civility: "M", LastName: "Seul", FirstName: "Sam",
		PasswordHash: "x", CreatedAt: now, ConfirmedAt: now, SessionStamp: "s"}); err != nil {
		t.Fatal(err)
	}

	svc := export.NewService("Laigneville", st)
	for i, f := range demo.Families {
		t.Run(f.Name, func(t *testing.T) {
			ex, err := svc.Gather(ctx, parents[i], now)
			if err != nil {
				t.Fatal(err)
			}
			js, err := ex.JSON()
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Account        struct{ Email string }
				Family         struct{ Name, SubscriberCode string }
				Children       []struct{ ID string }
				Enrolments     []struct{ ChildID string }
				Bookings       []struct{ Day, ChildID, BookedBy string }
				BookingHistory []struct{ Day, ChildID, Action, By string }
				Invoices       []struct {
					Number string
					Lines  []struct{ ChildID string }
				}
				Payments []struct{ IDOp string }
				Messages []struct {
					Thread, Subject, From, Body string
				}
				ReminderPreferences struct {
					Enabled       bool
					Activities    []string
					Weekdays      []string
					WeeklySummary bool
				}
			}
			if err := json.Unmarshal(js, &doc); err != nil {
				t.Fatalf("JSON: %v\n%s", err, js)
			}
			enrolments := 0
			for _, c := range f.Children {
				enrolments += len(c.Activities)
			}
			// The demo's own bookings and invoice (Famille Martin's November) are the family's too;
			// the test's are those of 10 December and its invoice numbered from 2026000101.
			own := map[string]bool{}
			for _, c := range f.Children {
				own[c.ID] = true
			}
			booked, changed := 0, 0
			for _, b := range doc.Bookings {
				if b.Day == "2026-12-10" {
					booked++
				}
			}
			for _, c := range doc.BookingHistory {
				if c.Day == "2026-12-10" {
					changed++
				}
			}
			if doc.Account.Email != parents[i] || doc.Family.Name != f.Name || len(doc.Children) != len(f.Children) ||
				len(doc.Enrolments) != enrolments || booked != len(f.Children) || changed != len(f.Children) {
				t.Errorf("export of %s: account %s, family %q, %d children, %d enrolments, %d bookings, %d changes; want %d children, %d enrolments, one booking and one change each\n%s",
					f.Name, doc.Account.Email, doc.Family.Name, len(doc.Children), enrolments, len(doc.Bookings), len(doc.BookingHistory),
					len(f.Children), enrolments, js)
			}
			found := false
			for _, inv := range doc.Invoices {
				for _, l := range inv.Lines {
					if !own[l.ChildID] {
						t.Errorf("invoice %s bills another family's child %s", inv.Number, l.ChildID)
					}
				}
				if inv.Number == fmt.Sprintf("2026%06d", i+101) {
					found = len(inv.Lines) == 1 && inv.Lines[0].ChildID == f.Children[0].ID
				}
			}
			if !found {
				t.Errorf("invoices %+v, want the family's own among them", doc.Invoices)
			}
			if wantPay := map[bool]int{true: 1, false: 0}[i == 0]; len(doc.Payments) != wantPay {
				t.Errorf("payments %+v, want %d", doc.Payments, wantPay)
			}
			// Messages: the parent's own thread, question and answer, and nobody else's.
			if len(doc.Messages) != 2 || doc.Messages[0].Body != "Message de la "+f.Name || doc.Messages[0].From != "vous" ||
				doc.Messages[1].Body != "Réponse à la "+f.Name || doc.Messages[1].From != "mairie" {
				t.Errorf("messages = %+v, want the family's own question and answer", doc.Messages)
			}
			for _, other := range demo.Families {
				if other.ID != f.ID && strings.Contains(string(js), "la "+other.Name) {
					t.Errorf("the export of %s carries a message of %s", f.Name, other.Name)
				}
			}
			prefs := doc.ReminderPreferences
			if i == 0 && (!prefs.Enabled || !prefs.WeeklySummary || strings.Join(prefs.Activities, ",") != "cantine" ||
				strings.Join(prefs.Weekdays, ",") != "monday,thursday") {
				t.Errorf("reminder preferences = %+v, want the ones chosen", prefs)
			}
			if i > 0 && (!prefs.Enabled || prefs.WeeklySummary) {
				t.Errorf("reminder preferences = %+v, want the defaults (never chosen)", prefs)
			}
			if !strings.Contains(string(csv0(t, ex)), "Messages à la mairie\r\nObjet;Date;De;Message") ||
				!strings.Contains(string(csv0(t, ex)), "Rappels par e-mail\r\n") {
				t.Error("CSV has no messages or reminders block")
			}
			if !strings.Contains(string(csv0(t, ex)), "Factures\r\nNuméro;Mois") {
				t.Error("CSV has no invoices block")
			}
			for _, b := range doc.Bookings {
				if !own[b.ChildID] || (b.Day == "2026-12-10" && b.BookedBy != parents[i]) {
					t.Errorf("booking %+v", b)
				}
			}
			if code := f.SubscriberCode; doc.Family.SubscriberCode != code[:len(code)-9]+"****-"+code[len(code)-4:] {
				t.Errorf("subscriber code %q, want it masked but its last four", doc.Family.SubscriberCode)
			}
			csv, err := ex.CSV()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(csv), "\ufeff") || !strings.Contains(string(csv), "Réservations\r\nJour;Enfant;Activité;Site") {
				t.Errorf("CSV is not UTF-8 with BOM and ';' sections:\n%.400s", csv)
			}
			for _, c := range f.Children {
				if !strings.Contains(string(csv), "2026-12-10;"+c.FirstName+";Restauration scolaire") {
					t.Errorf("CSV lacks %s's booking:\n%s", c.FirstName, csv)
				}
			}
			for j, other := range demo.Families {
				if j == i {
					continue
				}
				for _, out := range []string{string(js), string(csv)} {
					for _, leak := range append(foreign(other, parents[j]), fmt.Sprintf("2026%06d", j+1)) {
						if strings.Contains(out, leak) {
							t.Errorf("the export of %s holds %q of %s", f.Name, leak, other.Name)
						}
					}
				}
			}
		})
	}
	t.Run("an account without family", func(t *testing.T) {
		ex, err := svc.Gather(ctx, loner, now)
		if err != nil {
			t.Fatal(err)
		}
		js, _ := ex.JSON()
		for _, f := range demo.Families {
			for _, leak := range foreign(f, parents[0]) {
				if strings.Contains(string(js), leak) {
					t.Errorf("holds %q", leak)
				}
			}
		}
		if !strings.Contains(string(js), loner) || !strings.Contains(string(js), `"family": null`) {
			t.Errorf("export:\n%s", js)
		}
	})
	t.Run("a deleted account", func(t *testing.T) {
		if _, err := svc.Gather(ctx, "inconnu@exemple.fr", now); err != export.ErrNoAccount {
			t.Errorf("err = %v, want ErrNoAccount", err)
		}
	})
}

func csv0(t *testing.T, ex export.Export) []byte {
	t.Helper()
	b, err := ex.CSV()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// foreign is what must never appear in another family's export: the family's name and code
// (whole, or its random part), its children's names and ids, its parent's e-mail, its payments.
func foreign(f demo.Family, parent string) []string {
	code := f.SubscriberCode
	out := []string{f.Name, code, code[len(code)-9:], parent}
	if f.ID == demo.Families[0].ID {
		out = append(out, "op-martin-1") // its payment
	}
	for _, c := range f.Children {
		out = append(out, c.ID, c.LastName)
		if !strings.Contains("Jules Ferry", c.FirstName) {
			out = append(out, c.FirstName)
		}
	}
	return out
}
