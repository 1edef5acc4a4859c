package main

import (
	"embed"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/web"
)

//go:embed templates/*.html
var templates embed.FS

// Deps is what the handler needs; main.go builds it once per cold start.
type Deps struct {
	Service  *accounts.Service
	Sessions web.SessionResolver
	Cookies  web.Cookies
	Commune  string
	HSTS     bool
}

type handler struct {
	svc     *accounts.Service
	render  *web.Renderer
	cookies web.Cookies
}

// New returns the Account function's handler; its routes are exactly template.yaml's.
func New(d Deps) (http.Handler, error) {
	rd, err := web.LoadRenderer(d.Commune, d.Cookies, templates)
	if err != nil {
		return nil, fmt.Errorf("account pages: %w", err)
	}
	h := &handler{svc: d.Service, render: rd, cookies: d.Cookies}
	anyone := func(f http.HandlerFunc) http.Handler { return web.Authenticate(d.Sessions, d.Cookies, f) }
	signedIn := func(f http.HandlerFunc) http.Handler {
		return web.Authenticate(d.Sessions, d.Cookies, web.RequireViewer(f))
	}
	mux := http.NewServeMux()
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
	mux.Handle("GET /api/v1/me", signedIn(h.meAPI))
	mux.Handle("PATCH /api/v1/me", signedIn(h.profileAPI))
	mux.Handle("DELETE /api/v1/me", signedIn(h.deleteAPI))
	mux.Handle("PUT /api/v1/me/family", signedIn(h.familyAPI))
	mux.Handle("PUT /api/v1/me/password", signedIn(h.passwordAPI))
	return web.Handler(mux, web.Options{Function: "Account", HSTS: d.HSTS}), nil
}

