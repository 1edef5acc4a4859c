// Package payfip is the local stand-in for PayFiP (DGFiP's card payments for régies), so that
// the functions run against it the same code they run against PayFiP: the same SOAP operations
// at /tpa/services/securite (creerPaiementSecurise, recupererDetailPaiementSecurise with its P1
// and P5 faults), a payment page at /tpa/paiementws.web?idop=<idOp> where the parent chooses to
// pay, refuse or abandon, then the server-to-server notification to urlnotif (idOp only) and the
// redirect to urlredirect.
//
// It only accepts test mode (saisie T), listens on loopback, and keeps its operations in
// memory. `make run` starts it and points the functions at it (PAYFIP_URL, PAYFIP_SAISIE=T).
package payfip

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	wire "github.com/preau/preau/shared/payfip"
)

// Operation is one payment created at the stand-in.
type Operation struct {
	IDOp   string
	Args   wire.CreateArgs
	Result string // "" until the parent chose: P paid, R refused, A abandoned
	At     time.Time
}

// Server is the stand-in.
type Server struct {
	mu     sync.Mutex
	ops    map[string]*Operation
	client *http.Client
	log    *log.Logger
	srv    *http.Server
	URL    string // base URL, http://127.0.0.1:<port>
}

// New returns a stand-in (not listening yet; see Start, or use Handler).
func New(logw io.Writer) *Server {
	if logw == nil {
		logw = io.Discard
	}
	return &Server{ops: map[string]*Operation{}, client: &http.Client{Timeout: 10 * time.Second},
		log: log.New(logw, "payfip: ", 0)}
}

// Start serves the stand-in on 127.0.0.1:port (0 for a free one).
func Start(port int, logw io.Writer) (*Server, error) {
	s := New(logw)
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return nil, fmt.Errorf("payfip stand-in: port %d: %w", port, err)
	}
	s.URL = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops a started stand-in.
func (s *Server) Close() {
	if s.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = s.srv.Shutdown(ctx)
	}
}

// Handler serves the SOAP endpoint and the payment page.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+wire.ServicePath, s.soap)
	mux.HandleFunc("GET "+wire.PaymentPath, s.page)
	mux.HandleFunc("POST "+wire.PaymentPath, s.choose)
	return mux
}

// Operation returns a copy of the operation idOp (tests).
func (s *Server) Operation(idOp string) (Operation, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	op, ok := s.ops[idOp]
	if !ok {
		return Operation{}, false
	}
	return *op, true
}

func (s *Server) soap(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	call, err := wire.ParseRequest(body)
	if err != nil {
		s.fault(w, "P0", "Requête illisible")
		return
	}
	switch {
	case call.Create != nil:
		a := *call.Create
		if msg := check(a); msg != "" {
			s.fault(w, "P2", msg)
			return
		}
		id := newID()
		s.mu.Lock()
		s.ops[id] = &Operation{IDOp: id, Args: a}
		s.mu.Unlock()
		s.log.Printf("creerPaiementSecurise refdet=%s montant=%s → idOp %s", a.RefDet, a.Montant, id)
		b, err := wire.CreateResponse(id)
		s.write(w, http.StatusOK, b, err)
	case call.Detail != nil:
		s.mu.Lock()
		op, ok := s.ops[call.Detail.IDOp]
		var cp Operation
		if ok {
			cp = *op
		}
		s.mu.Unlock()
		switch {
		case !ok:
			s.fault(w, wire.CodeUnknown, "IdOp incorrect")
		case cp.Result == "":
			s.fault(w, wire.CodeInProgress, "Résultat de la transaction non connu")
		default:
			at := cp.At.In(paris)
			b, err := wire.DetailResponse(wire.DetailReturn{
				DatTrans: at.Format("02012006"), HeurTrans: at.Format("1504"), Exer: cp.Args.Exer, IDOp: cp.IDOp,
				Mel: cp.Args.Mel, Montant: cp.Args.Montant, NumAuto: numauto(cp), NumCli: cp.Args.NumCli, Objet: cp.Args.Objet,
				RefDet: cp.Args.RefDet, ResulTrans: cp.Result, Saisie: cp.Args.Saisie})
			s.write(w, http.StatusOK, b, err)
		}
	}
}

var paris = func() *time.Location {
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return l
}()

func numauto(op Operation) string {
	if op.Result != "P" {
		return ""
	}
	return op.IDOp[:6]
}

