// The front handler: every HTTP request reaches it before vcsim's own mux. SOAP calls are counted, checked in
// strict mode, failed by injected faults, and routed through the compat layer; /govcsim/* serves the control
// endpoints; everything else (datastore /folder access, /about, …) goes to vcsim untouched.
//
// Control endpoints (JSON, no auth: the simulator listens on loopback for tests):
//
//	GET    /govcsim/stats      {"RetrievePropertiesEx": 3, …} SOAP requests per method since start or reset
//	DELETE /govcsim/stats      reset the counts
//	POST   /govcsim/faults     add a rule {method, vm?, fault, count?, message?, props?}; 201 with the rule
//	GET    /govcsim/faults     the rules with their remaining counts and hits
//	DELETE /govcsim/faults     remove every rule
//	GET    /govcsim/inventory  the inventory JSON as it is now (same shape as stdout's second line)
//	GET    /govcsim/collector  what the compat property collector did: waits, answers, retrievals, objects collected
//	DELETE /govcsim/collector  reset those counts
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

type front struct {
	cfg        *config
	vcsim      http.Handler
	hooks      *taskHooks
	faults     *faultRules
	counts     *callCounts
	pager      *pager
	collectors *collectors
	trace      *tracer
	logger     *log.Logger
	describe   func() *inventory
}

func newFront(cfg *config, vcsim http.Handler, hooks *taskHooks, faults *faultRules, logger *log.Logger, describe func() *inventory) *front {
	f := &front{
		cfg:        cfg,
		vcsim:      vcsim,
		hooks:      hooks,
		faults:     faults,
		counts:     newCallCounts(),
		pager:      newPager(),
		collectors: newCollectors(),
		logger:     logger,
		describe:   describe,
	}
	if cfg.trace {
		f.trace = &tracer{out: os.Stderr}
	}
	return f
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/govcsim/stats":
		f.serveStats(w, r)
	case r.URL.Path == "/govcsim/faults":
		f.serveFaults(w, r)
	case r.URL.Path == "/govcsim/inventory":
		writeJSON(w, http.StatusOK, f.describe())
	case r.URL.Path == "/govcsim/collector":
		f.serveCollectorCounts(w, r)
	case r.Method == http.MethodPost && (r.URL.Path == "/sdk" || r.URL.Path == "/sdk/vimService"):
		f.serveSOAP(w, r)
	default:
		f.vcsim.ServeHTTP(w, r)
	}
}

func (f *front) serveSOAP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	call := readCall(body)
	f.counts.add(call.method)

	if f.trace != nil {
		f.trace.request(call.method, body)
		client, held := w, newCapturedResponse()
		defer func() {
			f.trace.response(call.method, held.statusCode(), held.body.Bytes())
			held.sendTo(client, held.body.Bytes())
		}()
		w = held
	}

	if f.cfg.strict {
		if bad := checkRequest(body); bad != nil {
			writeFault(w, bad.message, &types.InvalidRequest{})
			return
		}
	}

	if !isTaskMethod(call.method) {
		if rule := f.faults.match(call.method, faultTarget{this: call.this}); rule != nil {
			if fault := f.faults.take(rule); fault != nil {
				writeFault(w, rule.message(), fault)
				return
			}
		}
	}

	switch {
	case f.cfg.compat && call.method == "RetrievePropertiesEx":
		f.pager.retrieve(f, w, r, call)
	case f.cfg.compat && call.method == "RetrieveProperties":
		forwardRetrieval(f, w, r, call)
	case f.cfg.compat && call.method == "ContinueRetrievePropertiesEx":
		f.pager.continueRetrieval(f, w, r, call)
	case f.cfg.compat && call.method == "CancelRetrievePropertiesEx":
		f.pager.cancelRetrieval(f, w, r, call)
	case f.cfg.compat && call.method == "WaitForUpdatesEx":
		f.waitForUpdates(w, r, call)
	case f.cfg.compat && call.method == "CancelWaitForUpdates":
		f.cancelWait(w, r, call)
	case f.cfg.compat && call.method == "CreateFilter":
		f.createFilter(w, r, call)
	case f.cfg.compat && call.method == "DestroyPropertyFilter":
		f.destroyFilter(w, r, call)
	case f.cfg.compat && call.method == "DestroyPropertyCollector":
		f.destroyCollector(w, r, call)
	case f.cfg.compat && call.method == "CreateContainerView":
		f.createView(w, r, call)
	case f.cfg.compat && call.method == "DestroyView":
		f.destroyView(w, r, call)
	case f.cfg.compat && call.method == "Logout":
		f.logout(w, r, call)
	case f.cfg.compat && call.method == "ShutdownGuest":
		f.shutdownGuest(w, r, call)
	case isTaskMethod(call.method):
		f.forwardTask(w, r, call)
	default:
		f.forward(w, r, call)
	}
}

