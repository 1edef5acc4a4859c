package main

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
)

// upload posts the ministry's file to the preview form.
func (f *fixture) uploadCalendar(t *testing.T, cookie, year string, raw []byte) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("year", year)
	fw, _ := mw.CreateFormFile("fichier", "fr-en-calendrier-scolaire.csv")
	_, _ = fw.Write(raw)
	_ = mw.Close()
	req := httptest.NewRequest("POST", "/gestion/calendrier/vacances/fichier", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Cookie", cookie)
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec.Result(), rec.Body.String()
}

var hidden = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// TestLoadingNextSchoolYearFromTheMinistrysFile: staff upload the ministry's file, see what
// changes, confirm, and the parents' booking of a September 2027 day is accepted.
func TestLoadingNextSchoolYearFromTheMinistrysFile(t *testing.T) {
	f := newFixture(t)
	full := f.signIn(t)
	ctx := context.Background()
	september6 := date.New(2027, time.September, 6)
	if _, err := f.th.rules.Book(ctx, parentActor, "c_1", september6, calendar.Canteen); err == nil {
		t.Fatal("booked a day of an unknown school year")
	}
	res, body := f.do(t, "GET", "/gestion/calendrier/vacances", nil, full)
	if res.StatusCode != 200 || !strings.Contains(body, "<h3>2027-2028</h3>") || !strings.Contains(body, "Calendrier inconnu") {
		t.Fatalf("holidays page: %d\n%.3000s", res.StatusCode, body)
	}
	res, body = f.uploadCalendar(t, full, "2027", []byte("Description;Zones\nNoël;Zone B\n"))
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "ligne 1 : colonne(s) manquante(s)") {
		t.Fatalf("broken file: %d\n%.3000s", res.StatusCode, body)
	}
	raw, err := os.ReadFile("../../shared/calendar/testdata/fr-en-calendrier-scolaire.csv")
	if err != nil {
		t.Fatal(err)
	}
	res, body = f.uploadCalendar(t, full, "2027", raw)
	if res.StatusCode != 200 || !strings.Contains(body, "Aperçu : vacances scolaires 2027-2028") ||
		!strings.Contains(body, "du samedi 23 octobre 2027 au dimanche 7 novembre 2027") || !strings.Contains(body, "<strong>0</strong> aujourd") {
		t.Fatalf("preview: %d\n%.4000s", res.StatusCode, body)
	}
	// Nothing is stored before the confirmation.
	if _, err := f.th.rules.Book(ctx, parentActor, "c_1", september6, calendar.Canteen); err == nil {
		t.Fatal("the preview opened the year")
	}
	form := url.Values{}
	for _, m := range hidden.FindAllStringSubmatch(body, -1) {
		form.Set(m[1], strings.ReplaceAll(m[2], "&#39;", "'"))
	}
	if form.Get("period-6-name") != "Vacances d'été" || form.Get("year") != "2027" {
		t.Fatalf("confirmation form %v", form)
	}
	res, _ = f.do(t, "POST", "/gestion/calendrier/vacances", form, full)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d", res.StatusCode)
	}
	if _, err := f.th.rules.Book(ctx, parentActor, "c_1", september6, calendar.Canteen); err != nil {
		t.Fatalf("booking September 2027 after loading: %v", err)
	}
	_, body = f.do(t, "GET", "/gestion/calendrier/vacances", nil, full)
	if !strings.Contains(body, "Chargée par "+agentEmail) || !strings.Contains(body, "fichier du ministère (Zone B)") {
		t.Fatalf("loaded year not shown:\n%.4000s", body)
	}
	// Confirming the same preview again is refused: the year changed since.
	res, _ = f.do(t, "POST", "/gestion/calendrier/vacances", form, full)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("stale confirmation: %d", res.StatusCode)
	}
}

func TestEnteringSchoolHolidaysByHand(t *testing.T) {
	f := newFixture(t)
	full := f.signIn(t)
	bad := url.Values{"year": {"2027"}, "period-0-name": {"Vacances de la Toussaint"}, "period-0-first": {"2027-11-07"}, "period-0-last": {"2027-10-23"}}
	res, body := f.do(t, "POST", "/gestion/calendrier/vacances/saisie", bad, full)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "précède le premier") || !strings.Contains(body, `value="2027-11-07"`) {
		t.Fatalf("invalid periods: %d\n%.3000s", res.StatusCode, body)
	}
	good := url.Values{"year": {"2027"}, "period-0-name": {"Vacances de la Toussaint"}, "period-0-first": {"2027-10-23"}, "period-0-last": {"2027-11-07"},
		"period-1-name": {""}, "period-1-first": {""}, "period-1-last": {""}}
	res, body = f.do(t, "POST", "/gestion/calendrier/vacances/saisie", good, full)
	if res.StatusCode != 200 || !strings.Contains(body, "saisie manuelle") || !strings.Contains(body, "ajoutée") {
		t.Fatalf("manual preview: %d\n%.3000s", res.StatusCode, body)
	}
}
