package main

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestCreateFamilyIssuesACodeAndReissueRevokesIt(t *testing.T) {
	f := newFixture(t)
	full := f.signIn(t)
	res, body := f.do(t, "POST", "/gestion/familles", url.Values{"name": {""}, "bracket": {"Z"}}, full)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Saisissez le nom de la famille") {
		t.Fatalf("invalid family: %d", res.StatusCode)
	}
	res, _ = f.do(t, "POST", "/gestion/familles", url.Values{"name": {"Famille Roux"}, "bracket": {"A"}, "resident": {"oui"}}, full)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/gestion/familles/f_") {
		t.Fatalf("create: %d %s", res.StatusCode, loc)
	}
	flash := ""
	for _, c := range res.Cookies() {
		if c.Name == "preau_flash" {
			flash = "preau_flash=" + c.Value
		}
	}
	res, body = f.do(t, "GET", loc, nil, full, flash)
	codeRe := regexp.MustCompile(`<code class="secret">(T-[0-9A-Z]{4}-[0-9A-Z]{4})</code>`)
	m := codeRe.FindStringSubmatch(body)
	if res.StatusCode != 200 || m == nil || !strings.Contains(body, "Famille créée. Son code abonné est "+m[1]) {
		t.Fatalf("family page: %d\n%.3000s", res.StatusCode, body)
	}
	old := m[1]
	res, _ = f.do(t, "POST", loc+"/code", url.Values{}, full)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reissue: %d", res.StatusCode)
	}
	_, body = f.do(t, "GET", loc, nil, full)
	m = codeRe.FindStringSubmatch(body)
	if m == nil || m[1] == old {
		t.Fatalf("code after reissue: %v", m)
	}
	if c, _ := f.reg.Code(context.Background(), old); !c.Revoked {
		t.Fatal("old code not revoked")
	}
	_, body = f.do(t, "GET", "/gestion/journal?mois=2026-12", nil, full)
	if !strings.Contains(body, "Code abonné réémis") || !strings.Contains(body, old+" (révoqué)") || !strings.Contains(body, "Famille créée") {
		t.Fatalf("journal:\n%.3000s", body)
	}
}

func TestFamilyPageRemovesParentsAndAddsChildren(t *testing.T) {
	f := newFixture(t)
	full := f.signIn(t)
	_, body := f.do(t, "GET", "/gestion/familles/f_e9s741y99c", nil, full)
	if !strings.Contains(body, "parent@example.org") || !strings.Contains(body, "Léa Martin") {
		t.Fatalf("family page:\n%.3000s", body)
	}
	res, _ := f.do(t, "POST", "/gestion/familles/f_e9s741y99c/retirer-parent", url.Values{"email": {"parent@example.org"}}, full)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove parent: %d", res.StatusCode)
	}
	res, body = f.do(t, "POST", "/gestion/familles/f_e9s741y99c/enfant", url.Values{"firstName": {"Hugo"}, "lastName": {"Martin"},
		"birthDate": {"2019-09-02"}, "school": {"nowhere"}, "diet": {"sans porc"}, "pai": {"oui"}}, full)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Choisissez l&#39;école") || !strings.Contains(body, `value="Hugo"`) {
		t.Fatalf("invalid child: %d\n%.3000s", res.StatusCode, body)
	}
	res, _ = f.do(t, "POST", "/gestion/familles/f_e9s741y99c/enfant", url.Values{"firstName": {"Hugo"}, "lastName": {"Martin"},
		"birthDate": {"2019-09-02"}, "school": {"jules-ferry"}, "class": {"GS"}, "diet": {"sans porc"}, "pai": {"oui"}}, full)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add child: %d", res.StatusCode)
	}
	_, body = f.do(t, "GET", "/gestion/familles/f_e9s741y99c", nil, full)
	if strings.Contains(body, "parent@example.org") || !strings.Contains(body, "Hugo Martin") || !strings.Contains(body, "École Jules Ferry, GS") {
		t.Fatalf("family page after:\n%.4000s", body)
	}
}

func (f *fixture) upload(t *testing.T, file []byte, cookie string) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("fichier", "familles.csv")
	_, _ = fw.Write(file)
	_ = mw.Close()
	req := httptest.NewRequest("POST", "/gestion/import", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Cookie", cookie)
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec.Result(), rec.Body.String()
}

func TestImportPage(t *testing.T) {
	f := newFixture(t)
	full := f.signIn(t)
	broken := "reference;famille;tranche;enfant_prenom;enfant_nom;naissance;ecole\nR1;Famille Roux;A;Lou;Roux;31/02/2018;jules-ferry\n"
	res, body := f.upload(t, []byte(broken), full)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "rien n'a été importé") ||
		!strings.Contains(body, "Ligne 2 : saisissez une date de naissance valide") {
		t.Fatalf("broken file: %d\n%.3000s", res.StatusCode, body)
	}
	// Windows-1252 with commas: "Famille Lefèvre" with è as 0xE8.
	good := []byte("reference,famille,tranche\nR2,Famille Lef\xe8vre,B\n")
	res, body = f.upload(t, good, full)
	if res.StatusCode != 200 || !strings.Contains(body, "1 famille(s) créée(s)") || !strings.Contains(body, "Windows-1252") {
		t.Fatalf("good file: %d\n%.3000s", res.StatusCode, body)
	}
	_, body = f.do(t, "GET", "/gestion/familles?q=lef", nil, full)
	if !strings.Contains(body, "Famille Lefèvre") || strings.Contains(body, "Famille Martin") {
		t.Fatalf("search:\n%.3000s", body)
	}
	res, _ = f.upload(t, nil, full)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("no file: %d", res.StatusCode)
	}
}

func TestEnrolFromTheFamilyPage(t *testing.T) {
	f := newFixture(t)
	full := f.signIn(t)
	res, body := f.do(t, "POST", "/gestion/familles/f_e9s741y99c/inscrire", url.Values{"enrolChild": {"c_1"},
		"offer": {"cantine|nowhere"}, "enrolFrom": {"2026-09-01"}}, full)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "n&#39;a pas lieu sur ce site") {
		t.Fatalf("bad site: %d\n%.2000s", res.StatusCode, body)
	}
	res, _ = f.do(t, "POST", "/gestion/familles/f_e9s741y99c/inscrire", url.Values{"enrolChild": {"c_1"},
		"offer": {"cantine|louise-michel"}, "enrolFrom": {"2026-09-01"}}, full)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("enrol: %d", res.StatusCode)
	}
	res, _ = f.do(t, "POST", "/gestion/familles/f_e9s741y99c/terminer", url.Values{"childId": {"c_1"}, "activity": {"cantine"},
		"until": {"2027-07-03"}}, full)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("end: %d", res.StatusCode)
	}
	_, body = f.do(t, "GET", "/gestion/familles/f_e9s741y99c", nil, full)
	if !strings.Contains(body, "École Louise Michel") || !strings.Contains(body, "2027") {
		t.Fatalf("family page:\n%.5000s", body)
	}
	_, body = f.do(t, "GET", "/gestion/journal", nil, full)
	if !strings.Contains(body, "Inscription terminée") {
		t.Fatal("not journaled")
	}
}
