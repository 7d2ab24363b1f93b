// Property collectors (compat): what the front keeps of each collector so it can answer WaitForUpdatesEx per
// change, as vCenter does, instead of letting vcsim re-collect every watched object on every change.
//
// vcsim 0.24.2 queues every registry event (each task's progress, each VM change) on every collector that ever
// waited, and for each queued event re-runs the collector's whole filters: with a filter on a ContainerView of N
// VMs, every operation anywhere costs the simulator N object collections per waiting client, and a collector whose
// client went away queues events for ever. vCenter keeps, per filter, which objects it reported, and an update
// carries only what changed since the version the client holds.
//
// Here the front records each filter's spec as CreateFilter passes (vcsim keeps its own copy, so Destroy and
// RetrieveProperties on the filter still work), and one registry handler, the change feed, notes for each collector
// which watched objects changed and which property names each change named. A wait then collects only those
// objects, and only the watched paths the changes touched (filter_updates.go). The feed keeps at most one entry
// per watched object between two waits, so a collector nobody waits on holds no more than its objects; collectors
// of sessions that ended are dropped (sweepSessions).
package main

import (
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// collectorKey names a collector: the default "propertyCollector" exists once per session.
type collectorKey struct {
	session string
	ref     types.ManagedObjectReference
}

// collector is the front's picture of one property collector.
type collector struct {
	key collectorKey

	// wait is held while a WaitForUpdatesEx of this collector runs: one at a time, as vCenter serves them.
	wait    sync.Mutex
	version int    // the number of the last answer with updates, 0 before the first
	last    []byte // that answer, for a client that did not get it

	mu       sync.Mutex
	filters  map[types.ManagedObjectReference]*filter
	dirty    map[types.ManagedObjectReference]*dirtyObject // what changed since the last computation
	wake     chan struct{}                                 // a change or a new filter arrived
	cancel   func()                                        // ends the running wait (CancelWaitForUpdates)
	canceled bool
	waiting  bool
	lastUsed time.Time
}

// dirtyObject is what the feed heard of one object since the collector last computed an update.
type dirtyObject struct {
	obj     mo.Reference // the object as the registry gave it; nil when only its removal was heard
	removed bool
	put     bool            // the object was added to the registry
	names   map[string]bool // property paths the changes named
	all     bool            // too many names to keep, or a put: treat every path as changed
}

// maxDirtyNames bounds the names kept per object; past it every watched path counts as changed.
const maxDirtyNames = 64

func newCollector(key collectorKey) *collector {
	return &collector{
		key:      key,
		filters:  map[types.ManagedObjectReference]*filter{},
		dirty:    map[types.ManagedObjectReference]*dirtyObject{},
		wake:     make(chan struct{}, 1),
		lastUsed: time.Now(),
	}
}

func (c *collector) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// note records one registry event for the filters it concerns.
func (c *collector) note(ref types.ManagedObjectReference, obj mo.Reference, changes []types.PropertyChange, removed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	interested := false
	for _, f := range c.filters {
		if f.isRoot(ref) && obj != nil {
			f.rememberView(obj)
		}
		if f.interested(ref, obj) {
			interested = true
		}
	}
	if !interested {
		return
	}
	d := c.dirty[ref]
	if d == nil {
		d = &dirtyObject{}
		c.dirty[ref] = d
	}
	if obj != nil {
		d.obj = obj
	}
	if removed {
		d.removed = true
	}
	if changes == nil && !removed {
		d.all, d.put = true, true // a put: the object is new to the registry
	}
	for _, change := range changes {
		if d.all {
			break
		}
		if d.names == nil {
			d.names = map[string]bool{}
		}
		d.names[change.Name] = true
		if len(d.names) > maxDirtyNames {
			d.all, d.names = true, nil
		}
	}
	c.signal()
}

// takeDirty hands over what changed since the last computation, and the filters as they are now (by reference).
func (c *collector) takeDirty() (map[types.ManagedObjectReference]*dirtyObject, []*filter) {
	c.mu.Lock()
	defer c.mu.Unlock()
	dirty := c.dirty
	c.dirty = map[types.ManagedObjectReference]*dirtyObject{}
	filters := make([]*filter, 0, len(c.filters))
	for _, f := range c.filters {
		f.viewSeen = f.viewObj
		filters = append(filters, f)
	}
	sort.Slice(filters, func(i, j int) bool { return filters[i].ref.Value < filters[j].ref.Value })
	return dirty, filters
}

// giveBack returns changes a failed computation took, merged with what arrived since.
func (c *collector) giveBack(dirty map[types.ManagedObjectReference]*dirtyObject) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for ref, d := range dirty {
		now := c.dirty[ref]
		if now == nil {
			c.dirty[ref] = d
			continue
		}
		now.removed = now.removed || d.removed
		now.all = now.all || d.all
		if now.obj == nil {
			now.obj = d.obj
		}
		for name := range d.names {
			if now.names == nil {
				now.names = map[string]bool{}
			}
			now.names[name] = true
		}
	}
}