// check applies PayFiP's rules to a creation; "" when it is acceptable.
func check(a wire.CreateArgs) string {
	digits := func(s string, n int) bool {
		if len(s) != n {
			return false
		}
		_, err := strconv.Atoi(s)
		return err == nil
	}
	switch {
	case a.Saisie != "T":
		return "Le bouchon PayFiP local n'accepte que le mode test (saisie T)"
	case !digits(a.NumCli, 6):
		return "numcli incorrect"
	case !digits(a.Exer, 4):
		return "exer incorrect"
	case len(a.RefDet) < 6 || len(a.RefDet) > 30 || strings.IndexFunc(a.RefDet, notAlnum) >= 0:
		return "refdet incorrect"
	case len(a.Objet) > 100 || strings.IndexFunc(a.Objet, func(r rune) bool { return r != ' ' && notAlnum(r) }) >= 0:
		return "objet incorrect"
	case a.Mel == "":
		return "mel incorrect"
	}
	if n, err := strconv.ParseInt(a.Montant, 10, 64); err != nil || n <= 0 {
		return "montant incorrect"
	}
	for _, u := range []string{a.URLNotif, a.URLRedirect} {
		if p, err := url.Parse(u); err != nil || !p.IsAbs() {
			return "url incorrecte"
		}
	}
	return ""
}

func notAlnum(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
}

func (s *Server) fault(w http.ResponseWriter, code, msg string) {
	b, err := wire.FaultResponse(code, msg)
	s.write(w, http.StatusInternalServerError, b, err)
}

func (s *Server) write(w http.ResponseWriter, status int, b []byte, err error) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>PayFiP (bouchon local) – paiement</title>
<style>body{font-family:Arial,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
.test{background:#fff3cd;border-left:6px solid #b58100;padding:.5rem 1rem}dl{display:grid;grid-template-columns:auto 1fr;gap:.3rem 1rem}
dt{font-weight:bold}form{display:inline-block;margin:.5rem .5rem 0 0}button{font:inherit;padding:.6rem 1.1rem;min-height:2.75rem;cursor:pointer}</style>
</head><body>
<h1>Paiement sécurisé PayFiP</h1>
<p class="test">Bouchon local de PayFiP (mode test) : aucune carte n'est débitée.</p>
{{if .Op}}{{with .Op}}
<dl><dt>Référence</dt><dd>{{.Args.RefDet}}</dd><dt>Objet</dt><dd>{{.Args.Objet}}</dd><dt>Montant</dt><dd>{{$.Amount}}</dd><dt>Client</dt><dd>{{.Args.NumCli}}</dd></dl>
{{if .Result}}<p>Cette opération est terminée (résultat {{.Result}}).</p>{{else}}
<form method="post"><input type="hidden" name="idop" value="{{.IDOp}}"><input type="hidden" name="choix" value="P"><button type="submit">Payer</button></form>
<form method="post"><input type="hidden" name="idop" value="{{.IDOp}}"><input type="hidden" name="choix" value="R"><button type="submit">Refuser</button></form>
<form method="post"><input type="hidden" name="idop" value="{{.IDOp}}"><input type="hidden" name="choix" value="A"><button type="submit">Abandonner</button></form>
{{end}}{{end}}{{else}}<p>Opération inconnue.</p>{{end}}
</body></html>`))

func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	op, ok := s.Operation(r.URL.Query().Get("idop"))
	data := struct {
		Op     *Operation
		Amount string
	}{}
	status := http.StatusNotFound
	if ok {
		data.Op, status = &op, http.StatusOK
		if n, err := strconv.ParseInt(op.Args.Montant, 10, 64); err == nil {
			data.Amount = fmt.Sprintf("%d,%02d €", n/100, n%100)
		}
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, data); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// choose records the parent's choice, notifies urlnotif server to server (idOp only), then
// sends the browser to urlredirect, as PayFiP does.
func (s *Server) choose(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "formulaire illisible", http.StatusBadRequest)
		return
	}
	id, choice := r.PostForm.Get("idop"), r.PostForm.Get("choix")
	if choice != "P" && choice != "R" && choice != "A" {
		http.Error(w, "choix inconnu", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	op, ok := s.ops[id]
	var args wire.CreateArgs
	if ok {
		args = op.Args
		if op.Result == "" {
			op.Result, op.At = choice, time.Now()
		}
	}
	s.mu.Unlock()
	if !ok {
		http.Error(w, "opération inconnue", http.StatusNotFound)
		return
	}
	s.log.Printf("idOp %s: %s, notifying", id, choice)
	if err := s.Notify(r.Context(), args.URLNotif, id); err != nil {
		s.log.Printf("notification of %s failed: %v", id, err)
	}
	http.Redirect(w, r, args.URLRedirect, http.StatusSeeOther)
}

// Notify posts idOp to urlnotif as PayFiP's notification does.
func (s *Server) Notify(ctx context.Context, urlnotif, idOp string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, urlnotif, strings.NewReader(url.Values{"idOp": {idOp}}.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("urlnotif answered %d", resp.StatusCode)
	}
	return nil
}
