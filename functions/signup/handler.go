package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/web"
)

// escaped holds the pages, written from templates/ by go generate ./shared/tmpl.
//
//go:embed escaped/*.html
var escaped embed.FS

// The account use cases the handler calls (shared/accounts implements each).
type (
	signupService interface {
		Signup(ctx context.Context, in accounts.SignupInput) error
		Challenge(ctx context.Context) (accounts.Challenge, error)
	}
	confirmationService interface {
		Confirm(ctx context.Context, secret string) (accounts.ConfirmResult, error)
		CheckConfirmLink(ctx context.Context, secret string) error
		ResendConfirmation(ctx context.Context, email, oldSecret, clientAddr string) error
	}
)

// Deps is what the handler needs; main.go builds it once per cold start.
type Deps struct {
	Signups       signupService
	Confirmations confirmationService
	Sessions      web.SessionResolver
	Cookies       web.Cookies
	Commune       string
	CodePrefix    string
	HSTS          bool
}

type handler struct {
	Deps
	render *web.Renderer
}

// New returns the Signup function's handler; its routes are exactly template.yaml's.
func New(d Deps) (http.Handler, error) {
	rd, err := web.LoadRenderer(d.Commune, d.Cookies, escaped)
	if err != nil {
		return nil, fmt.Errorf("signup pages: %w", err)
	}
	h := &handler{Deps: d, render: rd}
	// Pages resolve the session so the layout can greet a signed-in parent.
	page := web.Open(d.Sessions, d.Cookies)
	mux := web.NewRouter()
	mux.Handle("GET /creer-un-compte", page(h.signupPage))
	mux.Handle("POST /creer-un-compte", page(h.signupForm))
	mux.HandleFunc("POST /api/v1/signup", h.signupAPI)
	mux.HandleFunc("GET /api/v1/signup/challenge", h.challengeAPI)
	mux.Handle("GET /confirm", page(h.confirmLink))
	mux.Handle("POST /confirm", page(h.confirmForm))
	mux.HandleFunc("POST /api/v1/confirm", h.confirmAPI)
	mux.Handle("POST /renvoyer-confirmation", page(h.resendForm))
	mux.HandleFunc("POST /api/v1/signup/resend", h.resendAPI)
	return web.Handler(mux, web.Options{Function: "Signup", HSTS: d.HSTS}), nil
}

// signupView is what the sign-up page shows.
type signupView struct {
	Form       accounts.SignupInput
	Challenge  accounts.Challenge
	AntiRobot  bool
	Civilities []string
	Rule       string
	CodeHint   string
	Sent       bool
}

// signupView is the form with in's values and a fresh challenge; it fails only while the
// challenge's key cannot be had.
func (h *handler) signupView(ctx context.Context, in accounts.SignupInput) (signupView, error) {
	c, err := h.Signups.Challenge(ctx)
	if err != nil {
		return signupView{}, err
	}
	return signupView{Form: in, Challenge: c, AntiRobot: c.Token != "", Civilities: accounts.Civilities,
		Rule: accounts.PasswordRule, CodeHint: h.CodePrefix + "…"}, nil
}

func (h *handler) signupPage(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("etape") == "verifiez" {
		h.render.Render(w, r, http.StatusOK, "signup-sent", web.Page{Title: "Vérifiez votre messagerie", Nav: "espace"})
		return
	}
	v, err := h.signupView(r.Context(), accounts.SignupInput{})
	if err != nil {
		web.Error(w, r, err)
		return
	}
	h.render.Render(w, r, http.StatusOK, "signup", web.Page{Title: "Créer un compte", Nav: "espace", Data: v})
}