// resetFilters makes every filter report its objects afresh (a wait with version "").
func (c *collector) resetFilters() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range c.filters {
		f.ready = false
		f.members = nil
	}
}

// collectors is the front's registry of collectors, and the change feed that keeps them informed: it is added
// to vcsim's registry as a handler, so it hears every put, update and removal of a managed object.
type collectors struct {
	mu     sync.RWMutex
	byKey  map[collectorKey]*collector
	views  map[collectorKey]*viewScope // ContainerViews per session, so an ended session's views can be let go
	counts workCounts
}

var collectorsRef = types.ManagedObjectReference{Type: "GovcsimChangeFeed", Value: "govcsim-change-feed"}

func newCollectors() *collectors {
	return &collectors{byKey: map[collectorKey]*collector{}, views: map[collectorKey]*viewScope{}}
}

func (cs *collectors) Reference() types.ManagedObjectReference { return collectorsRef }

func (cs *collectors) PutObject(obj mo.Reference) {
	cs.each(func(c *collector) { c.note(obj.Reference(), obj, nil, false) })
}

func (cs *collectors) UpdateObject(obj mo.Reference, changes []types.PropertyChange) {
	cs.each(func(c *collector) { c.note(obj.Reference(), obj, changes, false) })
}

func (cs *collectors) RemoveObject(ref types.ManagedObjectReference) {
	cs.each(func(c *collector) { c.note(ref, nil, nil, true) })
}

func (cs *collectors) each(fn func(*collector)) {
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	for _, c := range cs.byKey {
		fn(c)
	}
}

func (cs *collectors) get(key collectorKey) *collector {
	cs.mu.RLock()
	c := cs.byKey[key]
	cs.mu.RUnlock()
	if c != nil {
		return c
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if c = cs.byKey[key]; c == nil {
		c = newCollector(key)
		cs.byKey[key] = c
	}
	return c
}

func (cs *collectors) view(key collectorKey) *viewScope {
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	return cs.views[key]
}

func (cs *collectors) find(key collectorKey) *collector {
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	return cs.byKey[key]
}

// drop forgets a collector and ends its running wait.
func (cs *collectors) drop(key collectorKey) {
	cs.mu.Lock()
	c := cs.byKey[key]
	delete(cs.byKey, key)
	cs.mu.Unlock()
	if c != nil {
		c.mu.Lock()
		if c.cancel != nil {
			c.cancel()
		}
		c.mu.Unlock()
	}
}

// dropSession forgets every collector and view of a session that ended. vCenter destroys a session's
// collectors, filters and views with it; vcsim keeps the views' registry handlers, each of which walks its
// container on every object put.
func (cs *collectors) dropSession(session string) {
	cs.mu.Lock()
	var gone []collectorKey
	for key := range cs.byKey {
		if key.session == session {
			gone = append(gone, key)
		}
	}
	var views []types.ManagedObjectReference
	for key := range cs.views {
		if key.session == session {
			views = append(views, key.ref)
			delete(cs.views, key)
		}
	}
	cs.mu.Unlock()
	for _, key := range gone {
		cs.drop(key)
	}
	for _, view := range views {
		simulator.Map.RemoveHandler(handlerRef(view))
	}
}

// handlerRef stands for a registry handler known only by its reference (RemoveHandler looks no further).
type handlerRef types.ManagedObjectReference

func (h handlerRef) Reference() types.ManagedObjectReference         { return types.ManagedObjectReference(h) }
func (handlerRef) PutObject(mo.Reference)                            {}
func (handlerRef) UpdateObject(mo.Reference, []types.PropertyChange) {}
func (handlerRef) RemoveObject(types.ManagedObjectReference)         {}

// sessionsOf lists the sessions the front holds something for, with the time each was last used.
func (cs *collectors) sessionsIdleSince(cutoff time.Time) []string {
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	seen := map[string]bool{}
	var out []string
	for key, c := range cs.byKey {
		c.mu.Lock()
		idle := !c.waiting && c.lastUsed.Before(cutoff)
		c.mu.Unlock()
		if idle && !seen[key.session] {
			seen[key.session] = true
			out = append(out, key.session)
		}
	}
	for key := range cs.views {
		if !seen[key.session] {
			seen[key.session] = true
			out = append(out, key.session)
		}
	}
	return out
}

// sessionIdleCheck is how long a collector may go without a wait before the sweeper asks whether its session
// still exists.
const sessionIdleCheck = time.Minute

// sweepSessions drops, every sessionIdleCheck, what the front holds for sessions vcsim no longer knows (expired,
// terminated, logged out), until stop is closed.
func (f *front) sweepSessions(stop <-chan struct{}) {
	ticker := time.NewTicker(sessionIdleCheck)
	defer ticker.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-ticker.C:
			for _, session := range f.collectors.sessionsIdleSince(now.Add(-sessionIdleCheck)) {
				if !f.sessionAlive(session) {
					f.collectors.dropSession(session)
				}
			}
		}
	}
}

