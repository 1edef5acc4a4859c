package retention

import (
	"testing"
	"time"

	"github.com/preau/preau/shared/date"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDecide(t *testing.T) {
	p := Default()
	confirmed := Account{CreatedAt: at("2023-01-09T10:00:00+01:00"), ConfirmedAt: at("2023-01-09T10:05:00+01:00")}
	loggedIn := confirmed
	loggedIn.LastLoginAt = at("2024-03-01T08:00:00+01:00")
	warned := confirmed
	warned.WarnedAt = at("2026-01-09T10:05:00+01:00")
	cameBack := warned
	cameBack.LastLoginAt = at("2026-01-20T19:00:00+01:00")
	unconfirmed := Account{CreatedAt: at("2026-11-01T12:00:00+01:00")}

	tests := []struct {
		name string
		a    Account
		now  string
		want Action
	}{
		{"used recently", loggedIn, "2026-12-01T00:00:00+01:00", Keep},
		{"one second before 3 years", confirmed, "2026-01-09T10:04:59+01:00", Keep},
		{"3 years after confirmation: warned", confirmed, "2026-01-09T10:05:00+01:00", Warn},
		{"a sign-in moves the 3 years", loggedIn, "2027-03-01T07:59:59+01:00", Keep},
		{"3 years after the last sign-in", loggedIn, "2027-03-01T08:00:00+01:00", Warn},
		{"warned, one second before the notice ends", warned, "2026-02-08T10:04:59+01:00", Keep},
		{"warned, notice over: deleted", warned, "2026-02-08T10:05:00+01:00", Delete},
		{"came back after the warning: kept", cameBack, "2026-12-01T00:00:00+01:00", Keep},
		{"came back, then away 3 more years: warned afresh", cameBack, "2029-01-20T19:00:00+01:00", Warn},
		{"unconfirmed, 29 days", unconfirmed, "2026-11-30T11:59:59+01:00", Keep},
		{"unconfirmed, 30 days: deleted without warning", unconfirmed, "2026-12-01T12:00:00+01:00", Delete},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.Decide(tt.a, at(tt.now)); got != tt.want {
				t.Errorf("Decide at %s = %v, want %v", tt.now, got, tt.want)
			}
		})
	}
}

func TestRecordsKeptFrom(t *testing.T) {
	if got := Default().RecordsKeptFrom(date.MustParse("2026-12-01")); got != date.MustParse("2016-01-01") {
		t.Errorf("RecordsKeptFrom(2026-12-01) = %s, want 2016-01-01", got)
	}
}

func TestValidate(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []Policy{{11, 30, 30, 10, 12}, {36, 6, 30, 10, 12}, {36, 30, 1, 10, 12}, {36, 30, 30, 0, 12}, {36, 30, 30, 10, 0}, {36, 30, 30, 10, 121}} {
		if p.Validate() == nil {
			t.Errorf("%+v accepted", p)
		}
	}
}
