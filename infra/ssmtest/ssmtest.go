// Package ssmtest is a stand-in for SSM Parameter Store on loopback, for tests: it answers
// GetParameter over SSM's wire protocol (AWS JSON 1.1, X-Amz-Target: AmazonSSM.GetParameter)
// for one parameter, so that the code reading the secret key runs as in Lambda without AWS.
//
//	p := ssmtest.Start(t, "/preau/secret-key", "SecureString", key)
//	t.Setenv("AWS_ENDPOINT_URL_SSM", p.URL)
package ssmtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// Parameter is one parameter served on loopback.
type Parameter struct {
	URL              string // the endpoint (AWS_ENDPOINT_URL_SSM)
	name, typ, value string
	reads            atomic.Int32
	auth             atomic.Value // string
}

// Start serves the parameter name of type typ ("SecureString" or "String") holding value until
// the test ends.
func Start(t testing.TB, name, typ, value string) *Parameter {
	t.Helper()
	p := New(name, typ, value)
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// New returns the stand-in as an http.Handler, for a server the caller runs (URL stays empty).
func New(name, typ, value string) *Parameter {
	return &Parameter{name: name, typ: typ, value: value}
}

// Reads is how many GetParameter calls were answered.
func (p *Parameter) Reads() int { return int(p.reads.Load()) }

// Authorization is the Authorization header of the last GetParameter call (its SigV4
// signature: AWS4-HMAC-SHA256 Credential=<key id>/<day>/<region>/ssm/aws4_request, ...).
func (p *Parameter) Authorization() string {
	if v, ok := p.auth.Load().(string); ok {
		return v
	}
	return ""
}

func (p *Parameter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name           string
		WithDecryption bool
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if r.Method != http.MethodPost || r.Header.Get("X-Amz-Target") != "AmazonSSM.GetParameter" || json.NewDecoder(r.Body).Decode(&in) != nil {
		fail(w, "ValidationException", "only GetParameter is served")
		return
	}
	p.reads.Add(1)
	p.auth.Store(r.Header.Get("Authorization"))
	value := p.value
	if p.typ == "SecureString" && !in.WithDecryption {
		value = "AQICAHhciphertext" // without decryption SSM returns the encrypted blob
	}
	if in.Name != p.name {
		fail(w, "ParameterNotFound", "")
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"Parameter": map[string]any{
		"Name": p.name, "Type": p.typ, "Value": value, "Version": 1, "DataType": "text"}})
}

func fail(w http.ResponseWriter, typ, msg string) {
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}
