package accounts

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"time"

	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/secret"
)

// Anti-robot settings (see the package doc).
const (
	// ChallengeLifetime leaves time to fill in the form after the page loads.
	ChallengeLifetime = 30 * time.Minute
	// DefaultDifficulty is the number of leading zero bits of SHA-256(challenge ":" solution):
	// 2^16 ≈ 65 000 hashes on average: about 0.3 s on a laptop, 1 to 2 s on a phone (pow.js).
	DefaultDifficulty = 16
	// maxChallengeLength bounds what a form may send as a challenge (genuine ones are ~150 bytes).
	maxChallengeLength = 512
)

// AntiRobot issues and checks signed challenges. A nil *AntiRobot (ANTIROBOT_DISABLED=1,
// local only) accepts everything.
type AntiRobot struct {
	key        *secret.Key
	difficulty int
}

// NewAntiRobot returns a checker signing with key (config.SecretKey).
func NewAntiRobot(key *secret.Key, difficulty int) *AntiRobot {
	return &AntiRobot{key: key, difficulty: difficulty}
}

// Challenge is what a form or an API client gets to prove it is not a robot.
type Challenge struct {
	Token      string // signed, opaque
	Algorithm  string // how to solve it with JavaScript
	Difficulty int    // leading zero bits
	// Question is the same challenge for people without JavaScript: pages show it, the JSON
	// API never does (API clients do the work).
	Question  string
	ExpiresAt time.Time
}

// Algorithm names the proof of work: find a decimal solution s such that
// SHA-256(challenge + ":" + s) starts with Difficulty zero bits.
const Algorithm = "sha256-leading-zero-bits"

type challengePayload struct {
	Nonce      string `json:"n"`
	Expires    int64  `json:"e"`
	Difficulty int    `json:"d"`
}

// Proof is what the form sends back: the challenge, and the work's solution or the answer to
// the question. Only pages fill Answer: the JSON API has no such field, so API clients must do
// the work.
type Proof struct {
	Challenge string
	Solution  string
	Answer    string
}

// ProofSpender records spent challenges; *store.Store satisfies it.
type ProofSpender interface {
	// SpendProof records the use of a challenge's nonce, once: ErrSpent on a replay.
	SpendProof(ctx context.Context, nonce string, expires time.Time) error
}

// proofStore is what checking a proof needs: spending it, and counting answers per address.
type proofStore interface {
	ProofSpender
	AttemptTaker
}

// checkProof verifies a proof sent from clientAddr and spends its challenge; it returns the
// French reason it is refused, "" when it holds. The proof is spent before its answer is
// looked at: one challenge, one attempt. An answer to the question (pages without
// JavaScript) also counts against the address's limit of answers, so guessing the small
// number is slow; the proof of work is not limited (it is its own cost).
func (c Config) checkProof(ctx context.Context, st proofStore, p Proof, clientAddr string, now time.Time) (string, error) {
	if p.Solution == "" && strings.TrimSpace(p.Answer) != "" {
		addr, err := c.addressKey(ctx, clientAddr)
		if err != nil {
			return "", err
		}
		ok, _, err := answersPerAddress.take(ctx, st, addr, now)
		if err != nil {
			return "", err
		}
		if !ok {
			return "Trop de réponses à la question de vérification depuis votre connexion : activez JavaScript, ou réessayez dans une heure.", nil
		}
	}
	nonce, expires, reason, err := c.AntiRobot.Verify(ctx, p, now)
	if err != nil {
		return "", err
	}
	if nonce != "" {
		if err := st.SpendProof(ctx, nonce, expires); errors.Is(err, ErrSpent) {
			reason = "Cette vérification anti-robot a déjà servi : rechargez la page et recommencez."
		} else if err != nil {
			return "", fmt.Errorf("anti-robot: %w", err)
		}
	}
	return reason, nil
}

// Challenge issues an anti-robot challenge (zero when the check is off). It fails
// (secret.ErrUnavailable) only while the key that signs it cannot be had.
func (c Config) Challenge(ctx context.Context) (Challenge, error) {
	if c.AntiRobot == nil {
		return Challenge{}, nil
	}
	return c.AntiRobot.Issue(ctx, c.Clock.Now())
}

// Issue returns a fresh challenge valid until now+ChallengeLifetime. It fails
// (secret.ErrUnavailable) only while the key cannot be had.
func (a *AntiRobot) Issue(ctx context.Context, now time.Time) (Challenge, error) {
	key, err := a.key.Bytes(ctx)
	if err != nil {
		return Challenge{}, err
	}
	var n [16]byte
	_, _ = rand.Read(n[:])
	p := challengePayload{Nonce: hex.EncodeToString(n[:]), Expires: now.Add(ChallengeLifetime).Unix(), Difficulty: a.difficulty}
	body, _ := json.Marshal(p)
	enc := base64.RawURLEncoding.EncodeToString(body)
	tok := enc + "." + base64.RawURLEncoding.EncodeToString(sign(key, enc))
	return Challenge{Token: tok, Algorithm: Algorithm, Difficulty: a.difficulty, Question: question(key, p.Nonce),
		ExpiresAt: time.Unix(p.Expires, 0).In(date.Paris)}, nil
}

