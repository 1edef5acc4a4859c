// Package payfip speaks PayFiP's web service (DGFiP's card payments for the régies of local
// authorities, "PayFiP Régie", web-service variant): SOAP 1.1 over HTTPS, two operations.
//
//   - creerPaiementSecurise(numcli, exer, refdet, montant, mel, objet, saisie, urlnotif,
//     urlredirect) → idOp. The parent's browser then goes to <base>/tpa/paiementws.web?idop=<idOp>.
//   - recupererDetailPaiementSecurise(idOp) → dattrans, heurtrans, exer, idOp, mel, montant,
//     numauto, numcli, objet, refdet, resultrans (P or V paid, R or Z refused, A abandoned),
//     saisie. While the parent has not finished, it answers a SOAP fault whose detail carries
//     code P5; an idOp it does not know, code P1.
//
// PayFiP notifies urlnotif with the idOp only; the notification proves nothing, and the result
// is always fetched (shared/billing decides what to do with it). The envelope types are exported
// so that the local stand-in (infra/payfip) reads and writes the same messages.
package payfip

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// Namespace is the service's target namespace.
const Namespace = "http://securite.service.tpa.cp.finances.gouv.fr/services/mas_securite/contrat_paiement_securise/PaiementSecuriseService"

// Paths under PayFiP's base URL.
const (
	ServicePath = "/tpa/services/securite" // the SOAP endpoint
	PaymentPath = "/tpa/paiementws.web"    // the payment page, ?idop=<idOp>
)

// SOAPEnvelopeNS is SOAP 1.1's envelope namespace.
const SOAPEnvelopeNS = "http://schemas.xmlsoap.org/soap/envelope/"

// CreateArgs is creerPaiementSecurise's arg0.
type CreateArgs struct {
	Exer        string `xml:"exer"`
	Mel         string `xml:"mel"`
	Montant     string `xml:"montant"`
	NumCli      string `xml:"numcli"`
	Objet       string `xml:"objet"`
	RefDet      string `xml:"refdet"`
	Saisie      string `xml:"saisie"`
	URLNotif    string `xml:"urlnotif"`
	URLRedirect string `xml:"urlredirect"`
}

// DetailArgs is recupererDetailPaiementSecurise's arg0.
type DetailArgs struct {
	IDOp string `xml:"idOp"`
}

// DetailReturn is recupererDetailPaiementSecurise's return.
type DetailReturn struct {
	DatTrans   string `xml:"dattrans"`  // ddMMyyyy
	Exer       string `xml:"exer"`      //
	HeurTrans  string `xml:"heurtrans"` // HHmm
	IDOp       string `xml:"idOp"`
	Mel        string `xml:"mel"`
	Montant    string `xml:"montant"` // cents
	NumAuto    string `xml:"numauto"`
	NumCli     string `xml:"numcli"`
	Objet      string `xml:"objet"`
	RefDet     string `xml:"refdet"`
	ResulTrans string `xml:"resultrans"`
	Saisie     string `xml:"saisie"`
}

// FunctionalError is the detail of PayFiP's faults (FonctionnelleErreur).
type FunctionalError struct {
	Code        string `xml:"code"`
	Descriptif  string `xml:"descriptif"`
	Libelle     string `xml:"libelle"`
	Severite    string `xml:"severite"`
	ElementName string `xml:"-"`
}

// Fault codes PayFiP answers.
const (
	CodeInProgress = "P5" // the result of the transaction is not known yet
	CodeUnknown    = "P1" // unknown idOp
)

// request and response envelopes -----------------------------------------------------------

type reqEnvelope struct {
	XMLName xml.Name `xml:"soapenv:Envelope"`
	SoapNS  string   `xml:"xmlns:soapenv,attr"`
	PaiNS   string   `xml:"xmlns:pai,attr"`
	Header  struct{} `xml:"soapenv:Header"`
	Body    reqBody  `xml:"soapenv:Body"`
}

type reqBody struct {
	Create *struct {
		Arg0 CreateArgs `xml:"arg0"`
	} `xml:"pai:creerPaiementSecurise,omitempty"`
	Detail *struct {
		Arg0 DetailArgs `xml:"arg0"`
	} `xml:"pai:recupererDetailPaiementSecurise,omitempty"`
}

// CreateRequest is the envelope of a creerPaiementSecurise call.
func CreateRequest(a CreateArgs) ([]byte, error) {
	env := reqEnvelope{SoapNS: SOAPEnvelopeNS, PaiNS: Namespace}
	env.Body.Create = &struct {
		Arg0 CreateArgs `xml:"arg0"`
	}{a}
	return marshal(env)
}

// DetailRequest is the envelope of a recupererDetailPaiementSecurise call.
func DetailRequest(idOp string) ([]byte, error) {
	env := reqEnvelope{SoapNS: SOAPEnvelopeNS, PaiNS: Namespace}
	env.Body.Detail = &struct {
		Arg0 DetailArgs `xml:"arg0"`
	}{DetailArgs{IDOp: idOp}}
	return marshal(env)
}

func marshal(v any) ([]byte, error) {
	b, err := xml.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("payfip: encode: %w", err)
	}
	return append([]byte(xml.Header), b...), nil
}

