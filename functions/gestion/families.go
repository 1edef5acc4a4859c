package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/registry"
	"github.com/preau/preau/shared/staff"
	"github.com/preau/preau/shared/web"
)

// Registry is the register of families (*registry.Service).
type Registry interface {
	Choices(ctx context.Context) (registry.Choices, error)
	Families(ctx context.Context) ([]family.Family, error)
	Family(ctx context.Context, id string) (registry.Record, error)
	CodeState(ctx context.Context, f family.Family) (bool, error)
	CreateFamily(ctx context.Context, who string, in registry.FamilyInput, now time.Time) (family.Family, error)
	UpdateFamily(ctx context.Context, who, id string, in registry.FamilyInput, now time.Time) error
	RevokeCode(ctx context.Context, who, id string, now time.Time) error
	ReissueCode(ctx context.Context, who, id string, now time.Time) (string, error)
	RemoveMember(ctx context.Context, who, id, email string, now time.Time) error
	SaveChild(ctx context.Context, who, familyID, childID string, in registry.ChildInput, now time.Time) (family.Child, error)
	Import(ctx context.Context, who string, raw []byte, now time.Time) (registry.ImportReport, error)
	Enrol(ctx context.Context, who, familyID string, in registry.EnrolmentInput, now time.Time) error
	EndEnrolment(ctx context.Context, who, familyID, childID, activity, until string, now time.Time) error
}

// maxImportBytes bounds an uploaded CSV file (5,000 lines of a few hundred bytes).
const maxImportBytes = 2 << 20

func (g *gestion) familyList(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	fams, err := g.Registry.Families(r.Context())
	if err != nil {
		web.Error(w, r, err)
		return
	}
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("q")))
	if q != "" {
		fams = slices.DeleteFunc(fams, func(f family.Family) bool {
			return !strings.Contains(strings.ToLower(f.Name), q) && !strings.Contains(strings.ToLower(f.SubscriberCode), q)
		})
	}
	g.render(w, r, http.StatusOK, "families", page{Title: "Familles", Nav: "familles", Staff: v, Data: struct {
		Query    string
		Families []family.Family
	}{r.URL.Query().Get("q"), fams}})
}

type familyForm struct {
	In      registry.FamilyInput
	Choices registry.Choices
}

func (g *gestion) newFamilyPage(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	c, err := g.Registry.Choices(r.Context())
	if err != nil {
		web.Error(w, r, err)
		return
	}
	g.render(w, r, http.StatusOK, "family-new", page{Title: "Nouvelle famille", Nav: "familles", Staff: v,
		Data: familyForm{In: registry.FamilyInput{Resident: true}, Choices: c}})
}

func familyInput(r *http.Request) registry.FamilyInput {
	return registry.FamilyInput{Name: r.PostFormValue("name"), Bracket: r.PostFormValue("bracket"), Resident: r.PostFormValue("resident") == "oui"}
}

