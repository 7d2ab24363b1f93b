// WaitForUpdatesEx (compat): the front answers it itself, per change (collector.go, filter_updates.go), where
// vcsim 0.24.2 differs from vCenter in these ways:
//
//   - vcsim re-collects a collector's whole filters on every registry event while a wait runs, so one change
//     among N watched VMs costs N collections (and every task's progress costs as much). vCenter reports per
//     change: an update carries the objects and paths that changed since the client's version.
//   - vcsim ignores the version a client sends: it answers every wait with the changes queued since its last
//     answer, so an answer lost on the way (a reset connection, a client that gave up waiting) is lost for good.
//     vCenter computes the answer from the client's version, so a client that asks again with the version it
//     holds gets what it missed. The front numbers the answers per collector (1, 2, ...) and keeps the last one:
//     a wait with the version before it gets that answer again; any other unknown version is refused with
//     InvalidCollectorVersion, as vCenter refuses one.
//   - vcsim lets two waits on one collector run at once (a client's retry beside the wait it gave up on), and
//     both then edit the filter's object set: the process dies of a concurrent map write. The front runs one wait
//     per collector at a time.
//   - vcsim sends every modification of an object since the last answer, each with its whole value, and lists an
//     object's enter (collected as it answers) before older queued changes of it. The front sends each object
//     once per answer, with its latest values, so an update applied in order moves every object forward only.
//   - vcsim queues events on every collector that ever waited, for ever, whether or not anyone waits again; the
//     front's collectors keep at most one entry per watched object, and go with their session.
package main

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/vmware/govmomi/vim25/types"
)

// gatherDelay lets a burst of events (a task's steps, a reconfigure's several updates) land in one answer.
const gatherDelay = 20 * time.Millisecond

func (f *front) waitForUpdates(w http.ResponseWriter, r *http.Request, call *soapCall) {
	decoded, err := decodeRequest(call.body)
	req, ok := decoded.(*types.WaitForUpdatesEx)
	if err != nil || !ok {
		writeFault(w, "cannot read the request", &types.InvalidRequest{})
		return
	}
	// vcsim says whether the caller's session holds this collector (NotAuthenticated, ManagedObjectNotFound)
	if refused := f.probeCollector(r, call.this); refused != nil {
		refused.sendTo(w, refused.body.Bytes())
		return
	}
	c := f.collectors.get(collectorKey{session: sessionOf(r), ref: call.this})
	c.wait.Lock()
	defer c.wait.Unlock()
	atomic.AddInt64(&f.collectors.counts.waits, 1)

	switch req.Version {
	case "":
		c.version = 0
		c.resetFilters()
	case strconv.Itoa(c.version):
	case strconv.Itoa(c.version - 1):
		// the client never got the last answer
		writeXML(w, http.StatusOK, c.last)
		return
	default:
		writeFault(w, "The specified version is invalid.", &types.InvalidCollectorVersion{})
		return
	}

	ctx, cancel := waitContext(r.Context(), req.Options)
	defer cancel()
	c.mu.Lock()
	c.cancel, c.canceled, c.waiting = cancel, false, true
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.cancel, c.waiting, c.lastUsed = nil, false, time.Now()
		c.mu.Unlock()
	}()
	once := req.Options != nil && req.Options.MaxWaitSeconds != nil && *req.Options.MaxWaitSeconds == 0

	for {
		set, refused := f.updateSet(r, c)
		if refused != nil {
			refused.sendTo(w, refused.body.Bytes())
			return
		}
		// the first answer comes at once, even with nothing in it: it is the client's starting version
		if len(set.FilterSet) > 0 || req.Version == "" {
			c.version++
			set.Version = strconv.Itoa(c.version)
			answer := newCapturedResponse()
			writeResponse(answer, &types.WaitForUpdatesExResponse{Returnval: set})
			c.last = answer.body.Bytes()
			atomic.AddInt64(&f.collectors.counts.answers, 1)
			answer.sendTo(w, c.last)
			return
		}
		if once {
			writeResponse(w, &types.WaitForUpdatesExResponse{})
			return
		}
		select {
		case <-c.wake:
			select {
			case <-time.After(gatherDelay):
			case <-ctx.Done():
			}
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			c.mu.Lock()
			canceled := c.canceled
			c.mu.Unlock()
			switch {
			case canceled:
				writeFault(w, "The task was canceled by a user.", &types.RequestCanceled{})
			case r.Context().Err() != nil:
				// the client went away; nothing was computed for it
			default:
				writeResponse(w, &types.WaitForUpdatesExResponse{}) // maxWaitSeconds passed: no updates
			}
			return
		}
	}
}

// waitContext ends at the client's maxWaitSeconds (none: no end but the client's).
func waitContext(parent context.Context, options *types.WaitOptions) (context.Context, context.CancelFunc) {
	if options != nil && options.MaxWaitSeconds != nil && *options.MaxWaitSeconds > 0 {
		return context.WithTimeout(parent, time.Duration(*options.MaxWaitSeconds)*time.Second)
	}
	return context.WithCancel(parent)
}

// updateSet computes the collector's update from what changed; the filters remember it only when every filter
// could be computed.
func (f *front) updateSet(r *http.Request, c *collector) (*types.UpdateSet, *capturedResponse) {
	dirty, filters := c.takeDirty()
	set := &types.UpdateSet{}
	pending := make([]*pendingUpdate, 0, len(filters))
	for _, flt := range filters {
		p, refused := f.updateOf(r, c.key.ref, flt, dirty)
		if refused != nil {
			c.giveBack(dirty)
			return nil, refused
		}
		if p != nil {
			pending = append(pending, p)
		}
	}
	c.mu.Lock()
	for _, p := range pending {
		p.commit()
		if len(p.update.ObjectSet) > 0 {
			set.FilterSet = append(set.FilterSet, p.update)
		}
	}
	c.mu.Unlock()
	return set, nil
}

