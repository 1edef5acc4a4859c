package main

import (
	"net/http"
	"testing"

	"github.com/preau/preau/infra/routefuzz"
)

// FuzzRoutes sends hostile paths, queries and forms to every route of Gestion, anonymous and
// as a verified staff member, over the in-memory stores: no answer is a 5xx.
func FuzzRoutes(f *testing.F) {
	t := &testing.T{}
	fx := newFixture(t)
	staffCookie := fx.signIn(t)
	if t.Failed() {
		f.Fatal("fixture")
	}
	// routefuzz sends its sessions as the parents' cookie: "staff" stands for the staff one.
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("preau_session"); err == nil && c.Value == "staff" {
			r.Header.Del("Cookie")
			r.Header.Set("Cookie", staffCookie)
		}
		fx.h.ServeHTTP(w, r)
	})
	routefuzz.Fuzz(f, routefuzz.Target{
		Function: "Gestion",
		Handler:  h,
		Routed:   fx.h,
		Sessions: []string{"staff"},
		Params:   map[string]string{"path": "familles/f_e9s741y99c"},
		Queries: map[string][]string{
			"GET /gestion/{path+}": {"jour=2026-12-07&mois=2026-12&q=mar&suivant=/gestion/journal"},
		},
		Bodies: map[string][]string{
			"POST /gestion/{path+}": {"name=Famille+Roux&bracket=A&resident=oui&email=parent%40example.org&firstName=Lou&lastName=Roux" +
				"&birthDate=2018-05-03&school=jules-ferry&diet=standard&pai=non&enrolChild=c_1&offer=cantine%7Cjules-ferry" +
				"&enrolFrom=2026-09-01&until=2027-07-03&childId=c_1&activity=cantine&code=123456&password=x"},
		},
	})
}
