package main

import (
	"context"
	"net/http"
	"time"

	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/messages"
	"github.com/preau/preau/shared/staff"
	"github.com/preau/preau/shared/web"
)

// Messages is "Nous contacter" as staff see it (*messages.Service): every thread, and answers.
type Messages interface {
	Threads(ctx context.Context) ([]messages.Thread, error)
	Thread(ctx context.Context, id string) (messages.Thread, error)
	Answer(ctx context.Context, staffEmail, id, token, body string, now time.Time) (messages.Thread, error)
}

func (g *gestion) messagesPage(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	threads, err := g.Messages.Threads(r.Context())
	if err != nil {
		web.Error(w, r, err)
		return
	}
	waiting := 0
	for _, t := range threads {
		if !t.Answered() {
			waiting++
		}
	}
	g.render(w, r, http.StatusOK, "messages", page{Title: "Messages des familles", Nav: "messages", Staff: v, Data: struct {
		Threads []messages.Thread
		Waiting int
	}{threads, waiting}})
}

type threadPageData struct {
	Thread messages.Thread
	Body   string
	Token  string
}

func (g *gestion) threadPage(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	g.renderThread(w, r, v, http.StatusOK, "", nil)
}

func (g *gestion) renderThread(w http.ResponseWriter, r *http.Request, v *staff.Viewer, code int, body string, errs []web.FieldErrorView) {
	t, err := g.Messages.Thread(r.Context(), r.PathValue("thread"))
	if err != nil {
		web.Error(w, r, err)
		return
	}
	g.render(w, r, code, "thread", page{Title: t.Subject, Nav: "messages", Staff: v, Errors: errs,
		Data: threadPageData{Thread: t, Body: body, Token: messages.NewID()}})
}

// answer sends the town hall's answer to the parent by e-mail and keeps it in the thread.
func (g *gestion) answer(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	body := r.PostFormValue("body")
	t, err := g.Messages.Answer(r.Context(), v.Email, r.PathValue("thread"), r.PostFormValue("cle"), body, g.Clock.Now())
	if f, ok := fault.As(err); ok && (f.Kind == fault.Invalid || f.Kind == fault.Conflict) {
		views := web.FormErrors(err)
		if len(views) == 0 {
			views = []web.FieldErrorView{{Field: "body", Detail: f.Detail}}
		}
		g.renderThread(w, r, v, web.ProblemFor(f).Status, body, views)
		return
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	g.Cookies.SetFlash(w, "Réponse envoyée par e-mail à "+t.Email+".")
	http.Redirect(w, r, messages.StaffPath(t.ID), http.StatusSeeOther)
}
