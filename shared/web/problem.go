package web

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"github.com/preau/preau/shared/fault"
)

// status is the one map from a kind of refusal to its HTTP status.
var status = map[fault.Kind]int{
	fault.Invalid:         http.StatusBadRequest,
	fault.Unauthenticated: http.StatusUnauthorized,
	fault.Forbidden:       http.StatusForbidden,
	fault.NotFound:        http.StatusNotFound,
	fault.Conflict:        http.StatusConflict,
	fault.Gone:            http.StatusGone,
	fault.TooManyRequests: http.StatusTooManyRequests,
	fault.Unavailable:     http.StatusServiceUnavailable,
}

// ProblemBase prefixes every problem type slug: /problems/deadline-passed is documented in the
// OpenAPI document (RFC 9457 allows a relative reference).
const ProblemBase = "/problems/"

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type     string             `json:"type"`
	Title    string             `json:"title"`
	Status   int                `json:"status"`
	Detail   string             `json:"detail,omitempty"`
	Instance string             `json:"instance,omitempty"`
	Errors   []fault.FieldError `json:"errors,omitempty"`
	Ext      map[string]any     `json:"-"`
}

// MarshalJSON inlines the extension members.
func (p Problem) MarshalJSON() ([]byte, error) {
	type plain Problem
	b, err := json.Marshal(plain(p))
	if err != nil || len(p.Ext) == 0 {
		return b, err
	}
	m := map[string]any{}
	for k, v := range p.Ext {
		m[k] = v
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return json.Marshal(m)
}

// ErrInternal is what callers see of any error that is not a refusal.
var errInternal = &fault.Error{
	Type:   "internal",
	Title:  "Erreur interne",
	Detail: "Une erreur est survenue de notre côté. Veuillez réessayer dans quelques instants.",
}

// ProblemFor turns err into the problem document and status callers see. Internal errors are
// logged by the caller; their text never leaves the server.
func ProblemFor(err error) Problem {
	f, ok := fault.As(err)
	code := http.StatusInternalServerError
	if ok {
		if s, known := status[f.Kind]; known {
			code = s
		}
	} else {
		f = errInternal
	}
	if code == http.StatusInternalServerError {
		f = errInternal
	}
	return Problem{Type: ProblemBase + f.Type, Title: f.Title, Status: code, Detail: f.Detail, Errors: f.Fields, Ext: f.Ext}
}

// IsAPI reports whether r is a JSON API request (under /api/).
func IsAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// Error answers err: problem+json on the API, the error page elsewhere. A non-refusal is
// logged with the request id and answered with a generic 500.
func Error(w http.ResponseWriter, r *http.Request, err error) {
	p := ProblemFor(err)
	if p.Status >= 500 {
		slog.ErrorContext(r.Context(), "request failed", "err", err.Error())
	}
	if IsAPI(r) {
		WriteProblem(w, p)
		return
	}
	renderErrorPage(w, r, p)
}

// WriteProblem writes p as application/problem+json.
func WriteProblem(w http.ResponseWriter, p Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// WriteJSON writes v as JSON with the given status.
func WriteJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// MaxBody bounds every request body a handler reads.
const MaxBody = 64 << 10

var errBadJSON = fault.New(fault.Invalid, "malformed-json", "Requête illisible",
	"Le corps de la requête doit être un objet JSON valide.")

// DecodeJSON reads r's JSON body into v, refusing unknown fields, trailing data and bodies
// over MaxBody, each as a 400 "malformed-json".
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return errBadJSON.WithDetail("Le contenu doit être de type application/json.")
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errBadJSON.WithDetail("La requête est trop volumineuse.")
		}
		return errBadJSON
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errBadJSON
	}
	return nil
}

// ParseForm parses a form body bounded by MaxBody; a bad body is a 400.
func ParseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	if err := r.ParseForm(); err != nil {
		return fault.New(fault.Invalid, "malformed-form", "Formulaire illisible", "Le formulaire envoyé est illisible.")
	}
	return nil
}

var errCrossOrigin = &fault.Error{Kind: fault.Forbidden, Type: "cross-origin",
	Title: "Requête refusée", Detail: "Cette demande provient d'un autre site et a été refusée."}