func (g *gestion) createFamily(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	in := familyInput(r)
	f, err := g.Registry.CreateFamily(r.Context(), v.Email, in, g.Clock.Now())
	if fe, ok := fault.As(err); ok && fe.Kind == fault.Invalid {
		c, cerr := g.Registry.Choices(r.Context())
		if cerr != nil {
			web.Error(w, r, cerr)
			return
		}
		g.render(w, r, http.StatusBadRequest, "family-new", page{Title: "Nouvelle famille", Nav: "familles", Staff: v,
			Errors: web.FormErrors(err), Data: familyForm{In: in, Choices: c}})
		return
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	g.Cookies.SetFlash(w, "Famille créée. Son code abonné est "+f.SubscriberCode+" : remettez-le aux parents.")
	http.Redirect(w, r, "/gestion/familles/"+f.ID, http.StatusSeeOther)
}

type familyPageData struct {
	Record      registry.Record
	CodeRevoked bool
	Choices     registry.Choices
	In          registry.FamilyInput
	SiteNames   map[string]string
	Child       registry.ChildInput // the add-child form, refilled after an error
	Enrol       registry.EnrolmentInput
	ChildNames  map[string]string
}

func (g *gestion) familyData(ctx context.Context, id string) (familyPageData, error) {
	rec, err := g.Registry.Family(ctx, id)
	if err != nil {
		return familyPageData{}, err
	}
	revoked, err := g.Registry.CodeState(ctx, rec.Family)
	if err != nil {
		return familyPageData{}, err
	}
	c, err := g.Registry.Choices(ctx)
	if err != nil {
		return familyPageData{}, err
	}
	names := map[string]string{}
	for _, s := range c.Sites {
		names[s.ID] = s.Name
	}
	kids := map[string]string{}
	for _, k := range rec.Children {
		kids[k.ID] = k.FirstName + " " + k.LastName
	}
	return familyPageData{Record: rec, CodeRevoked: revoked, Choices: c, SiteNames: names, ChildNames: kids,
		Enrol: registry.EnrolmentInput{From: schoolYearStart(g.Clock.Now())},
		In:    registry.FamilyInput{Name: rec.Family.Name, Bracket: rec.Family.QuotientBracket, Resident: !rec.Family.NonResident},
		Child: registry.ChildInput{Diet: "standard"}}, nil
}

func (g *gestion) familyPage(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	d, err := g.familyData(r.Context(), r.PathValue("id"))
	if err != nil {
		web.Error(w, r, err)
		return
	}
	g.render(w, r, http.StatusOK, "family", page{Title: d.Record.Family.Name, Nav: "familles", Staff: v, Data: d})
}

// familyAction handles the forms of a family's page: modifier, code, revoquer, retirer-parent, enfant.
func (g *gestion) familyAction(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	if err := web.ParseForm(w, r); err != nil {
		web.Error(w, r, err)
		return
	}
	id, now, ctx := r.PathValue("id"), g.Clock.Now(), r.Context()
	back := "/gestion/familles/" + id
	var err error
	flash := ""
	var retry func(d *familyPageData)
	switch r.PathValue("action") {
	case "modifier":
		in := familyInput(r)
		err = g.Registry.UpdateFamily(ctx, v.Email, id, in, now)
		flash = "Famille enregistrée."
		retry = func(d *familyPageData) { d.In = in }
	case "code":
		var code string
		code, err = g.Registry.ReissueCode(ctx, v.Email, id, now)
		flash = "Nouveau code abonné : " + code + ". L'ancien code ne permet plus de lier un compte."
	case "revoquer":
		err = g.Registry.RevokeCode(ctx, v.Email, id, now)
		flash = "Code abonné révoqué : il ne permet plus de lier un compte."
	case "retirer-parent":
		err = g.Registry.RemoveMember(ctx, v.Email, id, r.PostFormValue("email"), now)
		flash = "Le compte parent n'est plus lié à la famille."
	case "enfant":
		in := registry.ChildInput{FirstName: r.PostFormValue("firstName"), LastName: r.PostFormValue("lastName"),
			BirthDate: r.PostFormValue("birthDate"), School: r.PostFormValue("school"), Class: r.PostFormValue("class"),
			Diet: r.PostFormValue("diet"), PAI: r.PostFormValue("pai") == "oui"}
		childID := r.PostFormValue("childId")
		_, err = g.Registry.SaveChild(ctx, v.Email, id, childID, in, now)
		flash = "Enfant enregistré."
		if childID == "" {
			retry = func(d *familyPageData) { d.Child = in }
		} else {
			back = "/gestion/familles/" + id + "/enfants/" + childID
			retry = nil
		}
	case "inscrire":
		activity, site, _ := strings.Cut(r.PostFormValue("offer"), "|")
		in := registry.EnrolmentInput{ChildID: r.PostFormValue("enrolChild"), Activity: activity, Site: site,
			From: r.PostFormValue("enrolFrom"), Until: r.PostFormValue("enrolUntil")}
		err = g.Registry.Enrol(ctx, v.Email, id, in, now)
		flash = "Inscription enregistrée."
		retry = func(d *familyPageData) { d.Enrol = in }
	case "terminer":
		err = g.Registry.EndEnrolment(ctx, v.Email, id, r.PostFormValue("childId"), r.PostFormValue("activity"), r.PostFormValue("until"), now)
		flash = "Inscription terminée."
		retry = func(*familyPageData) {}
	default:
		err = errPageNotFound
	}
	if fe, ok := fault.As(err); ok && fe.Kind == fault.Invalid && retry != nil {
		d, derr := g.familyData(ctx, id)
		if derr != nil {
			web.Error(w, r, derr)
			return
		}
		retry(&d)
		g.render(w, r, http.StatusBadRequest, "family", page{Title: d.Record.Family.Name, Nav: "familles", Staff: v,
			Errors: web.FormErrors(err), Data: d})
		return
	}
	if err != nil {
		web.Error(w, r, err)
		return
	}
	g.Cookies.SetFlash(w, flash)
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// schoolYearStart is 1 September of the school year of now, what the enrolment form proposes.
func schoolYearStart(now time.Time) string {
	y := now.Year()
	if now.Month() < time.September {
		y--
	}
	return time.Date(y, time.September, 1, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
}

type childPageData struct {
	FamilyID, FamilyName, ChildID string
	In                            registry.ChildInput
	Choices                       registry.Choices
}

func (g *gestion) childPage(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	rec, err := g.Registry.Family(r.Context(), r.PathValue("id"))
	if err != nil {
		web.Error(w, r, err)
		return
	}
	i := slices.IndexFunc(rec.Children, func(c family.Child) bool { return c.ID == r.PathValue("child") })
	if i < 0 {
		web.Error(w, r, registry.ErrNoChild)
		return
	}
	c := rec.Children[i]
	ch, err := g.Registry.Choices(r.Context())
	if err != nil {
		web.Error(w, r, err)
		return
	}
	g.render(w, r, http.StatusOK, "child", page{Title: c.FirstName + " " + c.LastName, Nav: "familles", Staff: v, Data: childPageData{
		FamilyID: rec.Family.ID, FamilyName: rec.Family.Name, ChildID: c.ID, Choices: ch,
		In: registry.ChildInput{FirstName: c.FirstName, LastName: c.LastName, BirthDate: c.BirthDate.String(), School: c.School,
			Class: c.Class, Diet: c.Diet, PAI: c.PAI}}})
}

func (g *gestion) importPage(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	g.render(w, r, http.StatusOK, "import", page{Title: "Import CSV des familles et des enfants", Nav: "import", Staff: v})
}

var errNoFile = fault.New(fault.Invalid, "import-no-file", "Fichier manquant", "Choisissez le fichier CSV à importer (2 Mo au plus).")

func (g *gestion) importFile(w http.ResponseWriter, r *http.Request, v *staff.Viewer) {
	r.Body = http.MaxBytesReader(w, r.Body, maxImportBytes+64<<10)
	var raw []byte
	if err := r.ParseMultipartForm(maxImportBytes); err == nil {
		if f, _, err := r.FormFile("fichier"); err == nil {
			raw, _ = io.ReadAll(io.LimitReader(f, maxImportBytes+1))
			_ = f.Close()
		}
	}
	if len(raw) == 0 || len(raw) > maxImportBytes {
		g.render(w, r, http.StatusBadRequest, "import", page{Title: "Import CSV des familles et des enfants", Nav: "import", Staff: v,
			Errors: []web.FieldErrorView{{Field: "fichier", Detail: errNoFile.Detail}}})
		return
	}
	rep, err := g.Registry.Import(r.Context(), v.Email, raw, g.Clock.Now())
	status := http.StatusOK
	if errors.Is(err, registry.ErrImportRefused) {
		status = http.StatusUnprocessableEntity
	} else if err != nil {
		web.Error(w, r, err)
		return
	}
	g.render(w, r, status, "import", page{Title: "Import CSV des familles et des enfants", Nav: "import", Staff: v,
		Data: struct {
			Done   bool
			Report registry.ImportReport
		}{true, rep}})
}