func sign(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("preau-antirobot:" + s))
	return m.Sum(nil)
}

// numberWords are the operands of the question, spelled out so a naive scraper must parse French.
var numberWords = []string{"zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix"}

// operands derives the question's two numbers from the nonce with the key, so the answer is in
// no field the client sees.
func operands(key []byte, nonce string) (int, int) {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("preau-question:" + nonce))
	sum := m.Sum(nil)
	return 1 + int(sum[0])%9, 1 + int(sum[1])%9
}

func question(key []byte, nonce string) string {
	x, y := operands(key, nonce)
	return fmt.Sprintf("Combien font %s plus %s ? (répondez en chiffres)", numberWords[x], numberWords[y])
}

// QuestionOf returns the question of a challenge token ("" when the token is not genuine, or
// while the key cannot be had).
func (a *AntiRobot) QuestionOf(ctx context.Context, token string) string {
	key, err := a.key.Bytes(ctx)
	if err != nil {
		return ""
	}
	p, ok := decode(key, token)
	if !ok {
		return ""
	}
	return question(key, p.Nonce)
}

func decode(key []byte, token string) (challengePayload, bool) {
	enc, sig, ok := strings.Cut(token, ".")
	if !ok {
		return challengePayload{}, false
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, sign(key, enc)) {
		return challengePayload{}, false
	}
	body, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return challengePayload{}, false
	}
	var p challengePayload
	if json.Unmarshal(body, &p) != nil || p.Nonce == "" {
		return challengePayload{}, false
	}
	return p, true
}

// Verify checks the proof's signature, expiry, and its solution or answer. It returns the
// French reason it is refused ("" when it holds), and, whenever the challenge is genuine and
// unexpired, its nonce and when the nonce may be forgotten — even when the solution or answer
// is wrong. The caller spends that nonce (single use) whatever the outcome: the question's
// answer is a small number, so a challenge that survived a wrong answer could be retried
// until a guess passed. One challenge is one attempt. It fails (secret.ErrUnavailable) only
// while the key cannot be had: nothing is then checked, nor spent.
func (a *AntiRobot) Verify(ctx context.Context, pr Proof, now time.Time) (nonce string, expires time.Time, reason string, err error) {
	if pr.Challenge == "" || (pr.Solution == "" && strings.TrimSpace(pr.Answer) == "") {
		return "", time.Time{}, "Confirmez que vous n'êtes pas un robot : répondez à la question de vérification.", nil
	}
	key, err := a.key.Bytes(ctx)
	if err != nil {
		return "", time.Time{}, "", err
	}
	p, ok := decode(key, pr.Challenge)
	if !ok {
		return "", time.Time{}, "La vérification anti-robot est invalide : rechargez la page et recommencez.", nil
	}
	expires = time.Unix(p.Expires, 0)
	if !now.Before(expires) {
		return "", time.Time{}, "La vérification anti-robot a expiré : rechargez la page et recommencez.", nil
	}
	if pr.Solution != "" && SolvesWork(pr.Challenge, pr.Solution, p.Difficulty) {
		return p.Nonce, expires, "", nil
	}
	if ans := strings.TrimSpace(pr.Answer); ans != "" {
		x, y := operands(key, p.Nonce)
		if n, err := strconv.Atoi(ans); err == nil && n == x+y {
			return p.Nonce, expires, "", nil
		}
		return p.Nonce, expires, "La réponse à la question de vérification est incorrecte : répondez à la nouvelle question.", nil
	}
	return p.Nonce, expires, "La vérification anti-robot a échoué : rechargez la page et recommencez.", nil
}

// SolvesWork reports whether SHA-256(challenge ":" solution) starts with difficulty zero bits.
func SolvesWork(challenge, solution string, difficulty int) bool {
	if len(solution) > 20 {
		return false
	}
	sum := sha256.Sum256([]byte(challenge + ":" + solution))
	return leadingZeroBits(sum[:]) >= difficulty
}

func leadingZeroBits(b []byte) int {
	n := 0
	for i := 0; i+8 <= len(b); i += 8 {
		w := binary.BigEndian.Uint64(b[i:])
		if w != 0 {
			return n + bits.LeadingZeros64(w)
		}
		n += 64
	}
	return n
}

// Solve finds a solution by brute force (tests, benchmarks and API clients written in Go).
func Solve(challenge string, difficulty int) string {
	for i := 0; ; i++ {
		s := strconv.Itoa(i)
		if SolvesWork(challenge, s, difficulty) {
			return s
		}
	}
}