// probeCollector asks vcsim whether the caller may use the collector, with a call that changes nothing
// (CancelWaitForUpdates: vcsim runs no wait of its own here); it returns vcsim's fault, or nil.
func (f *front) probeCollector(r *http.Request, pc types.ManagedObjectReference) *capturedResponse {
	body := envelopeOpen + `<CancelWaitForUpdates xmlns="urn:vim25"><_this type="PropertyCollector">` +
		textEscaper.Replace(pc.Value) + `</_this></CancelWaitForUpdates>` + envelopeClose
	held := newCapturedResponse()
	f.forward(held, newSOAPRequest(r, "/sdk", body), &soapCall{method: "CancelWaitForUpdates"})
	if held.statusCode() == http.StatusOK {
		return nil
	}
	return held
}

// cancelWait ends the collector's running wait with RequestCanceled, then lets vcsim answer the call.
func (f *front) cancelWait(w http.ResponseWriter, r *http.Request, call *soapCall) {
	if c := f.collectors.find(collectorKey{session: sessionOf(r), ref: call.this}); c != nil {
		c.mu.Lock()
		if c.cancel != nil {
			c.canceled = true
			c.cancel()
		}
		c.mu.Unlock()
	}
	f.forward(w, r, call)
}

// createFilter lets vcsim make the filter, then records its spec with the collector.
func (f *front) createFilter(w http.ResponseWriter, r *http.Request, call *soapCall) {
	held := newCapturedResponse()
	f.forward(held, r, call)
	defer held.sendTo(w, held.body.Bytes())
	if held.statusCode() != http.StatusOK {
		return
	}
	decoded, err := decodeRequest(call.body)
	req, ok := decoded.(*types.CreateFilter)
	var res types.CreateFilterResponse
	if err != nil || !ok || !decodeAnswer(held.body.Bytes(), &res) {
		return
	}
	session := sessionOf(r)
	c := f.collectors.get(collectorKey{session: session, ref: call.this})
	flt := newFilter(res.Returnval, req.Spec)
	if flt.overView {
		if scope := f.collectors.view(collectorKey{session: session, ref: req.Spec.ObjectSet[0].Obj}); scope != nil && scope.byAncestry() {
			flt.scope = scope
		}
	}
	c.mu.Lock()
	c.filters[flt.ref] = flt
	c.lastUsed = time.Now()
	c.mu.Unlock()
	c.signal() // a running wait reports the new filter's objects
}

// destroyFilter lets vcsim destroy the filter, then forgets it.
func (f *front) destroyFilter(w http.ResponseWriter, r *http.Request, call *soapCall) {
	held := newCapturedResponse()
	f.forward(held, r, call)
	if held.statusCode() == http.StatusOK {
		session := sessionOf(r)
		f.collectors.each(func(c *collector) {
			if c.key.session != session {
				return
			}
			c.mu.Lock()
			delete(c.filters, call.this)
			c.mu.Unlock()
		})
	}
	held.sendTo(w, held.body.Bytes())
}

// destroyCollector lets vcsim destroy the collector, then forgets it.
func (f *front) destroyCollector(w http.ResponseWriter, r *http.Request, call *soapCall) {
	held := newCapturedResponse()
	f.forward(held, r, call)
	if held.statusCode() == http.StatusOK {
		f.collectors.drop(collectorKey{session: sessionOf(r), ref: call.this})
	}
	held.sendTo(w, held.body.Bytes())
}

// createView records a session's ContainerView and what it holds: its handler goes when the session ends
// unannounced, and a filter over it decides membership from that (viewScope.holds).
func (f *front) createView(w http.ResponseWriter, r *http.Request, call *soapCall) {
	held := newCapturedResponse()
	f.forward(held, r, call)
	var res types.CreateContainerViewResponse
	if held.statusCode() == http.StatusOK && decodeAnswer(held.body.Bytes(), &res) {
		scope := &viewScope{}
		if decoded, err := decodeRequest(call.body); err == nil {
			if req, ok := decoded.(*types.CreateContainerView); ok {
				scope = &viewScope{container: req.Container, recursive: req.Recursive, types: req.Type}
			}
		}
		f.collectors.mu.Lock()
		f.collectors.views[collectorKey{session: sessionOf(r), ref: res.Returnval}] = scope
		f.collectors.mu.Unlock()
	}
	held.sendTo(w, held.body.Bytes())
}

func (f *front) destroyView(w http.ResponseWriter, r *http.Request, call *soapCall) {
	held := newCapturedResponse()
	f.forward(held, r, call)
	if held.statusCode() == http.StatusOK {
		f.collectors.mu.Lock()
		delete(f.collectors.views, collectorKey{session: sessionOf(r), ref: call.this})
		f.collectors.mu.Unlock()
	}
	held.sendTo(w, held.body.Bytes())
}

// logout lets vcsim end the session, then drops what the front held for it.
func (f *front) logout(w http.ResponseWriter, r *http.Request, call *soapCall) {
	session := sessionOf(r)
	held := newCapturedResponse()
	f.forward(held, r, call)
	if held.statusCode() == http.StatusOK && session != "" {
		f.collectors.dropSession(session)
	}
	held.sendTo(w, held.body.Bytes())
}

func sessionOf(r *http.Request) string {
	if c, err := r.Cookie(sessionCookie); err == nil {
		return c.Value
	}
	return ""
}
