package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/preau/preau/shared/awscall"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/cutoff"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/mail"
	"github.com/preau/preau/shared/reminders"
	"github.com/preau/preau/shared/reminders/reminderstest"
	"github.com/preau/preau/shared/reservations"
	"github.com/preau/preau/shared/secret"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

type sent struct {
	to, name string
	r        mail.Reminder
	s        mail.WeeklySummary
}

type mailbox struct {
	mu  sync.Mutex
	all []sent
}

func (m *mailbox) SendReminder(_ context.Context, to, name string, r mail.Reminder) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.all = append(m.all, sent{to: to, name: name, r: r})
	return nil
}

func (m *mailbox) SendWeeklySummary(_ context.Context, to, name string, s mail.WeeklySummary) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.all = append(m.all, sent{to: to, name: name, s: s})
	return nil
}

type continuations struct{ events []Event }

func (c *continuations) Continue(_ context.Context, e Event) error {
	c.events = append(c.events, e)
	return nil
}

// martin is the demo family: Léa and Hugo at the canteen of École Jules Ferry, bracket B.
func martin(t *testing.T, clk clock.Clock) (*reminderstest.Store, *mailbox, *continuations, func(context.Context, json.RawMessage) error) {
	t.Helper()
	st := reminderstest.New()
	sept := date.MustParse("2026-09-01")
	st.PutActivity(family.Activity{Activity: calendar.Canteen, Site: "jules-ferry", PriceCents: map[string]int64{"B": 250}})
	st.PutHousehold(reminders.Household{Family: family.Family{ID: "f_martin", QuotientBracket: "B"},
		Children: []family.Child{{ID: "c_lea", FirstName: "Léa"}, {ID: "c_hugo", FirstName: "Hugo"}},
		Enrolments: []family.Enrolment{{ChildID: "c_lea", Activity: calendar.Canteen, Site: "jules-ferry", From: sept},
			{ChildID: "c_hugo", Activity: calendar.Canteen, Site: "jules-ferry", From: sept}},
		Members: []string{"parent@demo.preau.fr"}})
	st.PutAccount(reminderstest.Account{Email: "parent@demo.preau.fr", Greeting: "Mme Martin", FamilyID: "f_martin", Confirmed: true})
	st.Book(reservations.Slot{Activity: calendar.Canteen, Site: "jules-ferry", Day: date.MustParse("2026-12-07")}, "c_lea")
	box, cont := &mailbox{}, &continuations{}
	job, err := New(Deps{Clock: clk, Continuer: cont, Runner: &reminders.Runner{
		Repo:      st,
		Deadlines: reservations.New(st, clk, calendar.Default(), cutoff.DefaultPolicy(), reservations.Options{}),
		Notifier:  Notifier{Mailer: box, Link: func(p string) string { return "https://portail.example.fr" + p }},
		Secret:    secret.Fixed(testKey),
	}})
	if err != nil {
		t.Fatal(err)
	}
	return st, box, cont, job
}

func TestMorningRunRemindsInFrench(t *testing.T) {
	// Thursday 3 December, 07:00: Monday 7's meal closes at 10h00 today; Léa is booked, Hugo not.
	clk := clock.NewFixed(time.Date(2026, 12, 3, 7, 0, 0, 0, date.Paris))
	_, box, cont, job := martin(t, clk)
	if err := job(context.Background(), json.RawMessage(`{"job":"reminders"}`)); err != nil {
		t.Fatal(err)
	}
	if len(box.all) != 1 || len(cont.events) != 0 {
		t.Fatalf("%d e-mails, %d continuations; want 1 and 0", len(box.all), len(cont.events))
	}
	m := box.all[0]
	want := mail.ReminderLine{Child: "Hugo", Activity: "Restauration scolaire", Day: "lundi 7 décembre", Deadline: "avant aujourd'hui 10h00",
		Price: "2,50\u00a0€", Link: "https://portail.example.fr/espace-famille/planning?mois=2026-12#semaine-2026-12-07-c_hugo"}
	if m.to != "parent@demo.preau.fr" || m.name != "Mme Martin" || len(m.r.Lines) != 1 || m.r.Lines[0] != want {
		t.Fatalf("sent %+v\nwant line %+v", m, want)
	}
	if m.r.FirstDeadline != "avant aujourd'hui 10h00" || m.r.Preferences != "https://portail.example.fr/mon-espace/rappels" {
		t.Errorf("reminder %+v", m.r)
	}
	tok, ok := strings.CutPrefix(m.r.Unsubscribe, "https://portail.example.fr/rappels/desinscription/")
	if email, valid := reminders.VerifyUnsubscribe(testKey, tok); !ok || !valid || email != "parent@demo.preau.fr" {
		t.Errorf("unsubscribe link %q", m.r.Unsubscribe)
	}
	// The evening run the day before would have said "demain"; a retry now sends nothing.
	if err := job(context.Background(), json.RawMessage(`{"job":"reminders"}`)); err != nil || len(box.all) != 1 {
		t.Errorf("retry: %v, %d e-mails", err, len(box.all))
	}
}

func TestEveningRunSaysTomorrow(t *testing.T) {
	clk := clock.NewFixed(time.Date(2026, 12, 2, 18, 0, 0, 0, date.Paris))
	_, box, _, job := martin(t, clk)
	if err := job(context.Background(), json.RawMessage(`{"job":"reminders"}`)); err != nil {
		t.Fatal(err)
	}
	if len(box.all) != 1 || len(box.all[0].r.Lines) != 1 || box.all[0].r.Lines[0].Deadline != "avant demain 10h00" || box.all[0].r.FirstDeadline != "avant demain 10h00" {
		t.Fatalf("sent %+v", box.all)
	}
}

