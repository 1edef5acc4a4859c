package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/clock"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/web"
)

// escaped holds the pages, written from templates/ by go generate ./shared/tmpl.
//
//go:embed escaped/*.html
var escaped embed.FS

// The account use cases the handler calls (shared/accounts implements each).
type (
	loginService interface {
		Login(ctx context.Context, in accounts.LoginInput) (accounts.LoginResult, error)
		Logout(ctx context.Context, sessionID string) error
		Challenge(ctx context.Context) (accounts.Challenge, error)
	}
	resetService interface {
		RequestReset(ctx context.Context, email, clientAddr string) error
		CheckResetLink(ctx context.Context, secret string) error
		ResetPassword(ctx context.Context, in accounts.PasswordReset) error
	}
	passwordService interface {
		ChangePassword(ctx context.Context, in accounts.PasswordChange) (accounts.LoginResult, error)
	}
	profileService interface {
		Me(ctx context.Context, email string) (accounts.Me, error)
		UpdateProfile(ctx context.Context, email string, in accounts.ProfileInput) error
	}
	familyService interface {
		LinkFamily(ctx context.Context, email, typedCode, clientAddr string) error
	}
	memberService interface {
		RemoveMember(ctx context.Context, by, member string) error
	}
	deletionService interface {
		DeleteAccount(ctx context.Context, email, sessionID, password string) error
	}
)

// Deps is what the handler needs; main.go builds it once per cold start.
type Deps struct {
	Logins     loginService
	Resets     resetService
	Passwords  passwordService
	Profiles   profileService
	Families   familyService
	Members    memberService
	Deletions  deletionService
	Messages   messageService // Mes messages: the parent's threads with the town hall
	Sessions   web.SessionResolver
	Cookies    web.Cookies
	Clock      clock.Clock
	Commune    string
	CodePrefix string
	HSTS       bool
}

type handler struct {
	Deps
	render *web.Renderer
}

// New returns the Account function's handler; its routes are exactly template.yaml's.
func New(d Deps) (http.Handler, error) {
	rd, err := web.LoadRenderer(d.Commune, d.Cookies, escaped)
	if err != nil {
		return nil, fmt.Errorf("account pages: %w", err)
	}
	h := &handler{Deps: d, render: rd}
	anyone := web.Open(d.Sessions, d.Cookies)
	signedIn := web.SignedIn(d.Sessions, d.Cookies)
	mux := web.NewRouter()
	mux.Handle("GET /connexion", anyone(h.loginPage))
	mux.Handle("POST /connexion", anyone(h.loginForm))
	mux.Handle("POST /api/v1/login", anyone(h.loginAPI))
	mux.Handle("POST /deconnexion", anyone(h.logoutForm))
	mux.Handle("POST /api/v1/logout", anyone(h.logoutAPI))
	mux.Handle("GET /mot-de-passe-oublie", anyone(h.forgotPage))
	mux.Handle("POST /mot-de-passe-oublie", anyone(h.forgotForm))
	mux.Handle("GET /reinitialiser", anyone(h.resetPage))
	mux.Handle("POST /reinitialiser", anyone(h.resetForm))
	mux.Handle("POST /api/v1/password-reset", anyone(h.resetRequestAPI))
	mux.Handle("POST /api/v1/password-reset/confirm", anyone(h.resetConfirmAPI))
	mux.Handle("GET /mon-espace", signedIn(h.spacePage))
	mux.Handle("POST /mon-espace/{action}", signedIn(h.spaceForm))
	mux.Handle("GET /mon-espace/messages", signedIn(h.messagesPage))
	mux.Handle("GET /mon-espace/messages/{thread}", signedIn(h.threadPage))
	mux.Handle("POST /mon-espace/messages/{thread}", signedIn(h.reply))
	mux.Handle("GET /api/v1/me", signedIn(h.meAPI))
	mux.Handle("PATCH /api/v1/me", signedIn(h.profileAPI))
	mux.Handle("DELETE /api/v1/me", signedIn(h.deleteAPI))
	mux.Handle("PUT /api/v1/me/family", signedIn(h.familyAPI))
	mux.Handle("DELETE /api/v1/me/family/members", signedIn(h.removeMemberAPI))
	mux.Handle("PUT /api/v1/me/password", signedIn(h.passwordAPI))
	return web.Handler(mux, web.Options{Function: "Account", HSTS: d.HSTS}), nil
}

// refuse answers err, with Retry-After on a throttled request and a new challenge when a
// proof of work is required.
func (h *handler) refuse(w http.ResponseWriter, r *http.Request, err error) {
	retryAfter(w, err)
	if errors.Is(err, accounts.ErrProofRequired) {
		if f, ok := fault.As(err); ok {
			c, cerr := h.Logins.Challenge(r.Context())
			if cerr != nil {
				web.Error(w, r, cerr)
				return
			}
			err = f.With("challenge", challengeJSON(c))
		}
	}
	web.Error(w, r, err)
}

// retryAfter sets Retry-After from a throttled refusal.
func retryAfter(w http.ResponseWriter, err error) {
	if f, ok := fault.As(err); ok && f.Kind == fault.TooManyRequests {
		if s, ok := f.Ext["retryAfterSeconds"].(int); ok {
			w.Header().Set("Retry-After", strconv.Itoa(s))
		}
	}
}

// challengeJSON is the anti-robot challenge as the API gives it: the proof of work only (the
// no-JavaScript question is for pages).
func challengeJSON(c accounts.Challenge) map[string]any {
	return map[string]any{"challenge": c.Token, "algorithm": c.Algorithm, "difficulty": c.Difficulty,
		"expiresAt": web.ParisTime(c.ExpiresAt)}
}

// statusOf is the HTTP status of a refusal (for pages re-rendered with the error).
func statusOf(err error) int { return web.ProblemFor(err).Status }

// keepOthers reads the "close my other sessions" choice: closing is the default, so only an
// explicit false (API) or an unticked box (form, which then sends "0") keeps them.
func keepOthers(close *bool) bool { return close != nil && !*close }