func (h *handler) signupForm(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	f := r.PostForm
	in := accounts.SignupInput{
		Civility: f.Get("civility"), LastName: f.Get("lastName"), FirstName: f.Get("firstName"), Email: f.Get("email"),
		Password: f.Get("password"), PasswordConfirmation: f.Get("passwordConfirmation"), SubscriberCode: f.Get("subscriberCode"),
		AcceptTerms:        f.Get("acceptTerms") != "",
		AntiRobotChallenge: f.Get("antiRobotChallenge"), AntiRobotSolution: f.Get("antiRobotSolution"), AntiRobotAnswer: f.Get("antiRobotAnswer"),
		ClientAddr: web.ClientAddr(r),
	}
	err := h.Signups.Signup(r.Context(), in)
	if fe, ok := fault.As(err); ok && (fe.Kind == fault.Invalid || fe.Kind == fault.TooManyRequests) {
		in.Password, in.PasswordConfirmation, in.AntiRobotAnswer = "", "", ""
		retryAfter(w, err)
		if fe.Kind == fault.TooManyRequests {
			err = fieldError("antiRobot", fe.Detail)
		}
		v, verr := h.signupView(r.Context(), in)
		if verr != nil {
			web.Error(w, r, verr)
			return
		}
		h.render.Render(w, r, statusOf(fe), "signup", web.Page{Title: "Créer un compte", Nav: "espace",
			Errors: web.FormErrors(err), Data: v})
		return
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/creer-un-compte?etape=verifiez", http.StatusSeeOther)
}

// pending is the 202 answer of the API's e-mail-sending calls: the same whatever happened.
type pending struct {
	Status string `json:"status"`
	Detail string `json:"detail"`
}

const sentDetail = "Si cette demande est valable, un e-mail vient d'être envoyé à l'adresse indiquée : ouvrez le lien qu'il contient pour activer votre compte."

// signupJSON is POST /api/v1/signup. It has no field for the answer to the anti-robot
// question: API clients do the proof of work.
type signupJSON struct {
	Civility             string `json:"civility"`
	LastName             string `json:"lastName"`
	FirstName            string `json:"firstName"`
	Email                string `json:"email"`
	Password             string `json:"password"`
	PasswordConfirmation string `json:"passwordConfirmation"`
	SubscriberCode       string `json:"subscriberCode"`
	AcceptTerms          bool   `json:"acceptTerms"`
	AntiRobotChallenge   string `json:"antiRobotChallenge"`
	AntiRobotSolution    string `json:"antiRobotSolution"`
}

func (h *handler) signupAPI(w http.ResponseWriter, r *http.Request) {
	var in signupJSON
	if err := web.DecodeJSON(w, r, &in); err != nil {
		web.Error(w, r, err)
		return
	}
	err := h.Signups.Signup(r.Context(), accounts.SignupInput{Civility: in.Civility, LastName: in.LastName, FirstName: in.FirstName,
		Email: in.Email, Password: in.Password, PasswordConfirmation: in.PasswordConfirmation, SubscriberCode: in.SubscriberCode,
		AcceptTerms: in.AcceptTerms, AntiRobotChallenge: in.AntiRobotChallenge, AntiRobotSolution: in.AntiRobotSolution,
		ClientAddr: web.ClientAddr(r)})
	if err != nil {
		retryAfter(w, err)
		web.Error(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusAccepted, pending{Status: "pending-confirmation", Detail: sentDetail})
}

// challengeAPI gives API clients a proof of work to do; the question for people without
// JavaScript is only on the page.
func (h *handler) challengeAPI(w http.ResponseWriter, r *http.Request) {
	c, err := h.Signups.Challenge(r.Context())
	if err != nil {
		web.Error(w, r, err)
		return
	}
	if c.Token == "" {
		web.WriteJSON(w, http.StatusOK, map[string]any{"disabled": true})
		return
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"challenge": c.Token, "algorithm": c.Algorithm, "difficulty": c.Difficulty,
		"expiresAt": web.ParisTime(c.ExpiresAt)})
}

// retryAfter sets Retry-After from a throttled refusal.
func retryAfter(w http.ResponseWriter, err error) {
	if f, ok := fault.As(err); ok && f.Kind == fault.TooManyRequests {
		if s, ok := f.Ext["retryAfterSeconds"].(int); ok {
			w.Header().Set("Retry-After", strconv.Itoa(s))
		}
	}
}

// statusOf is the HTTP status of a refusal (for pages re-rendered with the error).
func statusOf(err error) int { return web.ProblemFor(err).Status }

// confirmView is what the confirmation page shows.
type confirmView struct {
	Outcome     string // "ready" (asks for the button), "confirmed", "already", "expired", "unknown"
	Token       string // the expired link's token, for the resend form
	CodeRefused string // why the sign-up's code linked no family ("" when it did, or none was given)
}

// confirmLink is the e-mail's link. It confirms nothing: mail scanners and link previews
// open links by themselves, so the page asks the parent to press a button (POST /confirm).
func (h *handler) confirmLink(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	err := h.Confirmations.CheckConfirmLink(r.Context(), token)
	if err == nil {
		h.render.Render(w, r, http.StatusOK, "confirm", web.Page{Title: "Activer mon compte", Nav: "espace",
			Data: confirmView{Outcome: "ready", Token: token}})
		return
	}
	h.confirmOutcome(w, r, token, accounts.ConfirmResult{}, err)
}

// confirmForm is the button of the confirmation page.
func (h *handler) confirmForm(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	token := r.PostForm.Get("token")
	res, err := h.Confirmations.Confirm(r.Context(), token)
	h.confirmOutcome(w, r, token, res, err)
}

// confirmOutcome shows what following a confirmation link did (or would do).
func (h *handler) confirmOutcome(w http.ResponseWriter, r *http.Request, token string, res accounts.ConfirmResult, err error) {
	v, code, title := confirmView{Outcome: "confirmed", CodeRefused: res.CodeRefused}, http.StatusOK, "Compte activé"
	switch {
	case err == nil:
	case errors.Is(err, accounts.ErrAlreadyConfirmed):
		v.Outcome, title = "already", "Compte déjà activé"
	case errors.Is(err, accounts.ErrLinkExpired):
		v.Outcome, v.Token, code, title = "expired", token, http.StatusGone, "Lien expiré"
	case errors.Is(err, accounts.ErrLinkUnknown):
		v.Outcome, code, title = "unknown", http.StatusNotFound, "Lien inconnu"
	default:
		web.Error(w, r, err)
		return
	}
	h.render.Render(w, r, code, "confirm", web.Page{Title: title, Nav: "espace", Data: v})
}

// confirmed is the API's answer to a followed confirmation link.
type confirmed struct {
	Status       string `json:"status"`
	Detail       string `json:"detail"`
	FamilyLinked bool   `json:"familyLinked"`
	// CodeRefused: the code given at sign-up was revoked since; no family was linked.
	CodeRefused bool `json:"codeRefused,omitempty"`
}

func (h *handler) confirmAPI(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Token string `json:"token"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		web.Error(w, r, err)
		return
	}
	if in.Token == "" {
		web.Error(w, r, fieldError("token", "Le jeton du lien de confirmation est requis."))
		return
	}
	res, err := h.Confirmations.Confirm(r.Context(), in.Token)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	out := confirmed{Status: "confirmed", Detail: "Votre compte est activé : vous pouvez vous connecter.", FamilyLinked: res.FamilyLinked}
	if res.CodeRefused != "" {
		out.Detail += " " + res.CodeRefused
		out.CodeRefused = true
	}
	web.WriteJSON(w, http.StatusOK, out)
}

func (h *handler) resendForm(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	err := h.Confirmations.ResendConfirmation(r.Context(), r.PostForm.Get("email"), r.PostForm.Get("token"), web.ClientAddr(r))
	if fe, ok := fault.As(err); ok && (fe.Kind == fault.Invalid || fe.Kind == fault.TooManyRequests) {
		retryAfter(w, err)
		if fe.Kind == fault.TooManyRequests {
			err = fieldError("email", fe.Detail)
		}
		h.render.Render(w, r, statusOf(fe), "confirm", web.Page{Title: "Recevoir un nouveau lien", Nav: "espace",
			Errors: web.FormErrors(err), Data: confirmView{Outcome: "resend"}})
		return
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/creer-un-compte?etape=verifiez", http.StatusSeeOther)
}

func (h *handler) resendAPI(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email string `json:"email"`
		Token string `json:"token"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		web.Error(w, r, err)
		return
	}
	if in.Email == "" && in.Token == "" {
		web.Error(w, r, fieldError("email", "Saisissez votre adresse e-mail."))
		return
	}
	if err := h.Confirmations.ResendConfirmation(r.Context(), in.Email, in.Token, web.ClientAddr(r)); err != nil {
		retryAfter(w, err)
		web.Error(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusAccepted, pending{Status: "pending-confirmation", Detail: sentDetail})
}

func fieldError(field, detail string) error {
	var f fault.Fields
	f.Add(field, detail)
	return f.Err()
}
