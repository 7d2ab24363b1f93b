// RetrievePropertiesEx paging (compat). vCenter returns at most options.maxObjects objects plus a token, and
// ContinueRetrievePropertiesEx hands out the rest page by page; vcsim 0.24.2 ignores maxObjects and does not
// implement Continue/Cancel at all, so a client's paging loop would never run against it.
//
// The pager lets vcsim answer the whole retrieval, sends the first page and keeps the rest under a token that
// belongs to the caller's session and property collector.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/vmware/govmomi/vim25/types"
)

// pageLifetime bounds how long an abandoned token keeps its objects in memory.
const pageLifetime = 10 * time.Minute

type pager struct {
	mu      sync.Mutex
	counter int
	pages   map[string]*retrievalPages
}

type retrievalPages struct {
	session   string
	collector types.ManagedObjectReference
	pageSize  int
	rest      []types.ObjectContent
	created   time.Time
}

func newPager() *pager {
	return &pager{pages: map[string]*retrievalPages{}}
}

// retrieve forwards a RetrievePropertiesEx and, when maxObjects cuts the answer, keeps the remainder. Indexed
// paths (indexed.go) are answered on the way.
func (p *pager) retrieve(f *front, w http.ResponseWriter, r *http.Request, call *soapCall) {
	// Most retrievals set no maxObjects and index nothing; they skip the second decode.
	paged := bytes.Contains(call.body, []byte("maxObjects"))
	if !paged && !mayHaveIndexedPath(call.body) {
		forwardRetrieval(f, w, r, call)
		return
	}
	decoded, err := decodeRequest(call.body)
	req, ok := decoded.(*types.RetrievePropertiesEx)
	if err != nil || !ok {
		forwardRetrieval(f, w, r, call)
		return
	}
	selection := rewriteIndexedPaths(req)
	pageSize := int(req.Options.MaxObjects)
	if selection == nil && pageSize <= 0 {
		forwardRetrieval(f, w, r, call)
		return
	}
	if selection != nil {
		body, err := encodeRetrieveRequest(req)
		if err != nil {
			writeFault(w, err.Error(), &types.SystemError{Reason: err.Error()})
			return
		}
		r = newSOAPRequest(r, r.URL.Path, body)
	}

	held := newCapturedResponse()
	f.forward(held, r, call)
	if refusedWithoutSession(f, w, r, call, held) {
		return
	}
	result := decodeRetrieveResult(held.body.Bytes())
	if held.statusCode() != http.StatusOK || result == nil {
		held.sendTo(w, held.body.Bytes())
		return
	}
	if selection != nil {
		selection.pick(result.Objects)
	}
	if pageSize <= 0 || len(result.Objects) <= pageSize {
		if selection == nil {
			held.sendTo(w, held.body.Bytes())
		} else {
			writeResponse(w, &types.RetrievePropertiesExResponse{Returnval: result})
		}
		return
	}

	session := ""
	if c, err := r.Cookie(sessionCookie); err == nil {
		session = c.Value
	}
	page := types.RetrieveResult{
		Objects: result.Objects[:pageSize],
		Token: p.keep(&retrievalPages{
			session:   session,
			collector: call.this,
			pageSize:  pageSize,
			rest:      result.Objects[pageSize:],
			created:   time.Now(),
		}),
	}
	writeResponse(w, &types.RetrievePropertiesExResponse{Returnval: &page})
}

// forwardRetrieval hands a retrieval to vcsim as it is, and answers as vCenter would when there is no session.
func forwardRetrieval(f *front, w http.ResponseWriter, r *http.Request, call *soapCall) {
	held := newCapturedResponse()
	f.forward(held, r, call)
	if !refusedWithoutSession(f, w, r, call, held) {
		held.sendTo(w, held.body.Bytes())
	}
}

// refusedWithoutSession answers NotAuthenticated, as vCenter does, where vcsim answered a retrieval made without
// a session with every property "missing: NotAuthenticated" and HTTP 200. It tells whether it answered.
func refusedWithoutSession(f *front, w http.ResponseWriter, r *http.Request, call *soapCall, held *capturedResponse) bool {
	if held.statusCode() != http.StatusOK || !bytes.Contains(held.body.Bytes(), []byte("NotAuthenticated")) {
		return false
	}
	if _, authenticated := f.session(r); authenticated {
		return false
	}
	writeNotAuthenticated(w, call.this)
	return true
}

// tokenCall reads the page token of a Continue/CancelRetrievePropertiesEx call and its caller's session; on a bad
// request or a missing session it has answered already and returns ok=false.
func tokenCall(f *front, w http.ResponseWriter, r *http.Request, call *soapCall) (token, session string, ok bool) {
	decoded, err := decodeRequest(call.body)
	switch req := decoded.(type) {
	case *types.ContinueRetrievePropertiesEx:
		token = req.Token
	case *types.CancelRetrievePropertiesEx:
		token = req.Token
	default:
		err = errors.New("not a page-token call")
	}
	if err != nil {
		writeFault(w, "cannot read the request", &types.InvalidRequest{})
		return "", "", false
	}
	session, authenticated := f.session(r)
	if !authenticated {
		writeNotAuthenticated(w, call.this)
		return "", "", false
	}
	return token, session, true
}

func (p *pager) continueRetrieval(f *front, w http.ResponseWriter, r *http.Request, call *soapCall) {
	reqToken, session, ok := tokenCall(f, w, r, call)
	if !ok {
		return
	}

	p.mu.Lock()
	pages, found := p.pages[reqToken]
	var objects []types.ObjectContent
	token := ""
	if found && pages.session == session && pages.collector == call.this {
		n := pages.pageSize
		if n > len(pages.rest) {
			n = len(pages.rest)
		}
		objects = pages.rest[:n]
		pages.rest = pages.rest[n:]
		if len(pages.rest) == 0 {
			delete(p.pages, reqToken)
		} else {
			token = reqToken
		}
	} else {
		found = false
	}
	p.mu.Unlock()

	if !found {
		writeFault(w, "A specified parameter was not correct: token", &types.InvalidArgument{InvalidProperty: "token"})
		return
	}
	writeResponse(w, &types.ContinueRetrievePropertiesExResponse{
		Returnval: types.RetrieveResult{Token: token, Objects: objects},
	})
}

func (p *pager) cancelRetrieval(f *front, w http.ResponseWriter, r *http.Request, call *soapCall) {
	token, session, ok := tokenCall(f, w, r, call)
	if !ok {
		return
	}
	p.mu.Lock()
	if pages, found := p.pages[token]; found && pages.session == session && pages.collector == call.this {
		delete(p.pages, token)
	}
	p.mu.Unlock()
	writeResponse(w, &types.CancelRetrievePropertiesExResponse{})
}

func (p *pager) keep(pages *retrievalPages) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	for token, old := range p.pages {
		if time.Since(old.created) > pageLifetime {
			delete(p.pages, token)
		}
	}
	p.counter++
	token := fmt.Sprintf("%d", p.counter)
	p.pages[token] = pages
	return token
}

// decodeRetrieveResult reads vcsim's RetrievePropertiesEx answer.
func decodeRetrieveResult(body []byte) *types.RetrieveResult {
	var res types.RetrievePropertiesExResponse
	if !decodeAnswer(body, &res) {
		return nil
	}
	return res.Returnval
}

func writeNotAuthenticated(w http.ResponseWriter, this types.ManagedObjectReference) {
	writeFault(w, "", &types.NotAuthenticated{NoPermission: types.NoPermission{Object: this, PrivilegeId: "System.View"}})
}
