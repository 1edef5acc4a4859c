package main

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/preau/preau/shared/staff"
	"github.com/preau/preau/shared/web"
)

// staffRow is one member as the staff page shows them: never their password hash nor secret.
type staffRow struct {
	Name, Email string
	Enrolled    bool
	EnrolledAt  time.Time
	LastLoginAt time.Time
	CreatedAt   time.Time
	You         bool
}

// staffPage lists who has access to the back-office: their role (every member has the one
// staff role), whether their second factor is enrolled, their last login.
func (g *gestion) staffPage(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	members, err := g.Auth.Directory(r.Context())
	if err != nil {
		web.Error(w, r, err)
		return
	}
	rows := make([]staffRow, 0, len(members))
	for _, m := range members {
		rows = append(rows, staffRow{Name: m.Name, Email: m.Email, Enrolled: m.Enrolled(), EnrolledAt: m.EnrolledAt,
			LastLoginAt: m.LastLoginAt, CreatedAt: m.CreatedAt, You: m.Email == v.Email})
	}
	slices.SortFunc(rows, func(a, b staffRow) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	g.render(w, r, http.StatusOK, "staff", page{Title: "Personnel", Nav: "personnel", Staff: v, Data: rows})
}