func TestWeeklySummaryJob(t *testing.T) {
	clk := clock.NewFixed(time.Date(2026, 12, 4, 18, 30, 0, 0, date.Paris))
	st, box, _, job := martin(t, clk)
	if err := st.SetReminderPreferences(context.Background(), "parent@demo.preau.fr", reminders.Preferences{WeeklySummary: true}); err != nil {
		t.Fatal(err)
	}
	if err := job(context.Background(), json.RawMessage(`{"job":"weekly-summary"}`)); err != nil {
		t.Fatal(err)
	}
	if len(box.all) != 1 {
		t.Fatalf("%d e-mails", len(box.all))
	}
	s := box.all[0].s
	if s.Week != "du lundi 7 décembre au dimanche 13 décembre" || len(s.Days) != 1 || s.Days[0].Day != "lundi 7 décembre" ||
		len(s.Days[0].Lines) != 1 || s.Days[0].Lines[0] != "Léa – Restauration scolaire" {
		t.Errorf("summary %+v", s)
	}
}

func TestUnknownJobFails(t *testing.T) {
	_, _, _, job := martin(t, clock.NewFixed(time.Now()))
	for _, ev := range []string{`{}`, `{"job":"nightly"}`, `not json`, `{"job":"reminders","at":"yesterday"}`} {
		if err := job(context.Background(), json.RawMessage(ev)); err == nil {
			t.Errorf("%s accepted", ev)
		}
	}
}

func TestRunOverItsBudgetContinues(t *testing.T) {
	clk := clock.NewFixed(time.Date(2026, 12, 3, 7, 0, 0, 0, date.Paris))
	_, box, cont, job := martin(t, clk)
	// An invocation with less time left than the margin: nothing is started, the run continues.
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(10*time.Second))
	defer cancel()
	if err := job(ctx, json.RawMessage(`{"job":"reminders"}`)); err != nil {
		t.Fatal(err)
	}
	if len(box.all) != 0 || len(cont.events) != 1 {
		t.Fatalf("%d e-mails, continuations %+v", len(box.all), cont.events)
	}
	next := cont.events[0]
	if next.Job != "reminders" || next.At != "2026-12-03T07:00:00+01:00" || next.Continuation != 1 {
		t.Errorf("continuation %+v", next)
	}
	// The continuation stands for the same instant even though the clock moved on.
	clk.Add(time.Hour)
	raw, _ := json.Marshal(next)
	if err := job(context.Background(), raw); err != nil {
		t.Fatal(err)
	}
	if len(box.all) != 1 || box.all[0].r.Lines[0].Deadline != "avant aujourd'hui 10h00" {
		t.Errorf("continuation sent %+v", box.all)
	}
	// A run that never finishes stops chaining.
	ctx2, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(10*time.Second))
	defer cancel2()
	last, _ := json.Marshal(Event{Job: "reminders", At: "2026-12-04T07:00:00+01:00", Continuation: MaxContinuations})
	if err := job(ctx2, last); err == nil {
		t.Error("the last allowed continuation, unfinished, must fail")
	}
}

// TestSelfInvokeIsAsynchronous: the continuation is one signed Invoke of this function with the
// Event invocation type and the event as its payload, made again when Lambda throttles it, and
// an error naming Lambda's refusal otherwise.
func TestSelfInvokeIsAsynchronous(t *testing.T) {
	t.Setenv("AWS_LAMBDA_FUNCTION_NAME", "preau-Reminder-x")
	for _, c := range []struct {
		name    string
		answers []int
		calls   int
		ok      bool
	}{
		{"queued", []int{202}, 1, true},
		{"throttled once", []int{429, 202}, 2, true},
		{"no such function", []int{404}, 1, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			calls := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if r.Method != http.MethodPost || r.URL.Path != "/2015-03-31/functions/preau-Reminder-x/invocations" ||
					r.Header.Get("X-Amz-Invocation-Type") != "Event" ||
					!strings.Contains(r.Header.Get("Authorization"), "/eu-west-3/lambda/aws4_request") ||
					string(body) != `{"job":"reminders","at":"2026-12-03T07:00:00+01:00","continuation":2}` {
					t.Errorf("%s %s %v %s", r.Method, r.URL, r.Header, body)
				}
				status := c.answers[min(calls, len(c.answers)-1)]
				calls++
				switch status {
				case 429:
					w.Header().Set("X-Amzn-ErrorType", "TooManyRequestsException")
				case 404:
					w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
				}
				w.WriteHeader(status)
			}))
			defer srv.Close()
			lambda := awscall.New(aws.Config{Region: "eu-west-3", BaseEndpoint: aws.String(srv.URL),
				Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "local", "")}, "lambda", time.Second)
			err := (SelfInvoke{Lambda: lambda}).Continue(context.Background(), Event{Job: "reminders", At: "2026-12-03T07:00:00+01:00", Continuation: 2})
			if (err == nil) != c.ok || calls != c.calls {
				t.Fatalf("%d calls, err %v", calls, err)
			}
			if !c.ok && !strings.Contains(err.Error(), "ResourceNotFoundException") {
				t.Errorf("err %v, want Lambda's error type", err)
			}
		})
	}
}

func TestSettings(t *testing.T) {
	t.Setenv("REMINDER_WINDOW_HOURS", "36")
	t.Setenv("SES_SEND_RATE", "14")
	s, err := settingsFromEnv()
	if err != nil || s.Window != 36*time.Hour || s.SendRate != 14 {
		t.Errorf("%+v, %v", s, err)
	}
	t.Setenv("SES_SEND_RATE", "vite")
	if _, err := settingsFromEnv(); err == nil {
		t.Error("bad rate accepted")
	}
}
