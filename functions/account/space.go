package main

import (
	"errors"
	"net/http"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/web"
)

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
	me, merr := h.Profiles.Me(r.Context(), v.Email)
	if merr != nil {
		web.Error(w, r, merr)
		return
	}
	var errs []web.FieldErrorView
	if err != nil {
		errs = web.FormErrors(err)
	}
	h.render.Render(w, r, code, "space", web.Page{Title: "Mon espace citoyen", Nav: "espace", Errors: errs,
		Data: spaceView{Me: me, Civilities: accounts.Civilities, Rule: accounts.PasswordRule, CodeHint: h.CodePrefix + "…",
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
		err = h.Profiles.UpdateProfile(ctx, v.Email, accounts.ProfileInput{Civility: &c, LastName: &l, FirstName: &fn})
		flash = "Votre profil est enregistré."
	case "mot-de-passe":
		keep := keepFromForm(r)
		var res accounts.LoginResult
		res, err = h.Passwords.ChangePassword(ctx, accounts.PasswordChange{Email: v.Email, SessionID: v.SessionID, Current: f.Get("currentPassword"),
			Password: f.Get("password"), Confirmation: f.Get("passwordConfirmation"), KeepOtherSessions: keep})
		if err == nil {
			h.Cookies.SetSession(w, res.Token, res.ExpiresAt, h.Clock.Now())
		}
		flash = "Votre mot de passe est modifié. Vos autres connexions ont été fermées."
		if keep {
			flash = "Votre mot de passe est modifié. Vos autres connexions restent ouvertes."
		}
	case "famille":
		err = h.Families.LinkFamily(ctx, v.Email, f.Get("subscriberCode"), web.ClientAddr(r))
		flash = "Votre compte est relié à votre famille."
	case "retirer":
		err = h.Members.RemoveMember(ctx, v.Email, f.Get("email"))
		if errors.Is(err, accounts.ErrNotMember) || errors.Is(err, accounts.ErrNoFamily) {
			var fe *fault.Error
			fe, _ = fault.As(err)
			err = fieldProblem("member", fe.Detail)
		}
		flash = "Ce parent n'est plus relié à votre dossier famille ; il en est averti par e-mail."
	case "supprimer":
		err = h.Deletions.DeleteAccount(ctx, v.Email, v.SessionID, f.Get("password"))
		if err == nil {
			h.Cookies.ClearSession(w)
			h.Cookies.SetFlash(w, "Votre compte a été supprimé. Le dossier de votre famille reste à la mairie pour la facturation.")
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
	default:
		web.Error(w, r, fault.New(fault.NotFound, "not-found", "Page introuvable", "Cette page n'existe pas."))
		return
	}
	if fe, ok := fault.As(err); ok && (fe.Kind == fault.Invalid || fe.Kind == fault.TooManyRequests) {
		retryAfter(w, err)
		if fe.Kind == fault.TooManyRequests {
			err = fieldProblem(throttledField[action], fe.Detail)
		}
		h.space(w, r, statusOf(fe), action, err, f.Get("subscriberCode"))
		return
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	h.Cookies.SetFlash(w, flash)
	http.Redirect(w, r, "/mon-espace", http.StatusSeeOther)
}

// throttledField is where each form of Mon espace shows a "too many attempts" refusal.
var throttledField = map[string]string{"famille": "subscriberCode", "mot-de-passe": "currentPassword", "supprimer": "password"}

func fieldProblem(field, detail string) error {
	var f fault.Fields
	f.Add(field, detail)
	return f.Err()
}

// meJSON is GET /api/v1/me.
type meJSON struct {
	Email     string       `json:"email"`
	Civility  string       `json:"civility"`
	LastName  string       `json:"lastName"`
	FirstName string       `json:"firstName"`
	CreatedAt string       `json:"createdAt"`
	Family    *familyJSON  `json:"family"`
	Children  []childJSON  `json:"children"`
	Members   []memberJSON `json:"members"`
}

type familyJSON struct {
	Name string `json:"name"`
	// SubscriberCode is masked ("BLENFANCE-12087-****-**7Q"): the full code links anyone.
	SubscriberCode string `json:"subscriberCode"`
}

type childJSON struct {
	ID        string `json:"id"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	BirthDate string `json:"birthDate,omitempty"`
	School    string `json:"school,omitempty"`
}

type memberJSON struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	LinkedAt string `json:"linkedAt"`
	You      bool   `json:"you"`
}

func toJSON(m accounts.Me) meJSON {
	a := m.Account
	out := meJSON{Email: a.Email, Civility: a.Civility, LastName: a.LastName, FirstName: a.FirstName, CreatedAt: web.ParisTime(a.CreatedAt),
		Children: []childJSON{}, Members: []memberJSON{}}
	if m.Family != nil {
		out.Family = &familyJSON{Name: m.Family.Name, SubscriberCode: m.Family.SubscriberCode}
	}
	for _, c := range m.Children {
		out.Children = append(out.Children, childOf(c))
	}
	for _, mv := range m.Members {
		out.Members = append(out.Members, memberJSON{Email: mv.Email, Name: mv.Name, LinkedAt: web.ParisTime(mv.LinkedAt), You: mv.You})
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
	me, err := h.Profiles.Me(r.Context(), web.ViewerFrom(r.Context()).Email)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, toJSON(me))
}

func (h *handler) meAPI(w http.ResponseWriter, r *http.Request) { h.writeMe(w, r) }

func (h *handler) profileAPI(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Civility  *string `json:"civility"`
		LastName  *string `json:"lastName"`
		FirstName *string `json:"firstName"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		web.Error(w, r, err)
		return
	}
	err := h.Profiles.UpdateProfile(r.Context(), web.ViewerFrom(r.Context()).Email,
		accounts.ProfileInput{Civility: in.Civility, LastName: in.LastName, FirstName: in.FirstName})
	if err != nil {
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
	if err := h.Families.LinkFamily(r.Context(), web.ViewerFrom(r.Context()).Email, in.SubscriberCode, web.ClientAddr(r)); err != nil {
		h.refuse(w, r, err)
		return
	}
	h.writeMe(w, r)
}

func (h *handler) removeMemberAPI(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email string `json:"email"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		web.Error(w, r, err)
		return
	}
	if err := h.Members.RemoveMember(r.Context(), web.ViewerFrom(r.Context()).Email, in.Email); err != nil {
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
		CloseOtherSessions   *bool  `json:"closeOtherSessions"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		web.Error(w, r, err)
		return
	}
	v := web.ViewerFrom(r.Context())
	res, err := h.Passwords.ChangePassword(r.Context(), accounts.PasswordChange{Email: v.Email, SessionID: v.SessionID,
		Current: in.CurrentPassword, Password: in.Password, Confirmation: in.PasswordConfirmation,
		KeepOtherSessions: keepOthers(in.CloseOtherSessions)})
	if err != nil {
		h.refuse(w, r, err)
		return
	}
	h.Cookies.SetSession(w, res.Token, res.ExpiresAt, h.Clock.Now())
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
	if err := h.Deletions.DeleteAccount(r.Context(), v.Email, v.SessionID, in.Password); err != nil {
		h.refuse(w, r, err)
		return
	}
	h.Cookies.ClearSession(w)
	w.WriteHeader(http.StatusNoContent)
}