// inbound is any envelope, read by local names whatever the prefixes.
type inbound struct {
	Body struct {
		Create *struct {
			Arg0 CreateArgs `xml:"arg0"`
		} `xml:"creerPaiementSecurise"`
		Detail *struct {
			Arg0 DetailArgs `xml:"arg0"`
		} `xml:"recupererDetailPaiementSecurise"`
		CreateResponse *struct {
			Return struct {
				IDOp string `xml:"idOp"`
			} `xml:"return"`
		} `xml:"creerPaiementSecuriseResponse"`
		DetailResponse *struct {
			Return DetailReturn `xml:"return"`
		} `xml:"recupererDetailPaiementSecuriseResponse"`
		Fault *struct {
			Code   string `xml:"faultcode"`
			String string `xml:"faultstring"`
			Detail struct {
				Inner []struct {
					XMLName xml.Name
					FunctionalError
				} `xml:",any"`
			} `xml:"detail"`
		} `xml:"Fault"`
	} `xml:"Body"`
}

// Call is a request read by the stand-in: exactly one of Create and Detail is set.
type Call struct {
	Create *CreateArgs
	Detail *DetailArgs
}

// ParseRequest reads a request envelope (the stand-in's side).
func ParseRequest(b []byte) (Call, error) {
	var in inbound
	if err := xml.Unmarshal(b, &in); err != nil {
		return Call{}, fmt.Errorf("payfip: request: %w", err)
	}
	switch {
	case in.Body.Create != nil:
		return Call{Create: &in.Body.Create.Arg0}, nil
	case in.Body.Detail != nil:
		return Call{Detail: &in.Body.Detail.Arg0}, nil
	}
	return Call{}, fmt.Errorf("payfip: request: no known operation")
}

// Response envelopes (the stand-in's side) ---------------------------------------------------

type respEnvelope struct {
	XMLName xml.Name `xml:"S:Envelope"`
	SoapNS  string   `xml:"xmlns:S,attr"`
	Body    any      `xml:"S:Body"`
}

// CreateResponse is the envelope answering creerPaiementSecurise with idOp.
func CreateResponse(idOp string) ([]byte, error) {
	type ret struct {
		IDOp string `xml:"idOp"`
	}
	type resp struct {
		XMLName xml.Name `xml:"ns2:creerPaiementSecuriseResponse"`
		NS      string   `xml:"xmlns:ns2,attr"`
		Return  ret      `xml:"return"`
	}
	return marshal(respEnvelope{SoapNS: SOAPEnvelopeNS, Body: struct {
		R resp
	}{resp{NS: Namespace, Return: ret{idOp}}}})
}

// DetailResponse is the envelope answering recupererDetailPaiementSecurise.
func DetailResponse(d DetailReturn) ([]byte, error) {
	type resp struct {
		XMLName xml.Name     `xml:"ns2:recupererDetailPaiementSecuriseResponse"`
		NS      string       `xml:"xmlns:ns2,attr"`
		Return  DetailReturn `xml:"return"`
	}
	return marshal(respEnvelope{SoapNS: SOAPEnvelopeNS, Body: struct {
		R resp
	}{resp{NS: Namespace, Return: d}}})
}

// FaultResponse is a SOAP fault carrying a FonctionnelleErreur with code (P1, P5…).
func FaultResponse(code, descriptif string) ([]byte, error) {
	type detailErr struct {
		XMLName    xml.Name `xml:"ns2:FonctionnelleErreur"`
		NS         string   `xml:"xmlns:ns2,attr"`
		Code       string   `xml:"code"`
		Descriptif string   `xml:"descriptif"`
		Libelle    string   `xml:"libelle"`
		Severite   string   `xml:"severite"`
	}
	type fault struct {
		XMLName     xml.Name  `xml:"S:Fault"`
		FaultCode   string    `xml:"faultcode"`
		FaultString string    `xml:"faultstring"`
		Detail      detailErr `xml:"detail>ns2:FonctionnelleErreur"`
	}
	f := fault{FaultCode: "S:Server", FaultString: "fr.gouv.finances.cp.tpa.webservice.exceptions.FonctionnelleErreur",
		Detail: detailErr{NS: Namespace, Code: code, Descriptif: descriptif, Libelle: descriptif, Severite: "2"}}
	return marshal(respEnvelope{SoapNS: SOAPEnvelopeNS, Body: struct{ F fault }{f}})
}

// FaultError is a SOAP fault PayFiP answered.
type FaultError struct {
	FaultCode string
	Code      string // the FonctionnelleErreur's code, e.g. P5
	Detail    string
}

func (e *FaultError) Error() string {
	return fmt.Sprintf("payfip: fault %s %s: %s", e.FaultCode, e.Code, e.Detail)
}

// parsed is a response read by the client.
type parsed struct {
	IDOp   string
	Detail *DetailReturn
	Fault  *FaultError
}

func parseResponse(b []byte) (parsed, error) {
	var in inbound
	if err := xml.Unmarshal(b, &in); err != nil {
		return parsed{}, fmt.Errorf("payfip: response: %w", err)
	}
	switch {
	case in.Body.Fault != nil:
		f := &FaultError{FaultCode: strings.TrimSpace(in.Body.Fault.Code), Detail: strings.TrimSpace(in.Body.Fault.String)}
		for _, e := range in.Body.Fault.Detail.Inner {
			if e.Code != "" {
				f.Code, f.Detail = strings.TrimSpace(e.Code), strings.TrimSpace(e.Descriptif)
			}
		}
		return parsed{Fault: f}, nil
	case in.Body.CreateResponse != nil:
		return parsed{IDOp: strings.TrimSpace(in.Body.CreateResponse.Return.IDOp)}, nil
	case in.Body.DetailResponse != nil:
		return parsed{Detail: &in.Body.DetailResponse.Return}, nil
	}
	return parsed{}, fmt.Errorf("payfip: response: no known element")
}

// atoi reads a field that must be a whole number.
func atoi(field, v string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("payfip: %s %q is not a number", field, v)
	}
	return n, nil
}