// forwardTask parks what the task hooks need (the decoded request, an injected fault) while vcsim runs it.
func (f *front) forwardTask(w http.ResponseWriter, r *http.Request, call *soapCall) {
	unlock := f.hooks.lockObject(call.this)
	defer unlock()

	p := &pendingCall{key: taskKey(call.method)}
	target := faultTarget{this: call.this}
	needsRequest := f.cfg.compat && compatReadsRequest[call.method]
	if call.method == "CreateVM_Task" && !f.faults.empty() {
		needsRequest = true // a rule may name the VM being created
	}
	if needsRequest {
		if req, err := decodeRequest(call.body); err == nil {
			p.req = req
			if create, ok := req.(*types.CreateVM_Task); ok {
				target.newName = create.Config.Name
			}
		}
	}

	// vCenter refuses an unknown pool or host at the call; vcsim would panic inside the task.
	if create, ok := p.req.(*types.CreateVM_Task); ok && f.cfg.compat {
		if missing := missingObject(create.Pool, create.Host); missing != nil {
			if _, authenticated := f.session(r); authenticated {
				msg := fmt.Sprintf("The object '%s:%s' has already been deleted or has not been completely created", missing.Type, missing.Value)
				writeFault(w, msg, &types.ManagedObjectNotFound{Obj: *missing})
				return
			}
		}
	}

	p.rule = f.faults.match(call.method, target)
	if p.req != nil || p.rule != nil {
		withdraw := f.hooks.park(call.this, p)
		defer withdraw()
	}
	f.forward(w, r, call)
}

// compatReadsRequest lists the task methods whose compat behaviour needs the request's arguments.
var compatReadsRequest = map[string]bool{
	"ReconfigVM_Task": true,
	"Rename_Task":     true,
	"CreateVM_Task":   true,
}

func missingObject(pool types.ManagedObjectReference, host *types.ManagedObjectReference) *types.ManagedObjectReference {
	if simulator.Map.Get(pool) == nil {
		return &pool
	}
	if host != nil && simulator.Map.Get(*host) == nil {
		return host
	}
	return nil
}

// forward hands the request to vcsim. With compat, a panic in vcsim becomes a SystemError fault instead of a
// dropped connection.
func (f *front) forward(w http.ResponseWriter, r *http.Request, call *soapCall) {
	if !f.cfg.compat {
		f.vcsim.ServeHTTP(w, r)
		return
	}
	tw := &trackingWriter{ResponseWriter: w}
	defer func() {
		if p := recover(); p != nil {
			f.logger.Printf("%s panicked in vcsim: %v", call.method, p)
			if !tw.wrote {
				writeFault(tw, fmt.Sprintf("vcsim failed: %v", p), &types.SystemError{Reason: fmt.Sprint(p)})
			}
		}
	}()
	f.vcsim.ServeHTTP(tw, r)
}

// session reports the caller's session key and whether vcsim still knows it, by asking vcsim a question
// only a live session may ask (CurrentTime). The probe does not go through the front handler, so it is not
// counted.
func (f *front) session(r *http.Request) (string, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return "", false
	}
	probe := newSOAPRequest(r, "/sdk", currentTimeRequest)
	held := newCapturedResponse()
	f.vcsim.ServeHTTP(held, probe)
	return c.Value, held.statusCode() == http.StatusOK
}

const currentTimeRequest = `<?xml version="1.0" encoding="UTF-8"?>` +
	`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>` +
	`<CurrentTime xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></CurrentTime>` +
	`</soapenv:Body></soapenv:Envelope>`

func (f *front) serveStats(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, f.counts.snapshot())
	case http.MethodDelete:
		f.counts.reset()
		w.WriteHeader(http.StatusNoContent)
	default:
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use GET or DELETE"})
	}
}

func (f *front) serveCollectorCounts(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, f.collectors.counts.snapshot())
	case http.MethodDelete:
		f.collectors.counts.reset()
		w.WriteHeader(http.StatusNoContent)
	default:
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use GET or DELETE"})
	}
}

func (f *front) serveFaults(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, f.faults.list())
	case http.MethodPost:
		var rule faultRule
		d := json.NewDecoder(r.Body)
		d.DisallowUnknownFields()
		if err := d.Decode(&rule); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad rule: " + err.Error()})
			return
		}
		added, err := f.faults.add(rule)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusCreated, added)
	case http.MethodDelete:
		f.faults.clear()
		w.WriteHeader(http.StatusNoContent)
	default:
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use GET, POST or DELETE"})
	}
}

func writeJSON(w http.ResponseWriter, status int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// trackingWriter remembers whether vcsim started its answer, so a recovered panic does not write a second.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (t *trackingWriter) WriteHeader(status int) {
	t.wrote = true
	t.ResponseWriter.WriteHeader(status)
}

func (t *trackingWriter) Write(b []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(b)
}
