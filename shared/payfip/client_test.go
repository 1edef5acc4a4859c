package payfip

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/date"
)

var sampleRequest = billing.PaymentRequest{NumCli: "012345", Exer: 2026, RefDet: "2026000001", AmountCents: 5750,
	Email: "parent@demo.preau.fr", Object: "Facture 2026000001 novembre 2026", Saisie: "T",
	URLNotif: "https://portail.test/paiements/payfip/notification", URLRedirect: "https://portail.test/espace-facturation/factures/2026000001/retour"}

func sample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// server answers every call with the sample named by answer (status 500 for faults, as SOAP
// 1.1 does) and keeps the last request.
func server(t *testing.T, answer string) (*Client, *[]byte, *http.Header) {
	t.Helper()
	var body []byte
	var header http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != ServicePath {
			http.NotFound(w, r)
			return
		}
		body, _ = io.ReadAll(r.Body)
		header = r.Header.Clone()
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		if strings.HasPrefix(answer, "fault") {
			w.WriteHeader(http.StatusInternalServerError)
		}
		_, _ = w.Write(sample(t, answer))
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return New(u, srv.Client()), &body, &header
}

func TestCreatePaymentSendsTheRecordedEnvelope(t *testing.T) {
	c, body, header := server(t, "creer-response.xml")
	idOp, err := c.CreatePayment(context.Background(), sampleRequest)
	if err != nil {
		t.Fatal(err)
	}
	if idOp != "f2a9c8b0d4e611ef9a3b0242ac120002" {
		t.Errorf("idOp = %q", idOp)
	}
	got, err := ParseRequest(*body)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ParseRequest(sample(t, "creer-request.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Create == nil || *got.Create != *want.Create {
		t.Errorf("request arg0 = %+v\nwant %+v", got.Create, want.Create)
	}
	for _, s := range []string{`xmlns:pai="` + Namespace + `"`, "<pai:creerPaiementSecurise>", `xmlns:soapenv="` + SOAPEnvelopeNS + `"`} {
		if !strings.Contains(string(*body), s) {
			t.Errorf("request lacks %s:\n%s", s, *body)
		}
	}
	if ct := header.Get("Content-Type"); ct != "text/xml; charset=utf-8" || header.Get("SOAPAction") == "" {
		t.Errorf("headers %v", *header)
	}
	if u := c.PaymentURL(idOp); !strings.HasSuffix(u, "/tpa/paiementws.web?idop=f2a9c8b0d4e611ef9a3b0242ac120002") {
		t.Errorf("payment URL %s", u)
	}
}

func TestPaymentDetail(t *testing.T) {
	t.Run("paid", func(t *testing.T) {
		c, body, _ := server(t, "detail-response-paid.xml")
		d, err := c.PaymentDetail(context.Background(), "f2a9c8b0d4e611ef9a3b0242ac120002")
		if err != nil {
			t.Fatal(err)
		}
		want := billing.Detail{IDOp: "f2a9c8b0d4e611ef9a3b0242ac120002", NumCli: "012345", Exer: 2026, RefDet: "2026000001",
			AmountCents: 5750, Result: billing.ResultPaid, Saisie: "T", PaidAt: time.Date(2026, 12, 1, 9, 5, 0, 0, date.Paris)}
		if d != want || !d.Result.Paid() {
			t.Errorf("detail = %+v\nwant %+v", d, want)
		}
		got, _ := ParseRequest(*body)
		rec, _ := ParseRequest(sample(t, "detail-request.xml"))
		if got.Detail == nil || *got.Detail != *rec.Detail {
			t.Errorf("request = %+v, want %+v", got.Detail, rec.Detail)
		}
	})
	t.Run("refused", func(t *testing.T) {
		c, _, _ := server(t, "detail-response-refused.xml")
		d, err := c.PaymentDetail(context.Background(), "f2a9c8b0d4e611ef9a3b0242ac120002")
		if err != nil || d.Result != billing.ResultRefused || d.Result.Paid() {
			t.Fatalf("detail = %+v, %v", d, err)
		}
	})
	t.Run("P5 in progress", func(t *testing.T) {
		c, _, _ := server(t, "fault-p5.xml")
		_, err := c.PaymentDetail(context.Background(), "x")
		var f *FaultError
		if !errors.Is(err, billing.ErrPaymentInProgress) || !errors.As(err, &f) || f.Code != "P5" {
			t.Fatalf("error = %v, want P5 in progress", err)
		}
	})
	t.Run("P1 unknown", func(t *testing.T) {
		c, _, _ := server(t, "fault-p1.xml")
		if _, err := c.PaymentDetail(context.Background(), "x"); !errors.Is(err, billing.ErrUnknownOperation) {
			t.Fatalf("error = %v, want P1 unknown", err)
		}
	})
	t.Run("a fault to a creation", func(t *testing.T) {
		c, _, _ := server(t, "fault-p1.xml")
		if _, err := c.CreatePayment(context.Background(), sampleRequest); err == nil {
			t.Fatal("a fault gave an idOp")
		}
	})
}

func TestEnvelopesRoundTrip(t *testing.T) {
	b, err := FaultResponse(CodeInProgress, "Résultat de la transaction non connu")
	if err != nil {
		t.Fatal(err)
	}
	p, err := parseResponse(b)
	if err != nil || p.Fault == nil || p.Fault.Code != "P5" {
		t.Fatalf("fault round trip = %+v, %v", p, err)
	}
	d := DetailReturn{DatTrans: "01122026", HeurTrans: "0905", Exer: "2026", IDOp: "op", Montant: "5750", NumCli: "012345", RefDet: "2026000001", ResulTrans: "V", Saisie: "T"}
	if b, err = DetailResponse(d); err != nil {
		t.Fatal(err)
	}
	if p, err = parseResponse(b); err != nil || p.Detail == nil || *p.Detail != d {
		t.Fatalf("detail round trip = %+v, %v", p, err)
	}
	if b, err = CreateResponse("op"); err != nil {
		t.Fatal(err)
	}
	if p, err = parseResponse(b); err != nil || p.IDOp != "op" {
		t.Fatalf("create round trip = %+v, %v", p, err)
	}
}

func TestValidate(t *testing.T) {
	if err := Validate(sampleRequest); err != nil {
		t.Fatal(err)
	}
	cases := map[string]func(r *billing.PaymentRequest){
		"numcli 5 digits":   func(r *billing.PaymentRequest) { r.NumCli = "12345" },
		"refdet too short":  func(r *billing.PaymentRequest) { r.RefDet = "12345" },
		"refdet too long":   func(r *billing.PaymentRequest) { r.RefDet = strings.Repeat("1", 31) },
		"refdet with dash":  func(r *billing.PaymentRequest) { r.RefDet = "2026-000001" },
		"objet with accent": func(r *billing.PaymentRequest) { r.Object = "Facture décembre" },
		"objet too long":    func(r *billing.PaymentRequest) { r.Object = strings.Repeat("a", 101) },
		"saisie":            func(r *billing.PaymentRequest) { r.Saisie = "P" },
		"montant zero":      func(r *billing.PaymentRequest) { r.AmountCents = 0 },
		"relative urlnotif": func(r *billing.PaymentRequest) { r.URLNotif = "/paiements" },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			r := sampleRequest
			mutate(&r)
			if err := Validate(r); !errors.Is(err, ErrInvalidRequest) {
				t.Errorf("Validate = %v", err)
			}
		})
	}
}
