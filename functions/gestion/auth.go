package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"image/png"
	"net/http"
	"net/url"
	"strings"

	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/staff"
	"github.com/preau/preau/shared/staff/totp"
	"github.com/preau/preau/shared/tmpl"
	"github.com/preau/preau/shared/web"
)

type loginData struct {
	Email, Next string
}

func (g *gestion) loginPage(w http.ResponseWriter, r *http.Request) {
	if v, err := g.viewer(r); err == nil && v != nil && v.Verified {
		http.Redirect(w, r, "/gestion/accueil", http.StatusSeeOther)
		return
	}
	g.render(w, r, http.StatusOK, "login", page{Title: "Connexion à la gestion", Data: loginData{Next: r.URL.Query().Get("suivant")}})
}

func (g *gestion) login(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	email, next := r.PostFormValue("email"), r.PostFormValue("suivant")
	now := g.Clock.Now()
	tok, err := g.Auth.Login(r.Context(), email, r.PostFormValue("password"), now)
	if f, ok := fault.As(err); ok {
		g.render(w, r, web.ProblemFor(f).Status, "login", page{Title: "Connexion à la gestion",
			Errors: []web.FieldErrorView{{Field: "email", Detail: f.Detail}}, Data: loginData{Email: email, Next: next}})
		return
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	g.setToken(w, tok, now.Add(staff.SessionLifetime), now)
	target := "/gestion/second-facteur"
	if n := web.SafeNext(next, ""); strings.HasPrefix(n, "/gestion/") {
		target += "?suivant=" + url.QueryEscape(n)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

type codeData struct {
	Enrolling bool
	QR        tmpl.URL // data: URL of the PNG (made here, so trusted)
	Secret    string   // grouped by 4 for manual entry
	Next      string
}

func (g *gestion) codeData(r *http.Request, v *staff.Viewer) (codeData, error) {
	d := codeData{Enrolling: v.Enrolling, Next: r.URL.Query().Get("suivant")}
	if r.Method == http.MethodPost {
		d.Next = r.PostFormValue("suivant")
	}
	if !v.Enrolling {
		return d, nil
	}
	secret, err := g.Auth.PendingSecret(r.Context(), g.token(r), g.Clock.Now())
	if err != nil {
		return d, err
	}
	key, err := totp.EnrolmentKey("Préau "+g.Commune, v.Email, secret)
	if err != nil {
		return d, err
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return d, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return d, err
	}
	d.QR = tmpl.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))
	var groups []string
	for i := 0; i < len(secret); i += 4 {
		groups = append(groups, secret[i:min(i+4, len(secret))])
	}
	d.Secret = strings.Join(groups, " ")
	return d, nil
}

func (g *gestion) codePage(w http.ResponseWriter, r *http.Request) {
	v, err := g.viewer(r)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	if v == nil {
		http.Redirect(w, r, "/gestion/connexion", http.StatusSeeOther)
		return
	}
	if v.Verified {
		http.Redirect(w, r, "/gestion/accueil", http.StatusSeeOther)
		return
	}
	d, err := g.codeData(r, v)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	g.render(w, r, http.StatusOK, "code", page{Title: "Code de vérification", Data: d})
}

func (g *gestion) code(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	now := g.Clock.Now()
	tok, err := g.Auth.SecondFactor(r.Context(), g.token(r), r.PostFormValue("code"), now)
	if errors.Is(err, staff.ErrSessionEnded) {
		g.clearToken(w)
		g.Cookies.SetFlash(w, staff.ErrSessionEnded.Detail)
		http.Redirect(w, r, "/gestion/connexion", http.StatusSeeOther)
		return
	}
	if errors.Is(err, staff.ErrBadCode) {
		v, verr := g.viewer(r)
		if verr != nil || v == nil {
			web.Error(w, r, staff.ErrSessionEnded)
			return
		}
		d, derr := g.codeData(r, v)
		if derr != nil {
			web.Error(w, r, derr)
			return
		}
		g.render(w, r, http.StatusUnauthorized, "code", page{Title: "Code de vérification",
			Errors: []web.FieldErrorView{{Field: "code", Detail: staff.ErrBadCode.Detail}}, Data: d})
		return
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	g.setToken(w, tok, now.Add(staff.SessionLifetime), now)
	next := web.SafeNext(r.PostFormValue("suivant"), "/gestion/accueil")
	if !strings.HasPrefix(next, "/gestion/") {
		next = "/gestion/accueil"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (g *gestion) logout(w http.ResponseWriter, r *http.Request) {
	if err := g.Auth.Logout(r.Context(), g.token(r)); err != nil {
		web.Error(w, r, err)
		return
	}
	g.clearToken(w)
	g.Cookies.SetFlash(w, "Vous êtes déconnecté de la gestion.")
	http.Redirect(w, r, "/gestion/connexion", http.StatusSeeOther)
}
