package main

import (
	"net/http"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/web"
)

func (h *handler) forgotPage(w http.ResponseWriter, r *http.Request) {
	h.render.Render(w, r, http.StatusOK, "forgot", web.Page{Title: "Mot de passe oublié", Nav: "accueil", Data: forgotView{}})
}

// forgotView is what "Mot de passe oublié" shows.
type forgotView struct {
	Sent    bool
	Message string // why the request was refused, when not for a field
}

func (h *handler) forgotForm(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	err := h.Resets.RequestReset(r.Context(), r.PostForm.Get("email"), web.ClientAddr(r))
	if f, ok := fault.As(err); ok && (f.Kind == fault.Invalid || f.Kind == fault.TooManyRequests) {
		retryAfter(w, err)
		h.render.Render(w, r, statusOf(err), "forgot", web.Page{Title: "Mot de passe oublié", Nav: "accueil",
			Errors: web.FormErrors(err), Data: forgotView{Message: formMessage(f)}})
		return
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	h.render.Render(w, r, http.StatusOK, "forgot", web.Page{Title: "Mot de passe oublié", Nav: "accueil", Data: forgotView{Sent: true}})
}

// formMessage is the sentence a page shows above a refused form ("" for field errors, which
// show next to their fields).
func formMessage(f *fault.Error) string {
	if f.Kind == fault.Invalid {
		return ""
	}
	return f.Detail
}

type resetView struct {
	Token   string
	Rule    string
	Message string
}

func (h *handler) resetPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	if err := h.Resets.CheckResetLink(r.Context(), token); err != nil {
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

// keepFromForm reads the "close my other sessions" box: the form sends a hidden "0" then,
// when the box is ticked (the default), "1"; the last value wins, and a form without the
// field closes them.
func keepFromForm(r *http.Request) bool {
	v := r.PostForm["closeOtherSessions"]
	return len(v) > 0 && v[len(v)-1] == "0"
}

func (h *handler) resetForm(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	token := r.PostForm.Get("token")
	err := h.Resets.ResetPassword(r.Context(), accounts.PasswordReset{Secret: token, Password: r.PostForm.Get("password"),
		Confirmation: r.PostForm.Get("passwordConfirmation"), KeepOtherSessions: keepFromForm(r)})
	if f, ok := fault.As(err); ok && f.Kind == fault.Invalid {
		h.render.Render(w, r, http.StatusBadRequest, "reset", web.Page{Title: "Choisir un nouveau mot de passe", Nav: "accueil",
			Errors: web.FormErrors(err), Data: resetView{Token: token, Rule: accounts.PasswordRule}})
		return
	}
	if err != nil {
		h.linkProblem(w, r, err)
		return
	}
	h.Cookies.ClearSession(w)
	h.Cookies.SetFlash(w, "Votre mot de passe a été modifié : connectez-vous avec le nouveau.")
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
	if err := h.Resets.RequestReset(r.Context(), in.Email, web.ClientAddr(r)); err != nil {
		h.refuse(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusAccepted, map[string]string{"status": "reset-requested", "detail": resetSentDetail})
}

func (h *handler) resetConfirmAPI(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Token                string `json:"token"`
		Password             string `json:"password"`
		PasswordConfirmation string `json:"passwordConfirmation"`
		CloseOtherSessions   *bool  `json:"closeOtherSessions"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		web.Error(w, r, err)
		return
	}
	if err := h.Resets.ResetPassword(r.Context(), accounts.PasswordReset{Secret: in.Token, Password: in.Password,
		Confirmation: in.PasswordConfirmation, KeepOtherSessions: keepOthers(in.CloseOtherSessions)}); err != nil {
		web.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
