package accounts

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/secret"
)

func TestCheckPassword(t *testing.T) {
	cases := []struct {
		pw   string
		want string // substring of the refusal, "" = accepted
	}{
		{"", "Saisissez"},
		{"Ab1", "au moins 8"},
		{"abcdefg1", "au moins 8"}, // no upper case
		{"ABCDEFG1", "au moins 8"}, // no lower case
		{"Abcdefgh", "au moins 8"}, // no digit
		{"Password1", "trop courant"},
		{"Azerty123", "trop courant"},
		{"Soleil2024", "trop courant"},
		{"MARSEILLE13", "au moins 8"}, // no lower case either way
		{"Marseille13", "trop courant"},
		{"Préau-Laigneville-7", ""},
		{"Tr0ub4dour&3x", ""},
		{strings.Repeat("Aa1", 90), "trop long"},
	}
	for _, c := range cases {
		t.Run(c.pw, func(t *testing.T) {
			got := CheckPassword(c.pw)
			if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
				t.Errorf("CheckPassword(%q) = %q, want %q", c.pw, got, c.want)
			}
		})
	}
	if len(commonPasswords()) < 3000 {
		t.Errorf("only %d common passwords", len(commonPasswords()))
	}
}

func TestValidateSignup(t *testing.T) {
	good := SignupInput{Civility: "Mme", LastName: " Martin ", FirstName: "Anne-Sophie", Email: " Anne.Martin@Example.FR ",
		Password: "Laigneville-2026x", PasswordConfirmation: "Laigneville-2026x", SubscriberCode: "blenfance-12087-ab12-cd34", AcceptTerms: true}
	in, f := ValidateSignup(good, "BLENFANCE-12087-")
	if len(f) != 0 {
		t.Fatalf("valid input refused: %v", f)
	}
	if in.Email != "anne.martin@example.fr" || in.LastName != "Martin" || in.SubscriberCode != "BLENFANCE-12087-AB12-CD34" {
		t.Errorf("not normalised: %+v", in)
	}
	cases := []struct {
		field string
		edit  func(*SignupInput)
	}{
		{"civility", func(i *SignupInput) { i.Civility = "Dr" }},
		{"civility", func(i *SignupInput) { i.Civility = "" }},
		{"lastName", func(i *SignupInput) { i.LastName = "" }},
		{"lastName", func(i *SignupInput) { i.LastName = "<script>" }},
		{"firstName", func(i *SignupInput) { i.FirstName = strings.Repeat("a", 61) }},
		{"email", func(i *SignupInput) { i.Email = "" }},
		{"email", func(i *SignupInput) { i.Email = "anne" }},
		{"email", func(i *SignupInput) { i.Email = "anne@localhost" }},
		{"email", func(i *SignupInput) { i.Email = "Anne <anne@example.fr>" }},
		{"password", func(i *SignupInput) { i.Password, i.PasswordConfirmation = "court1A", "court1A" }},
		{"password", func(i *SignupInput) { i.Password, i.PasswordConfirmation = "Bonjour123", "Bonjour123" }},
		{"passwordConfirmation", func(i *SignupInput) { i.PasswordConfirmation = "Laigneville-2026y" }},
		{"passwordConfirmation", func(i *SignupInput) { i.PasswordConfirmation = "" }},
		{"subscriberCode", func(i *SignupInput) { i.SubscriberCode = "ABC" }},
		{"subscriberCode", func(i *SignupInput) { i.SubscriberCode = "BLENFANCE-12087-AB12CD34" }},
		{"acceptTerms", func(i *SignupInput) { i.AcceptTerms = false }},
	}
	for _, c := range cases {
		t.Run(c.field, func(t *testing.T) {
			in := good
			c.edit(&in)
			_, f := ValidateSignup(in, "BLENFANCE-12087-")
			if len(f) != 1 || f[0].Field != c.field || f[0].Detail == "" {
				t.Errorf("field errors %v, want one on %s", f, c.field)
			}
		})
	}
	_, f = ValidateSignup(good, "BLENFANCE-12087-")
	if f.Err() != nil {
		t.Error("no error expected")
	}
	if fe, ok := fault.As((fault.Fields{{Field: "x", Detail: "y"}}).Err()); !ok || fe.Kind != fault.Invalid {
		t.Error("field errors are not Invalid")
	}
}

func TestAntiRobot(t *testing.T) {
	now := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
	ctx := context.Background()
	key := []byte("0123456789abcdef0123456789abcdef")
	a := NewAntiRobot(secret.Fixed(key), 8)
	other := NewAntiRobot(secret.Fixed([]byte("another-secret-another-secret-xx")), 8)
	c, err := a.Issue(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	sol := Solve(c.Token, c.Difficulty)
	x, y := operands(key, mustNonce(t, key, c.Token))
	answer := itoa(x + y)
	forged, err := other.Issue(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		proof Proof
		at    time.Time
		ok    bool
	}{
		{"work", Proof{Challenge: c.Token, Solution: sol}, now, true},
		{"answer", Proof{Challenge: c.Token, Answer: " " + answer + " "}, now, true},
		{"wrong answer", Proof{Challenge: c.Token, Answer: itoa(x + y + 1)}, now, false},
		{"missing", Proof{}, now, false},
		{"no solution", Proof{Challenge: c.Token}, now, false},
		{"wrong solution", Proof{Challenge: c.Token, Solution: "x"}, now, false},
		{"expired", Proof{Challenge: c.Token, Solution: sol}, now.Add(ChallengeLifetime), false},
		{"just in time", Proof{Challenge: c.Token, Solution: sol}, now.Add(ChallengeLifetime - time.Second), true},
		{"signed by another key", Proof{Challenge: forged.Token, Solution: Solve(forged.Token, 8)}, now, false},
		{"tampered", Proof{Challenge: "x" + c.Token, Solution: sol}, now, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			nonce, _, reason, err := a.Verify(ctx, tc.proof, tc.at)
			if err != nil || (reason == "") != tc.ok || (tc.ok && nonce == "") {
				t.Errorf("nonce %q reason %q, want ok=%v", nonce, reason, tc.ok)
			}
		})
	}
	if !strings.HasPrefix(c.Question, "Combien font ") || a.QuestionOf(ctx, c.Token) != c.Question {
		t.Errorf("question %q", c.Question)
	}
}

func mustNonce(t *testing.T, key []byte, tok string) string {
	t.Helper()
	p, ok := decode(key, tok)
	if !ok {
		t.Fatal("own challenge does not decode")
	}
	return p.Nonce
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestSecrets(t *testing.T) {
	s1, h1 := NewSecret()
	s2, _ := NewSecret()
	if s1 == s2 || len(s1) != 43 || !plausibleSecret(s1) || HashSecret(s1) != h1 || len(h1) != 64 {
		t.Errorf("secret %q hash %q", s1, h1)
	}
	for _, bad := range []string{"", "short", strings.Repeat("!", 43)} {
		if plausibleSecret(bad) {
			t.Errorf("%q plausible", bad)
		}
	}
}

func TestThrottledMessage(t *testing.T) {
	now := time.Date(2026, 12, 3, 13, 20, 0, 0, time.UTC)
	f := Throttled(now.Add(10*time.Minute), now)
	if f.Kind != fault.TooManyRequests || !strings.Contains(f.Detail, "14 h 30") || f.Ext["retryAfterSeconds"] != 601 {
		t.Errorf("%+v", f)
	}
}
