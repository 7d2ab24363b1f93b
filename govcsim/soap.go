// SOAP plumbing for the front handler: reading a request's method and _this cheaply, writing responses and
// faults shaped like vcsim's (and vCenter's), and a response writer that keeps vcsim's answer for rewriting.
package main

import (
	"bytes"
	encxml "encoding/xml"
	"net/http"
	"reflect"
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"
)

const (
	sessionCookie = "vmware_soap_session"
	vimNamespace  = "urn:vim25"
	xsiNamespace  = "http://www.w3.org/2001/XMLSchema-instance"
)

// soapCall is what the front handler knows about a request before vcsim sees it.
type soapCall struct {
	method string
	this   types.ManagedObjectReference
	body   []byte
}

// readCall finds the method element inside the SOAP body and its _this argument, without decoding the rest.
// An unreadable envelope gives an empty method; vcsim then answers with its own fault.
func readCall(body []byte) *soapCall {
	call := &soapCall{body: body}
	d := encxml.NewDecoder(bytes.NewReader(body))
	depth := 0
	inBody := false
	for {
		tok, err := d.Token()
		if err != nil {
			return call
		}
		switch t := tok.(type) {
		case encxml.StartElement:
			depth++
			switch {
			case depth == 2 && t.Name.Local == "Body":
				inBody = true
			case depth == 2:
				if d.Skip() != nil {
					return call
				}
				depth--
			case depth == 3 && inBody:
				call.method = t.Name.Local
				call.this = readThis(d)
				return call
			}
		case encxml.EndElement:
			depth--
		}
	}
}

// readThis reads the method's first child when it is _this.
func readThis(d *encxml.Decoder) types.ManagedObjectReference {
	var ref types.ManagedObjectReference
	for {
		tok, err := d.Token()
		if err != nil {
			return ref
		}
		switch t := tok.(type) {
		case encxml.StartElement:
			if t.Name.Local != "_this" {
				return ref
			}
			for _, a := range t.Attr {
				if a.Name.Local == "type" && a.Name.Space == "" {
					ref.Type = a.Value
				}
			}
			var value string
			if d.DecodeElement(&value, &t) == nil {
				ref.Value = strings.TrimSpace(value)
			}
			return ref
		case encxml.EndElement:
			return ref
		}
	}
}

// decodeRequest decodes the whole request into govmomi's request type (types.ReconfigVM_Task, …).
func decodeRequest(body []byte) (interface{}, error) {
	m, err := simulator.UnmarshalBody(typeFunc, body)
	if err != nil {
		return nil, err
	}
	return m.Body, nil
}

// decodeAnswer reads the element inside a SOAP answer's Body (e.g. a *types.RetrievePropertiesExResponse) into
// res with govmomi's decoder, as a client would; false when the body holds no such element.
func decodeAnswer(body []byte, res interface{}) bool {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.TypeFunc = types.TypeFunc()
	inBody := false
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if inBody {
			return d.DecodeElement(res, &start) == nil
		}
		inBody = start.Name.Local == "Body"
	}
}

// typeFunc resolves xsi:type names the way vcsim does, tolerating a namespace prefix.
func typeFunc(name string) (reflect.Type, bool) {
	resolve := types.TypeFunc()
	if t, ok := resolve(name); ok {
		return t, true
	}
	if i := strings.IndexByte(name, ':'); i >= 0 {
		return resolve(name[i+1:])
	}
	return nil, false
}

const envelopeOpen = `<?xml version="1.0" encoding="UTF-8"?>` +
	`<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"` +
	` xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"` +
	` xmlns:xsd="http://www.w3.org/2001/XMLSchema"` +
	` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>`

const envelopeClose = `</soapenv:Body></soapenv:Envelope>`

// writeResponse answers with res (e.g. *types.ContinueRetrievePropertiesExResponse) as the body element.
func writeResponse(w http.ResponseWriter, res interface{}) {
	var buf bytes.Buffer
	buf.WriteString(envelopeOpen)
	enc := xml.NewEncoder(&buf)
	name := reflect.TypeOf(res).Elem().Name()
	if err := enc.EncodeElement(res, xml.StartElement{Name: xml.Name{Space: vimNamespace, Local: name}}); err != nil {
		writeFault(w, err.Error(), &types.SystemError{Reason: err.Error()})
		return
	}
	_ = enc.Flush()
	buf.WriteString(envelopeClose)
	writeXML(w, http.StatusOK, buf.Bytes())
}

// writeFault answers with a SOAP fault, HTTP 500, detail element "<Type>Fault" with xsi:type, as vCenter does.
func writeFault(w http.ResponseWriter, message string, fault types.BaseMethodFault) {
	name := reflect.TypeOf(fault).Elem().Name()
	var buf bytes.Buffer
	buf.WriteString(envelopeOpen)
	buf.WriteString(`<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>`)
	buf.WriteString(textEscaper.Replace(message))
	buf.WriteString(`</faultstring><detail>`)
	enc := xml.NewEncoder(&buf)
	start := xml.StartElement{
		Name: xml.Name{Local: name + "Fault"},
		Attr: []xml.Attr{
			{Name: xml.Name{Local: "xmlns"}, Value: vimNamespace},
			{Name: xml.Name{Local: "xsi:type"}, Value: name},
		},
	}
	_ = enc.EncodeElement(fault, start)
	_ = enc.Flush()
	buf.WriteString(`</detail></soapenv:Fault>`)
	buf.WriteString(envelopeClose)
	writeXML(w, http.StatusInternalServerError, buf.Bytes())
}

func writeXML(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// textEscaper escapes element text; unlike encoding/xml's EscapeText it keeps newlines and quotes readable,
// as vCenter's multi-line faultstrings are.
var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// capturedResponse holds vcsim's answer so it can be inspected, rewritten or traced before it is sent.
type capturedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newCapturedResponse() *capturedResponse {
	return &capturedResponse{header: make(http.Header)}
}

func (c *capturedResponse) Header() http.Header { return c.header }

func (c *capturedResponse) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
}

func (c *capturedResponse) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c.body.Write(b)
}

func (c *capturedResponse) statusCode() int {
	if c.status == 0 {
		return http.StatusOK
	}
	return c.status
}

// sendTo copies the held answer, headers included (Set-Cookie on Login), to the client.
func (c *capturedResponse) sendTo(w http.ResponseWriter, body []byte) {
	for k, v := range c.header {
		if k == "Content-Length" {
			continue
		}
		w.Header()[k] = v
	}
	w.WriteHeader(c.statusCode())
	_, _ = w.Write(body)
}

// newSOAPRequest builds an in-process request to vcsim's handler carrying the caller's session cookie.
func newSOAPRequest(from *http.Request, path string, body string) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.RemoteAddr = from.RemoteAddr
	req.Header.Set("User-Agent", from.UserAgent())
	if c, err := from.Cookie(sessionCookie); err == nil {
		req.AddCookie(c)
	}
	return req
}
