package main

import (
	"errors"
	"net/http"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/web"
)

// loginView is what the login page shows.
type loginView struct {
	Email, Next, Message string
	NotConfirmed         bool
	// Challenge is set when the login asks for a proof (too many attempts): the page's
	// script solves it, or the parent answers its question.
	Challenge *accounts.Challenge
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
	f := r.PostForm
	email, next := f.Get("email"), web.SafeNext(f.Get("suivant"), "")
	res, err := h.Logins.Login(r.Context(), accounts.LoginInput{Email: email, Password: f.Get("password"), ClientAddr: web.ClientAddr(r),
		Proof: accounts.Proof{Challenge: f.Get("antiRobotChallenge"), Solution: f.Get("antiRobotSolution"), Answer: f.Get("antiRobotAnswer")}})
	if err != nil {
		fe, ok := fault.As(err)
		if !ok {
			web.Error(w, r, err)
			return
		}
		v := loginView{Email: accounts.NormaliseEmail(email), Next: next, Message: fe.Detail, NotConfirmed: errors.Is(err, accounts.ErrNotConfirmed)}
		if fe.Kind == fault.Invalid {
			v.Message = ""
		}
		if len(v.Email) > 254 {
			v.Email = ""
		}
		if errors.Is(err, accounts.ErrProofRequired) {
			c, cerr := h.Logins.Challenge(r.Context())
			if cerr != nil {
				web.Error(w, r, cerr)
				return
			}
			v.Challenge = &c
		}
		retryAfter(w, err)
		h.render.Render(w, r, statusOf(err), "login", web.Page{Title: "Connexion", Nav: "accueil", Errors: web.FormErrors(err), Data: v})
		return
	}
	h.Cookies.SetSession(w, res.Token, res.ExpiresAt, h.Clock.Now())
	http.Redirect(w, r, web.SafeNext(next, "/mon-espace"), http.StatusSeeOther)
}

func (h *handler) loginAPI(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		// Past the limits, the proof of work of the challenge the refusal carried.
		AntiRobotChallenge string `json:"antiRobotChallenge"`
		AntiRobotSolution  string `json:"antiRobotSolution"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		web.Error(w, r, err)
		return
	}
	res, err := h.Logins.Login(r.Context(), accounts.LoginInput{Email: in.Email, Password: in.Password, ClientAddr: web.ClientAddr(r),
		Proof: accounts.Proof{Challenge: in.AntiRobotChallenge, Solution: in.AntiRobotSolution}})
	if err != nil {
		h.refuse(w, r, err)
		return
	}
	h.Cookies.SetSession(w, res.Token, res.ExpiresAt, h.Clock.Now())
	web.WriteJSON(w, http.StatusOK, map[string]string{"status": "signed-in", "expiresAt": web.ParisTime(res.ExpiresAt)})
}

func (h *handler) logout(w http.ResponseWriter, r *http.Request) error {
	if v := web.ViewerFrom(r.Context()); v != nil {
		if err := h.Logins.Logout(r.Context(), v.SessionID); err != nil {
			return err
		}
	}
	h.Cookies.ClearSession(w)
	return nil
}

func (h *handler) logoutForm(w http.ResponseWriter, r *http.Request) {
	if err := h.logout(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	h.Cookies.SetFlash(w, "Vous êtes déconnecté. À bientôt !")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (h *handler) logoutAPI(w http.ResponseWriter, r *http.Request) {
	if err := h.logout(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
