package registry_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/registry"
	"github.com/preau/preau/shared/registry/registrytest"
	"github.com/preau/preau/shared/staff/stafftest"
)

const prefix = "BLENFANCE-12087-"

var now = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

var prices = map[string]int64{"A": 120, "B": 250, "C": 380, "D": 450}

func newRegistry(t *testing.T) (*registry.Service, *registrytest.Memory, *stafftest.Memory) {
	t.Helper()
	mem := registrytest.NewMemory(
		family.Activity{Activity: calendar.Canteen, Site: "jules-ferry", SiteName: "École Jules Ferry", PriceCents: prices},
		family.Activity{Activity: calendar.Canteen, Site: "louise-michel", SiteName: "École Louise Michel", PriceCents: prices},
	)
	journal := stafftest.NewMemory()
	return &registry.Service{Store: mem, Journal: journal, Prefix: prefix}, mem, journal
}

func TestReissuedCodeStopsLinkingAndIsJournaled(t *testing.T) {
	s, mem, journal := newRegistry(t)
	ctx := context.Background()
	f, err := s.CreateFamily(ctx, "agent@mairie.fr", registry.FamilyInput{Name: " Famille  Roux ", Bracket: "b", Resident: true}, now)
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "Famille Roux" || f.QuotientBracket != "B" || !family.ValidCodeShape(prefix, f.SubscriberCode) {
		t.Fatalf("family = %+v", f)
	}
	old := f.SubscriberCode
	code, err := s.ReissueCode(ctx, "agent@mairie.fr", f.ID, now.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if code == old || !family.ValidCodeShape(prefix, code) {
		t.Fatalf("new code %s (old %s)", code, old)
	}
	if c, _ := mem.Code(ctx, old); !c.Revoked {
		t.Fatal("the old code still links")
	}
	if c, _ := mem.Code(ctx, code); c.Revoked || c.FamilyID != f.ID {
		t.Fatalf("new code = %+v", c)
	}
	rec, _ := s.Family(ctx, f.ID)
	if rec.Family.SubscriberCode != code {
		t.Fatalf("family's code = %s", rec.Family.SubscriberCode)
	}
	entries, _ := journal.Entries(ctx, "2026-12")
	if len(entries) != 2 || entries[0].Action != "Code abonné réémis" || !strings.Contains(entries[0].Before, old) ||
		entries[0].After != code || entries[0].Who != "agent@mairie.fr" {
		t.Fatalf("journal = %+v", entries)
	}
	if _, err := s.CreateFamily(ctx, "a", registry.FamilyInput{Name: "", Bracket: "Z"}, now); err == nil {
		t.Fatal("empty name and unknown bracket accepted")
	}
}

func TestRemoveMemberAndChildren(t *testing.T) {
	s, mem, journal := newRegistry(t)
	ctx := context.Background()
	f, _ := s.CreateFamily(ctx, "a@mairie.fr", registry.FamilyInput{Name: "Famille Roux", Bracket: "A"}, now)
	mem.AddMember(f.ID, "parent@example.org")
	if err := s.RemoveMember(ctx, "a@mairie.fr", f.ID, "parent@example.org", now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	rec, _ := s.Family(ctx, f.ID)
	if len(rec.Members) != 0 {
		t.Fatalf("members = %v", rec.Members)
	}
	c, err := s.SaveChild(ctx, "a@mairie.fr", f.ID, "", registry.ChildInput{FirstName: "Lou", LastName: "Roux", BirthDate: "03/05/2018",
		School: "jules-ferry", Class: "CE1", Diet: "Végétarien", PAI: true}, now.Add(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if c.Diet != "végétarien" || !c.PAI || c.BirthDate.String() != "2018-05-03" {
		t.Fatalf("child = %+v", c)
	}
	in := registry.ChildInput{FirstName: "Lou", LastName: "Roux", BirthDate: "2018-05-03", School: "louise-michel", Diet: "sans porc"}
	if _, err := s.SaveChild(ctx, "a@mairie.fr", f.ID, c.ID, in, now.Add(3*time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveChild(ctx, "a@mairie.fr", f.ID, "c_other", in, now); !errors.Is(err, registry.ErrNoChild) {
		t.Fatalf("unknown child: %v", err)
	}
	bad := registry.ChildInput{FirstName: "", LastName: "Roux", BirthDate: "31/02/2018", School: "ailleurs", Diet: "sans gluten"}
	_, err = s.SaveChild(ctx, "a@mairie.fr", f.ID, "", bad, now)
	if err == nil || !strings.Contains(err.Error(), "invalid-fields") {
		t.Fatalf("bad child: %v", err)
	}
	entries, _ := journal.Entries(ctx, "2026-12")
	actions := []string{}
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	if strings.Join(actions, "|") != "Enfant modifié|Enfant ajouté|Parent retiré de la famille|Famille créée" {
		t.Fatalf("journal = %v", actions)
	}
}

const goodFile = "Référence;Famille;Tranche;Résident;Code abonné;Enfant prénom;Enfant nom;Naissance;École;Classe;Régime;PAI\n" +
	"R1;Famille Évrard;B;oui;;Zoé;Évrard;14/03/2017;École Jules Ferry;CE2;sans porc;non\n" +
	"R1;Famille Évrard;B;oui;;Théo;Évrard;2019-09-02;jules-ferry;GS;;oui\n" +
	"R2;Famille Nguyen;A;non;BLENFANCE-12087-QQQQ-RRRR;;;;;;;\n"

func cp1252(s string) []byte {
	var out []byte
	for _, r := range s {
		switch {
		case r < 0x80:
			out = append(out, byte(r))
		case r == '€':
			out = append(out, 0x80)
		case r == 'œ':
			out = append(out, 0x9c)
		case r <= 0xff:
			out = append(out, byte(r))
		default:
			panic("not in Windows-1252")
		}
	}
	return out
}

func TestImportBothEncodingsAndSeparators(t *testing.T) {
	files := map[string][]byte{
		"UTF-8 ;":             []byte(goodFile),
		"UTF-8 with BOM ;":    append([]byte("\xef\xbb\xbf"), goodFile...),
		"Windows-1252 ;":      cp1252(goodFile),
		"Windows-1252 , CRLF": cp1252(strings.ReplaceAll(strings.ReplaceAll(goodFile, ";", ","), "\n", "\r\n")),
	}
	for name, raw := range files {
		t.Run(name, func(t *testing.T) {
			s, mem, _ := newRegistry(t)
			ctx := context.Background()
			rep, err := s.Import(ctx, "a@mairie.fr", raw, now)
			if err != nil {
				t.Fatalf("%v: %+v", err, rep.Errors)
			}
			if rep.FamiliesNew != 2 || rep.Children != 2 {
				t.Fatalf("report = %+v", rep)
			}
			fams, _ := s.Families(ctx)
			if len(fams) != 2 || fams[0].Name != "Famille Évrard" || fams[1].SubscriberCode != "BLENFANCE-12087-QQQQ-RRRR" ||
				fams[0].NonResident || !fams[1].NonResident {
				t.Fatalf("families = %+v", fams)
			}
			rec, _ := mem.FamilyRecord(ctx, fams[0].ID)
			if len(rec.Children) != 2 {
				t.Fatalf("children = %+v", rec.Children)
			}
			var zoe, theo family.Child
			for _, c := range rec.Children {
				if c.FirstName == "Zoé" {
					zoe = c
				} else {
					theo = c
				}
			}
			if zoe.LastName != "Évrard" || zoe.Diet != "sans porc" || zoe.School != "jules-ferry" || zoe.Class != "CE2" || zoe.PAI ||
				theo.Diet != "standard" || !theo.PAI || theo.BirthDate.String() != "2019-09-02" {
				t.Fatalf("children = %+v", rec.Children)
			}
			// Importing it again converges: same families and children, codes kept.
			rep, err = s.Import(ctx, "a@mairie.fr", raw, now)
			if err != nil || rep.FamiliesUpdated != 2 || rep.FamiliesNew != 0 {
				t.Fatalf("again: %+v, %v", rep, err)
			}
			again, _ := s.Families(ctx)
			if len(again) != 2 || again[0].SubscriberCode != fams[0].SubscriberCode {
				t.Fatalf("again = %+v", again)
			}
			rec, _ = mem.FamilyRecord(ctx, fams[0].ID)
			if len(rec.Children) != 2 {
				t.Fatalf("children duplicated: %+v", rec.Children)
			}
		})
	}
}

func TestBrokenFileImportsNothing(t *testing.T) {
	cases := map[string]struct {
		file string
		want []string // fragments of the report, with their line
	}{
		"bad lines": {
			file: goodFile +
				"R3;Famille Petit;Z;peut-être;;Léo;Petit;31/02/2018;École Inconnue;;sans gluten;non\n" +
				"R1;Famille Evrard autre;B;oui;;;;;;;;\n" +
				"R4;Famille Moreau;C;non;BLENFANCE-12087-QQQQ-RRRR;;;;;;;\n" +
				"R1;Famille Évrard;B;oui;;Zoé;Évrard;14/03/2017;jules-ferry;CE2;sans porc;non\n",
			want: []string{"5:tranche de quotient", "5:oui ou non", "5:date de naissance", "5:l'école « École Inconnue »",
				"5:régime", "6:décrite autrement à la ligne 2", "7:déjà donné à la famille", "8:figure déjà à la ligne 2"},
		},
		"missing column": {file: "Référence;Nom;Tranche\nR1;Famille A;A\n", want: []string{"1:« famille » manque"}},
		"empty":          {file: "", want: []string{"1:vide"}},
		"header only":    {file: "reference;famille;tranche\n", want: []string{"2:aucune famille"}},
		"broken quotes":  {file: "reference;famille;tranche\nR1;\"Famille A;A\n", want: []string{"2:illisible"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s, mem, journal := newRegistry(t)
			rep, err := s.Import(context.Background(), "a@mairie.fr", []byte(c.file), now)
			if !errors.Is(err, registry.ErrImportRefused) {
				t.Fatalf("err = %v, report %+v", err, rep)
			}
			if mem.Writes != 0 {
				t.Fatalf("%d writes for a refused file", mem.Writes)
			}
			if e, _ := journal.Entries(context.Background(), "2026-12"); len(e) != 0 {
				t.Fatalf("journal = %+v", e)
			}
			var got []string
			for _, e := range rep.Errors {
				got = append(got, strings.Join([]string{itoa(e.Line), e.Message}, ":"))
			}
			for _, w := range c.want {
				found := false
				for _, g := range got {
					line, frag, _ := strings.Cut(w, ":")
					if strings.HasPrefix(g, line+":") && strings.Contains(g, frag) {
						found = true
					}
				}
				if !found {
					t.Errorf("no %q in report:\n%s", w, strings.Join(got, "\n"))
				}
			}
		})
	}
}

func TestImportRefusesACodeOfAnotherFamily(t *testing.T) {
	s, mem, _ := newRegistry(t)
	ctx := context.Background()
	f, _ := s.CreateFamily(ctx, "a", registry.FamilyInput{Name: "Famille Roux", Bracket: "A"}, now)
	writes := mem.Writes
	file := "reference;famille;tranche;code_abonne\nR9;Famille Autre;A;" + f.SubscriberCode + "\n"
	rep, err := s.Import(ctx, "a", []byte(file), now)
	if !errors.Is(err, registry.ErrImportRefused) || len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Message, "autre famille") {
		t.Fatalf("%v %+v", err, rep)
	}
	if mem.Writes != writes {
		t.Fatal("refused import wrote")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestEnrolEndAndMoveSite(t *testing.T) {
	s, mem, journal := newRegistry(t)
	ctx := context.Background()
	f, _ := s.CreateFamily(ctx, "a", registry.FamilyInput{Name: "Famille Roux", Bracket: "A"}, now)
	c, err := s.SaveChild(ctx, "a", f.ID, "", registry.ChildInput{FirstName: "Lou", LastName: "Roux", BirthDate: "2018-05-03",
		School: "jules-ferry"}, now)
	if err != nil {
		t.Fatal(err)
	}
	bad := registry.EnrolmentInput{ChildID: "c_none", Activity: "cantine", Site: "centre-loisirs", From: "2026-09-01", Until: "2026-08-01"}
	err = s.Enrol(ctx, "a", f.ID, bad, now)
	if fe, ok := fault.As(err); !ok || len(fe.Fields) != 3 {
		t.Fatalf("bad enrolment: %v", err)
	}
	in := registry.EnrolmentInput{ChildID: c.ID, Activity: "cantine", Site: "jules-ferry", From: "01/09/2026"}
	if err := s.Enrol(ctx, "a", f.ID, in, now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	in.Site = "louise-michel" // moves site
	if err := s.Enrol(ctx, "a", f.ID, in, now.Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.EndEnrolment(ctx, "a", f.ID, c.ID, "cantine", "2027-07-03", now.Add(3*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.EndEnrolment(ctx, "a", f.ID, c.ID, "mercredi", "2027-07-03", now); !errors.Is(err, registry.ErrNoEnrolment) {
		t.Fatalf("end a missing enrolment: %v", err)
	}
	rec, _ := mem.FamilyRecord(ctx, f.ID)
	if len(rec.Enrolments) != 1 || rec.Enrolments[0].Site != "louise-michel" || rec.Enrolments[0].Until.String() != "2027-07-03" {
		t.Fatalf("enrolments = %+v", rec.Enrolments)
	}
	entries, _ := journal.Entries(ctx, "2026-12")
	if entries[0].Action != "Inscription terminée" || !strings.Contains(entries[0].After, "au 03/07/2027") ||
		entries[1].Action != "Inscription enregistrée" || !strings.Contains(entries[1].Before, "jules-ferry") ||
		!strings.Contains(entries[1].After, "louise-michel") {
		t.Fatalf("journal = %+v", entries[:3])
	}
}
