package main

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/messages"
	"github.com/preau/preau/shared/web"
)

// messageService is the parent's side of "Nous contacter" in Mon espace (*messages.Service):
// the threads they wrote while signed in, and writing again in one.
type messageService interface {
	AccountThreads(ctx context.Context, email string) ([]messages.Thread, error)
	Mine(ctx context.Context, email, id string) (messages.Thread, error)
	Reply(ctx context.Context, who messages.Sender, id, token, body string, now time.Time) (messages.Thread, error)
}

func senderOf(v *web.Viewer) messages.Sender {
	return messages.Sender{Email: v.Email, Name: strings.TrimSpace(v.FirstName + " " + v.LastName), FamilyID: v.FamilyID}
}

// messagesPage lists the parent's conversations with the town hall (Mes messages).
func (h *handler) messagesPage(w http.ResponseWriter, r *http.Request) {
	v := web.ViewerFrom(r.Context())
	threads, err := h.Messages.AccountThreads(r.Context(), v.Email)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	h.render.Render(w, r, http.StatusOK, "messages", web.Page{Title: "Mes messages", Nav: "espace", Data: threads})
}

type threadView struct {
	Thread messages.Thread
	Body   string
	Token  string
}

func (h *handler) threadPage(w http.ResponseWriter, r *http.Request) {
	h.renderThread(w, r, http.StatusOK, "", nil)
}

func (h *handler) renderThread(w http.ResponseWriter, r *http.Request, code int, body string, errs []web.FieldErrorView) {
	v := web.ViewerFrom(r.Context())
	t, err := h.Messages.Mine(r.Context(), v.Email, r.PathValue("thread"))
	if err != nil {
		web.Error(w, r, err)
		return
	}
	h.render.Render(w, r, code, "thread", web.Page{Title: t.Subject, Nav: "espace", Errors: errs,
		Data: threadView{Thread: t, Body: body, Token: messages.NewID()}})
}

// reply adds the parent's message to their thread; the town hall is told by e-mail.
func (h *handler) reply(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	v := web.ViewerFrom(r.Context())
	body := r.PostFormValue("body")
	t, err := h.Messages.Reply(r.Context(), senderOf(v), r.PathValue("thread"), r.PostFormValue("cle"), body, h.Clock.Now())
	if f, ok := fault.As(err); ok && (f.Kind == fault.Invalid || f.Kind == fault.Conflict) {
		views := web.FormErrors(err)
		if len(views) == 0 {
			views = []web.FieldErrorView{{Field: "body", Detail: f.Detail}}
		}
		h.renderThread(w, r, statusOf(err), body, views)
		return
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	h.Cookies.SetFlash(w, "Votre message est envoyé à la mairie.")
	http.Redirect(w, r, messages.ParentPath(t.ID), http.StatusSeeOther)
}