// clientAddr is the caller's address as API Gateway saw it (the local stack sets it too).
func clientAddr(r *http.Request) string {
	if ev, ok := core.GetAPIGatewayV2ContextFromContext(r.Context()); ok && ev.HTTP.SourceIP != "" {
		return ev.HTTP.SourceIP
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// refuse answers err, with Retry-After on a throttled login.
func refuse(w http.ResponseWriter, r *http.Request, err error) {
	if f, ok := fault.As(err); ok && f.Kind == fault.TooManyRequests {
		if s, ok := f.Ext["retryAfterSeconds"].(int); ok {
			w.Header().Set("Retry-After", strconv.Itoa(s))
		}
	}
	web.Error(w, r, err)
}

// statusOf is the HTTP status of a refusal (for pages re-rendered with the error).
func statusOf(err error) int { return web.ProblemFor(err).Status }

// ---- Login and logout ----

type loginView struct {
	Email, Next, Message string
	NotConfirmed         bool
}

func (h *handler) loginPage(w http.ResponseWriter, r *http.Request) {
	if web.ViewerFrom(r.Context()) != nil {
		http.Redirect(w, r, web.SafeNext(r.URL.Query().Get("suivant"), "/mon-espace"), http.StatusSeeOther)
		return
	}
	h.render.Render(w, r, http.StatusOK, "login", web.Page{Title: "Connexion", Nav: "accueil",
		Data: loginView{Next: web.SafeNext(r.URL.Query().Get("suivant"), "")}})
}

func (h *handler) loginForm(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	email, next := r.PostForm.Get("email"), web.SafeNext(r.PostForm.Get("suivant"), "")
	res, err := h.svc.Login(r.Context(), email, r.PostForm.Get("password"), clientAddr(r))
	if err != nil {
		f, ok := fault.As(err)
		if !ok {
			web.Error(w, r, err)
			return
		}
		v := loginView{Email: accounts.NormaliseEmail(email), Next: next, Message: f.Detail, NotConfirmed: errors.Is(err, accounts.ErrNotConfirmed)}
		if f.Kind == fault.TooManyRequests {
			if s, ok := f.Ext["retryAfterSeconds"].(int); ok {
				w.Header().Set("Retry-After", strconv.Itoa(s))
			}
		}
		h.render.Render(w, r, statusOf(err), "login", web.Page{Title: "Connexion", Nav: "accueil", Errors: web.FormErrors(err), Data: v})
		return
	}
	h.cookies.SetSession(w, res.Token, res.ExpiresAt, h.svc.Clock.Now())
	http.Redirect(w, r, web.SafeNext(next, "/mon-espace"), http.StatusSeeOther)
}

func (h *handler) loginAPI(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		web.Error(w, r, err)
		return
	}
	res, err := h.svc.Login(r.Context(), in.Email, in.Password, clientAddr(r))
	if err != nil {
		refuse(w, r, err)
		return
	}
	h.cookies.SetSession(w, res.Token, res.ExpiresAt, h.svc.Clock.Now())
	web.WriteJSON(w, http.StatusOK, map[string]string{"status": "signed-in", "expiresAt": res.ExpiresAt.UTC().Format(time.RFC3339)})
}

func (h *handler) logout(w http.ResponseWriter, r *http.Request) error {
	if v := web.ViewerFrom(r.Context()); v != nil {
		if err := h.svc.Logout(r.Context(), v.SessionID); err != nil {
			return err
		}
	}
	h.cookies.ClearSession(w)
	return nil
}

func (h *handler) logoutForm(w http.ResponseWriter, r *http.Request) {
	if err := h.logout(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	h.cookies.SetFlash(w, "Vous êtes déconnecté. À bientôt !")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (h *handler) logoutAPI(w http.ResponseWriter, r *http.Request) {
	if err := h.logout(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ---- Password reset ----

func (h *handler) forgotPage(w http.ResponseWriter, r *http.Request) {
	h.render.Render(w, r, http.StatusOK, "forgot", web.Page{Title: "Mot de passe oublié", Nav: "accueil", Data: struct{ Sent bool }{}})
}

func (h *handler) forgotForm(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	err := h.svc.RequestReset(r.Context(), r.PostForm.Get("email"))
	if f, ok := fault.As(err); ok && f.Kind == fault.Invalid {
		h.render.Render(w, r, http.StatusBadRequest, "forgot", web.Page{Title: "Mot de passe oublié", Nav: "accueil",
			Errors: web.FormErrors(err), Data: struct{ Sent bool }{}})
		return
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	h.render.Render(w, r, http.StatusOK, "forgot", web.Page{Title: "Mot de passe oublié", Nav: "accueil", Data: struct{ Sent bool }{true}})
}

type resetView struct {
	Token string
	Rule  string
}

func (h *handler) resetPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	if err := h.svc.CheckResetLink(r.Context(), token); err != nil {
		h.linkProblem(w, r, err)
		return
	}
	h.render.Render(w, r, http.StatusOK, "reset", web.Page{Title: "Choisir un nouveau mot de passe", Nav: "accueil",
		Data: resetView{Token: token, Rule: accounts.PasswordRule}})
}

// linkProblem shows a friendly page for an unknown, used or expired reset link.
func (h *handler) linkProblem(w http.ResponseWriter, r *http.Request, err error) {
	f, ok := fault.As(err)
	if !ok {
		web.Error(w, r, err)
		return
	}
	h.render.Render(w, r, statusOf(err), "link-problem", web.Page{Title: f.Title, Nav: "accueil", Data: f.Detail})
}

func (h *handler) resetForm(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	token := r.PostForm.Get("token")
	err := h.svc.ResetPassword(r.Context(), token, r.PostForm.Get("password"), r.PostForm.Get("passwordConfirmation"))
	if f, ok := fault.As(err); ok && f.Kind == fault.Invalid {
		h.render.Render(w, r, http.StatusBadRequest, "reset", web.Page{Title: "Choisir un nouveau mot de passe", Nav: "accueil",
			Errors: web.FormErrors(err), Data: resetView{Token: token, Rule: accounts.PasswordRule}})
		return
	}
	if err != nil {
		h.linkProblem(w, r, err)
		return
	}
	h.cookies.ClearSession(w)
	h.cookies.SetFlash(w, "Votre mot de passe a été modifié : connectez-vous avec le nouveau.")
	http.Redirect(w, r, "/connexion", http.StatusSeeOther)
}

const resetSentDetail = "Si un compte existe à cette adresse, un e-mail vient d'y être envoyé avec un lien pour choisir un nouveau mot de passe (valable 1 heure)."

func (h *handler) resetRequestAPI(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email string `json:"email"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		web.Error(w, r, err)
		return
	}
	if err := h.svc.RequestReset(r.Context(), in.Email); err != nil {
		web.Error(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusAccepted, map[string]string{"status": "reset-requested", "detail": resetSentDetail})
}

func (h *handler) resetConfirmAPI(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Token                string `json:"token"`
		Password             string `json:"password"`
		PasswordConfirmation string `json:"passwordConfirmation"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		web.Error(w, r, err)
		return
	}
	if err := h.svc.ResetPassword(r.Context(), in.Token, in.Password, in.PasswordConfirmation); err != nil {
		web.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ---- Mon espace citoyen ----

// spaceView is what "Mon espace citoyen" shows.
type spaceView struct {
	Me         accounts.Me
	Civilities []string
	Rule       string
	CodeHint   string
	Section    string // the form that has errors, so its values and messages show
	Code       string
}

func (h *handler) space(w http.ResponseWriter, r *http.Request, code int, section string, err error, typedCode string) {
	v := web.ViewerFrom(r.Context())
	me, merr := h.svc.Me(r.Context(), v.Email)
	if merr != nil {
		web.Error(w, r, merr)
		return
	}
	var errs []web.FieldErrorView
	if err != nil {
		errs = web.FormErrors(err)
	}
	h.render.Render(w, r, code, "space", web.Page{Title: "Mon espace citoyen", Nav: "espace", Errors: errs,
		Data: spaceView{Me: me, Civilities: accounts.Civilities, Rule: accounts.PasswordRule, CodeHint: h.svc.CodePrefix + "…",
			Section: section, Code: typedCode}})
}

func (h *handler) spacePage(w http.ResponseWriter, r *http.Request) {
	h.space(w, r, http.StatusOK, "", nil, "")
}

func (h *handler) spaceForm(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	v, f := web.ViewerFrom(r.Context()), r.PostForm
	ctx := r.Context()
	var err error
	var flash string
	action := r.PathValue("action")
	switch action {
	case "profil":
		c, l, fn := f.Get("civility"), f.Get("lastName"), f.Get("firstName")
		err = h.svc.UpdateProfile(ctx, v.Email, accounts.ProfileInput{Civility: &c, LastName: &l, FirstName: &fn})
		flash = "Votre profil est enregistré."
	case "mot-de-passe":
		var res accounts.LoginResult
		res, err = h.svc.ChangePassword(ctx, v.Email, v.SessionID, f.Get("currentPassword"), f.Get("password"), f.Get("passwordConfirmation"))
		if err == nil {
			h.cookies.SetSession(w, res.Token, res.ExpiresAt, h.svc.Clock.Now())
		}
		flash = "Votre mot de passe est modifié. Vos autres connexions ont été fermées."
	case "famille":
		err = h.svc.LinkFamily(ctx, v.Email, f.Get("subscriberCode"))
		flash = "Votre compte est relié à votre famille."
	case "supprimer":
		err = h.svc.DeleteAccount(ctx, v.Email, v.SessionID, f.Get("password"))
		if err == nil {
			h.cookies.ClearSession(w)
			h.cookies.SetFlash(w, "Votre compte a été supprimé. Le dossier de votre famille reste à la mairie pour la facturation.")
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
	default:
		web.Error(w, r, fault.New(fault.NotFound, "not-found", "Page introuvable", "Cette page n'existe pas."))
		return
	}
	if fe, ok := fault.As(err); ok && fe.Kind == fault.Invalid {
		h.space(w, r, http.StatusBadRequest, action, err, f.Get("subscriberCode"))
		return
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	h.cookies.SetFlash(w, flash)
	http.Redirect(w, r, "/mon-espace", http.StatusSeeOther)
}

// meJSON is GET /api/v1/me.
type meJSON struct {
	Email     string      `json:"email"`
	Civility  string      `json:"civility"`
	LastName  string      `json:"lastName"`
	FirstName string      `json:"firstName"`
	CreatedAt time.Time   `json:"createdAt"`
	Family    *familyJSON `json:"family"`
	Children  []childJSON `json:"children"`
}

type familyJSON struct {
	Name           string `json:"name"`
	SubscriberCode string `json:"subscriberCode"`
}

type childJSON struct {
	ID        string `json:"id"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	BirthDate string `json:"birthDate,omitempty"`
	School    string `json:"school,omitempty"`
}

func toJSON(m accounts.Me) meJSON {
	a := m.Account
	out := meJSON{Email: a.Email, Civility: a.Civility, LastName: a.LastName, FirstName: a.FirstName, CreatedAt: a.CreatedAt.UTC(),
		Children: []childJSON{}}
	if m.Family != nil {
		out.Family = &familyJSON{Name: m.Family.Name, SubscriberCode: m.Family.SubscriberCode}
	}
	for _, c := range m.Children {
		out.Children = append(out.Children, childOf(c))
	}
	return out
}

func childOf(c family.Child) childJSON {
	j := childJSON{ID: c.ID, FirstName: c.FirstName, LastName: c.LastName, School: c.School}
	if !c.BirthDate.IsZero() {
		j.BirthDate = c.BirthDate.String()
	}
	return j
}

func (h *handler) writeMe(w http.ResponseWriter, r *http.Request) {
	me, err := h.svc.Me(r.Context(), web.ViewerFrom(r.Context()).Email)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, toJSON(me))
}

func (h *handler) meAPI(w http.ResponseWriter, r *http.Request) { h.writeMe(w, r) }

func (h *handler) profileAPI(w http.ResponseWriter, r *http.Request) {
	var in accounts.ProfileInput
	if err := web.DecodeJSON(w, r, &in); err != nil {
		web.Error(w, r, err)
		return
	}
	if err := h.svc.UpdateProfile(r.Context(), web.ViewerFrom(r.Context()).Email, in); err != nil {
		web.Error(w, r, err)
		return
	}
	h.writeMe(w, r)
}

func (h *handler) familyAPI(w http.ResponseWriter, r *http.Request) {
	var in struct {
		SubscriberCode string `json:"subscriberCode"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		web.Error(w, r, err)
		return
	}
	if err := h.svc.LinkFamily(r.Context(), web.ViewerFrom(r.Context()).Email, in.SubscriberCode); err != nil {
		web.Error(w, r, err)
		return
	}
	h.writeMe(w, r)
}

func (h *handler) passwordAPI(w http.ResponseWriter, r *http.Request) {
	var in struct {
		CurrentPassword      string `json:"currentPassword"`
		Password             string `json:"password"`
		PasswordConfirmation string `json:"passwordConfirmation"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		web.Error(w, r, err)
		return
	}
	v := web.ViewerFrom(r.Context())
	res, err := h.svc.ChangePassword(r.Context(), v.Email, v.SessionID, in.CurrentPassword, in.Password, in.PasswordConfirmation)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	h.cookies.SetSession(w, res.Token, res.ExpiresAt, h.svc.Clock.Now())
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) deleteAPI(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Password string `json:"password"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		web.Error(w, r, err)
		return
	}
	v := web.ViewerFrom(r.Context())
	if err := h.svc.DeleteAccount(r.Context(), v.Email, v.SessionID, in.Password); err != nil {
		web.Error(w, r, err)
		return
	}
	h.cookies.ClearSession(w)
	w.WriteHeader(http.StatusNoContent)
}