// sessionAlive asks vcsim whether the session key is still logged in.
func (f *front) sessionAlive(session string) bool {
	probe, _ := http.NewRequest(http.MethodPost, "/sdk", strings.NewReader(currentTimeRequest))
	probe.AddCookie(&http.Cookie{Name: sessionCookie, Value: session})
	held := newCapturedResponse()
	f.vcsim.ServeHTTP(held, probe)
	return held.statusCode() == http.StatusOK
}

// moTypeOf is the vim25/mo struct type inside a registry object (vcsim wraps them: simulator.VirtualMachine
// embeds mo.VirtualMachine first).
func moTypeOf(obj mo.Reference) reflect.Type {
	t := reflect.TypeOf(obj)
	for t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	for t.Kind() == reflect.Struct && t.PkgPath() != moPkgPath && t.NumField() > 0 {
		t = t.Field(0).Type
	}
	return t
}

var moPkgPath = reflect.TypeOf(mo.Folder{}).PkgPath()

var typeMatchCache sync.Map // [2]string{concrete, wanted} → bool

// isOfType tells whether an object of the registry is of the property spec type `wanted`, itself or by
// embedding (ManagedEntity, ComputeResource), as vcsim's collector decides.
func isOfType(ref types.ManagedObjectReference, obj mo.Reference, wanted string) bool {
	if ref.Type == wanted {
		return true
	}
	key := [2]string{ref.Type, wanted}
	if known, ok := typeMatchCache.Load(key); ok {
		return known.(bool)
	}
	if obj == nil {
		obj = simulator.Map.Get(ref)
		if obj == nil {
			return false
		}
	}
	t := moTypeOf(obj)
	match := t.Name() == wanted
	if !match && t.Kind() == reflect.Struct {
		field, ok := t.FieldByName(wanted)
		match = ok && field.Anonymous
	}
	typeMatchCache.Store(key, match)
	return match
}

// viewScope is what a ContainerView was made to hold, as CreateContainerView asked.
type viewScope struct {
	container types.ManagedObjectReference
	recursive bool
	types     []string
}

// byAncestry tells whether membership can be decided from an object's parents: true for a view of a folder or
// datacenter, whose objects have it among their ancestors (a resource pool's VMs have a folder as parent).
func (v *viewScope) byAncestry() bool {
	return v.container.Type == "Folder" || v.container.Type == "Datacenter"
}

// holds tells whether a new object belongs in the view, from its type and parents. vcsim's ContainerView writes
// its own list without its lock as objects are put, so it cannot be read safely while VMs are being created.
func (v *viewScope) holds(ref types.ManagedObjectReference) bool {
	if len(v.types) > 0 {
		ok := false
		for _, t := range v.types {
			ok = ok || isOfType(ref, nil, t)
		}
		if !ok {
			return false
		}
	}
	obj, _ := simulator.Map.Get(ref).(mo.Entity)
	for depth := 0; obj != nil && depth < 64; depth++ {
		parent := obj.Entity().Parent
		if parent == nil {
			return false
		}
		if *parent == v.container {
			return true
		}
		if !v.recursive {
			return false
		}
		obj, _ = simulator.Map.Get(*parent).(mo.Entity)
	}
	return false
}
