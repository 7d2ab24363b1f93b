// One property filter's update, computed per change (compat): which objects entered, left or changed since the
// collector's last answer, with the values of the watched paths that changed, as vCenter reports them.
//
//   - A filter's first update (after CreateFilter, or a wait with version "") collects its whole spec, as vcsim
//     would: every object enters with every watched path.
//   - A filter over a view (its root a ContainerView or ListView, skipped, one traversal of "view": how portlayer,
//     govmomi and pyVmomi watch a folder or a list of tasks) collects only the objects that entered or changed. A
//     reconfigure of one VM among N costs one object collection, not N. An object entering a ContainerView of a
//     folder is found from its parents as it is put; other views' lists are read when the view changed.
//   - Any other filter is collected whole when one of the objects it may reach changed (a filter on one task or VM
//     is one object), and compared with what it reported.
//
// The front keeps, per reported object and path, a fingerprint of the value it sent, so a change that leaves a
// watched value as it was (a reconfigure of another key, for `config.extraConfig["key"]`) sends nothing, and a
// path whose value went away is sent as removed. Indexed ExtraConfig paths (indexed.go) work in filters as they do
// in RetrievePropertiesEx.
package main

import (
	"bytes"
	"hash/fnv"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"
)

// filter is the front's record of one PropertyFilter.
type filter struct {
	ref  types.ManagedObjectReference
	spec types.PropertyFilterSpec

	roots     map[types.ManagedObjectReference]bool
	travTypes map[string]bool
	overView  bool         // the spec is one traversal of a view's "view" property
	viewObj   mo.Reference // that view, as the registry last reported it changing (guarded by collector.mu)
	viewSeen  mo.Reference // viewObj as the running computation took it
	scope     *viewScope   // what the view holds, when membership follows from an object's parents

	ready   bool // the first update (every object as enter) was sent
	members map[types.ManagedObjectReference]reported
}

// reported is what was last sent of one object: a fingerprint per path.
type reported map[string]uint64

func newFilter(ref types.ManagedObjectReference, spec types.PropertyFilterSpec) *filter {
	f := &filter{ref: ref, spec: spec, roots: map[types.ManagedObjectReference]bool{}, travTypes: map[string]bool{}}
	for _, o := range spec.ObjectSet {
		f.roots[o.Obj] = true
		for _, s := range o.SelectSet {
			collectTraversalTypes(s, f.travTypes, map[types.BaseSelectionSpec]bool{})
		}
	}
	if len(spec.ObjectSet) == 1 {
		o := spec.ObjectSet[0]
		if (o.Obj.Type == "ContainerView" || o.Obj.Type == "ListView") && !isFalseBool(o.Skip) && len(o.SelectSet) == 1 {
			if ts, ok := o.SelectSet[0].(*types.TraversalSpec); ok {
				f.overView = ts.Type == o.Obj.Type && ts.Path == "view" && isFalseBool(ts.Skip) && len(ts.SelectSet) == 0
			}
		}
	}
	return f
}

func collectTraversalTypes(s types.BaseSelectionSpec, into map[string]bool, seen map[types.BaseSelectionSpec]bool) {
	if seen[s] {
		return
	}
	seen[s] = true
	if ts, ok := s.(*types.TraversalSpec); ok {
		into[ts.Type] = true
		for _, nested := range ts.SelectSet {
			collectTraversalTypes(nested, into, seen)
		}
	}
}

func isFalseBool(b *bool) bool { return b == nil || !*b }

func (f *filter) isRoot(ref types.ManagedObjectReference) bool { return f.roots[ref] }

// rememberView keeps the view object the registry handed the feed, so its list can be read when it changes.
func (f *filter) rememberView(obj mo.Reference) {
	switch obj.(type) {
	case *mo.ContainerView, *mo.ListView:
		f.viewObj = obj
	}
}

// interested tells whether an event on ref may change what this filter reports.
func (f *filter) interested(ref types.ManagedObjectReference, obj mo.Reference) bool {
	if f.roots[ref] {
		return true
	}
	if _, member := f.members[ref]; member {
		return true
	}
	if obj == nil {
		return false // a removal of an object the filter never reported
	}
	if !f.overView && f.travTypes[ref.Type] {
		return true
	}
	for _, p := range f.spec.PropSet {
		if isOfType(ref, obj, p.Type) {
			return true
		}
	}
	return false
}

// pathsFor lists the watched paths of an object of this type, and whether every property is watched.
func (f *filter) pathsFor(ref types.ManagedObjectReference) (paths []string, all bool) {
	for _, p := range f.spec.PropSet {
		if !isOfType(ref, nil, p.Type) {
			continue
		}
		if p.All != nil && *p.All {
			all = true
		}
		paths = append(paths, p.PathSet...)
	}
	return paths, all
}

// touched tells whether a change named `changed` may have changed the watched path.
func touched(watched, changed string) bool {
	if i := strings.IndexByte(watched, '['); i >= 0 {
		watched = watched[:i] // config.extraConfig["key"] changes with config.extraConfig
	}
	return watched == changed || strings.HasPrefix(changed, watched+".") || strings.HasPrefix(watched, changed+".")
}

// pendingUpdate is a filter's update and what the filter will remember once the answer is sent.
type pendingUpdate struct {
	pc      types.ManagedObjectReference // the collector, whose session and lock the retrievals use
	f       *filter
	update  types.PropertyFilterUpdate
	members map[types.ManagedObjectReference]reported // the filter's new memory (nil: unchanged)
	changed map[types.ManagedObjectReference]reported // entries to set (nil value: forget)
}

func (p *pendingUpdate) commit() {
	if p.members != nil {
		p.f.members = p.members
		p.f.ready = true
	}
	for ref, fp := range p.changed {
		if fp == nil {
			delete(p.f.members, ref)
		} else {
			p.f.members[ref] = fp
		}
	}
}

// updateOf computes the filter's update from what changed. A fault (the caller's session ended, the view is gone)
// leaves the filter as it was.
func (fr *front) updateOf(r *http.Request, pc types.ManagedObjectReference, f *filter, dirty map[types.ManagedObjectReference]*dirtyObject) (*pendingUpdate, *capturedResponse) {
	p := &pendingUpdate{pc: pc, f: f, update: types.PropertyFilterUpdate{Filter: f.ref}}
	if !f.ready {
		return fr.firstUpdate(r, f, p)
	}
	relevant := false
	for ref, d := range dirty {
		if f.interested(ref, d.obj) || (d.removed && f.members[ref] != nil) {
			relevant = true
			break
		}
	}
	if !relevant {
		return p, nil
	}
	if !f.overView || f.scope == nil && f.viewSeen == nil && dirty[f.spec.ObjectSet[0].Obj] != nil {
		return fr.wholeUpdate(r, f, p)
	}
	return fr.viewUpdate(r, f, p, dirty)
}

// firstUpdate reports every object of the filter as entering.
func (fr *front) firstUpdate(r *http.Request, f *filter, p *pendingUpdate) (*pendingUpdate, *capturedResponse) {
	objects, fault := fr.collect(r, p.pc, f.spec)
	if fault != nil {
		return nil, fault
	}
	p.members = map[types.ManagedObjectReference]reported{}
	for _, o := range objects {
		p.members[o.Obj] = fingerprints(o.PropSet)
		p.update.ObjectSet = append(p.update.ObjectSet, enterOf(o))
	}
	return p, nil
}

// wholeUpdate collects the whole filter again and compares it with what was reported.
func (fr *front) wholeUpdate(r *http.Request, f *filter, p *pendingUpdate) (*pendingUpdate, *capturedResponse) {
	objects, fault := fr.collect(r, p.pc, f.spec)
	if fault != nil {
		return nil, fault
	}
	p.members = map[types.ManagedObjectReference]reported{}
	for _, o := range objects {
		now := fingerprints(o.PropSet)
		p.members[o.Obj] = now
		before, known := f.members[o.Obj]
		if !known {
			p.update.ObjectSet = append(p.update.ObjectSet, enterOf(o))
			continue
		}
		if changes := changesOf(o, before, now, nil); len(changes) > 0 {
			p.update.ObjectSet = append(p.update.ObjectSet, types.ObjectUpdate{Kind: types.ObjectUpdateKindModify, Obj: o.Obj, ChangeSet: changes})
		}
	}
	for _, ref := range sortedKeys(f.members) {
		if _, still := p.members[ref]; !still {
			p.update.ObjectSet = append(p.update.ObjectSet, types.ObjectUpdate{Kind: types.ObjectUpdateKindLeave, Obj: ref})
		}
	}
	return p, nil
}

// viewUpdate reads the view's list only when the view changed, and collects only the objects that entered and
// the watched paths of members that changed.
func (fr *front) viewUpdate(r *http.Request, f *filter, p *pendingUpdate, dirty map[types.ManagedObjectReference]*dirtyObject) (*pendingUpdate, *capturedResponse) {
	p.changed = map[types.ManagedObjectReference]reported{}
	root := f.spec.ObjectSet[0].Obj
	var entering []types.ManagedObjectReference
	leaving := map[types.ManagedObjectReference]bool{}
	if f.scope != nil {
		for ref, d := range dirty {
			if _, member := f.members[ref]; d.put && !member && !d.removed && f.holdsType(ref) && f.scope.holds(ref) {
				entering = append(entering, ref)
			}
		}
	} else if dirty[root] != nil {
		inView := map[types.ManagedObjectReference]bool{}
		for _, ref := range viewList(f.viewSeen) {
			if !f.holdsType(ref) {
				continue
			}
			inView[ref] = true
			if _, member := f.members[ref]; !member {
				entering = append(entering, ref)
			}
		}
		for ref := range f.members {
			if !inView[ref] {
				leaving[ref] = true
			}
		}
	}
	// paths to collect per changed member, grouped so one retrieval serves every member with the same paths
	groups := map[string][]types.ManagedObjectReference{}
	groupPaths := map[string][]string{}
	for ref, d := range dirty {
		if _, member := f.members[ref]; !member || leaving[ref] {
			continue
		}
		if d.removed {
			leaving[ref] = true
			continue
		}
		paths, all := f.pathsFor(ref)
		if !all && !d.all {
			kept := paths[:0:0]
			for _, path := range paths {
				for name := range d.names {
					if touched(path, name) {
						kept = append(kept, path)
						break
					}
				}
			}
			paths = kept
		}
		if len(paths) == 0 && !all {
			continue
		}
		sort.Strings(paths)
		key := ref.Type + "\x00" + strings.Join(paths, "\x00")
		if all || d.all {
			key = ref.Type + "\x00*"
			paths = nil
		}
		groups[key] = append(groups[key], ref)
		groupPaths[key] = paths
	}

	if len(entering) > 0 {
		sort.Slice(entering, func(i, j int) bool { return entering[i].Value < entering[j].Value })
		awaitCreations(entering)
		objects, fault := fr.collect(r, p.pc, objectsSpec(f.spec.PropSet, entering))
		if fault != nil {
			return nil, fault
		}
		for _, o := range objects {
			p.changed[o.Obj] = fingerprints(o.PropSet)
			p.update.ObjectSet = append(p.update.ObjectSet, enterOf(o))
		}
	}

	keys := make([]string, 0, len(groups))
	for key := range groups {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		refs := groups[key]
		sort.Slice(refs, func(i, j int) bool { return refs[i].Value < refs[j].Value })
		propSet := f.spec.PropSet
		if paths := groupPaths[key]; paths != nil {
			propSet = []types.PropertySpec{{Type: refs[0].Type, PathSet: paths}}
		}
		objects, fault := fr.collect(r, p.pc, objectsSpec(propSet, refs))
		if fault != nil {
			return nil, fault
		}
		found := map[types.ManagedObjectReference]bool{}
		for _, o := range objects {
			found[o.Obj] = true
			before := f.members[o.Obj]
			now := fingerprints(o.PropSet)
			merged := reported{}
			for path, fp := range before {
				merged[path] = fp
			}
			var asked map[string]bool
			if paths := groupPaths[key]; paths != nil {
				asked = map[string]bool{}
				for _, path := range paths {
					asked[path] = true
					delete(merged, path)
				}
			} else {
				merged = reported{}
			}
			for path, fp := range now {
				merged[path] = fp
			}
			p.changed[o.Obj] = merged
			if changes := changesOf(o, before, now, asked); len(changes) > 0 {
				p.update.ObjectSet = append(p.update.ObjectSet, types.ObjectUpdate{Kind: types.ObjectUpdateKindModify, Obj: o.Obj, ChangeSet: changes})
			}
		}
		for _, ref := range refs {
			if !found[ref] {
				leaving[ref] = true // gone between the change and the collection
			}
		}
	}

	for _, ref := range sortedKeys(leaving) {
		p.changed[ref] = nil
		p.update.ObjectSet = append(p.update.ObjectSet, types.ObjectUpdate{Kind: types.ObjectUpdateKindLeave, Obj: ref})
	}
	atomic.AddInt64(&fr.collectors.counts.viewUpdates, 1)
	return p, nil
}

// awaitCreations returns once the creations that put these objects have finished. vcsim puts a new VM in the
// registry part way through CreateVM_Task and goes on filling it in, holding only its folder's lock; taking that
// lock (and letting go at once, so no lock is held while collecting) waits for the rest of the task, and the VM
// enters with its finished state.
func awaitCreations(refs []types.ManagedObjectReference) {
	seen := map[types.ManagedObjectReference]bool{}
	for _, ref := range refs {
		entity, ok := simulator.Map.Get(ref).(mo.Entity)
		if !ok {
			continue
		}
		parent := entity.Entity().Parent
		if parent == nil || seen[*parent] {
			continue
		}
		seen[*parent] = true
		if folder := simulator.Map.Get(*parent); folder != nil {
			simulator.Map.WithLock(folder, func() {})
		}
	}
}

// holdsType tells whether the filter collects objects like ref (vcsim reports only objects of a propSet type).
func (f *filter) holdsType(ref types.ManagedObjectReference) bool {
	for _, p := range f.spec.PropSet {
		if isOfType(ref, nil, p.Type) {
			return true
		}
	}
	return false
}

// viewList copies a view's object list under the view's lock.
func viewList(obj mo.Reference) []types.ManagedObjectReference {
	var out []types.ManagedObjectReference
	simulator.Map.WithLock(obj, func() {
		switch v := obj.(type) {
		case *mo.ContainerView:
			out = append(out, v.View...)
		case *mo.ListView:
			out = append(out, v.View...)
		}
	})
	return out
}

// objectsSpec asks for the given objects directly (no traversal); an object gone meanwhile is left out.
func objectsSpec(propSet []types.PropertySpec, refs []types.ManagedObjectReference) types.PropertyFilterSpec {
	spec := types.PropertyFilterSpec{PropSet: propSet, ReportMissingObjectsInResults: types.NewBool(true)}
	for _, ref := range refs {
		spec.ObjectSet = append(spec.ObjectSet, types.ObjectSpec{Obj: ref})
	}
	return spec
}

func enterOf(o types.ObjectContent) types.ObjectUpdate {
	u := types.ObjectUpdate{Kind: types.ObjectUpdateKindEnter, Obj: o.Obj, MissingSet: o.MissingSet}
	for _, prop := range o.PropSet {
		u.ChangeSet = append(u.ChangeSet, types.PropertyChange{Name: prop.Name, Op: types.PropertyChangeOpAssign, Val: prop.Val})
	}
	return u
}

// changesOf lists the paths whose value differs from what was reported. Only the asked paths count when asked
// is given (the rest was not collected); a path reported before and absent now is sent as removed.
func changesOf(o types.ObjectContent, before, now reported, asked map[string]bool) []types.PropertyChange {
	var changes []types.PropertyChange
	for _, prop := range o.PropSet {
		if fp, known := before[prop.Name]; known && fp == now[prop.Name] {
			continue
		}
		changes = append(changes, types.PropertyChange{Name: prop.Name, Op: types.PropertyChangeOpAssign, Val: prop.Val})
	}
	names := make([]string, 0, len(before))
	for path := range before {
		names = append(names, path)
	}
	sort.Strings(names)
	for _, path := range names {
		if _, still := now[path]; still || (asked != nil && !asked[path]) {
			continue
		}
		op := types.PropertyChangeOpAssign
		if strings.HasSuffix(path, "]") {
			op = types.PropertyChangeOpRemove // an indexed element that went away
		}
		changes = append(changes, types.PropertyChange{Name: path, Op: op})
	}
	return changes
}

// fingerprints hashes each collected value as it is encoded on the wire.
func fingerprints(props []types.DynamicProperty) reported {
	out := make(reported, len(props))
	var buf bytes.Buffer
	for _, prop := range props {
		buf.Reset()
		enc := xml.NewEncoder(&buf)
		_ = enc.Encode(&prop)
		_ = enc.Flush()
		h := fnv.New64a()
		_, _ = h.Write(buf.Bytes())
		out[prop.Name] = h.Sum64()
	}
	return out
}

// sortedKeys lists a map's object references in moref order, so answers come in a stable order.
func sortedKeys[V any](m map[types.ManagedObjectReference]V) []types.ManagedObjectReference {
	out := make([]types.ManagedObjectReference, 0, len(m))
	for ref := range m {
		out = append(out, ref)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Value < out[j].Value })
	return out
}

// collect retrieves a spec through vcsim with the caller's session and collector (vcsim serializes the calls of
// one collector, and every session's default collector is one object to its lock), indexed paths included; a
// fault comes back as vcsim's answer, to be sent to the client as it is.
func (fr *front) collect(r *http.Request, pc types.ManagedObjectReference, spec types.PropertyFilterSpec) ([]types.ObjectContent, *capturedResponse) {
	propSet := make([]types.PropertySpec, len(spec.PropSet))
	for i, p := range spec.PropSet {
		p.PathSet = append([]string(nil), p.PathSet...)
		propSet[i] = p
	}
	spec.PropSet = propSet
	req := &types.RetrievePropertiesEx{This: pc, SpecSet: []types.PropertyFilterSpec{spec}}
	selection := rewriteIndexedPaths(req)
	body, err := encodeRetrieveRequest(req)
	if err != nil {
		held := newCapturedResponse()
		writeFault(held, err.Error(), &types.SystemError{Reason: err.Error()})
		return nil, held
	}
	held := newCapturedResponse()
	fr.forward(held, newSOAPRequest(r, "/sdk", body), &soapCall{method: "RetrievePropertiesEx"})
	if held.statusCode() != http.StatusOK {
		return nil, held
	}
	if bytes.Contains(held.body.Bytes(), []byte("NotAuthenticated")) {
		if _, authenticated := fr.session(r); !authenticated {
			refused := newCapturedResponse()
			writeNotAuthenticated(refused, pc)
			return nil, refused
		}
	}
	result := decodeRetrieveResult(held.body.Bytes())
	if result == nil {
		return nil, nil
	}
	if selection != nil {
		selection.pick(result.Objects)
	}
	atomic.AddInt64(&fr.collectors.counts.retrievals, 1)
	atomic.AddInt64(&fr.collectors.counts.objectsCollected, int64(len(result.Objects)))
	return result.Objects, nil
}

// workCounts is what the collector front did, served by GET /govcsim/collector: a client can see that one change
// among N watched objects costs one object collection.
type workCounts struct {
	waits            int64 // WaitForUpdatesEx calls answered by the front
	answers          int64 // answers with updates
	retrievals       int64 // retrievals the front made of vcsim
	objectsCollected int64 // objects those retrievals collected
	viewUpdates      int64 // updates computed from a view's changes alone
}

func (w *workCounts) snapshot() map[string]int64 {
	return map[string]int64{
		"waits":            atomic.LoadInt64(&w.waits),
		"answers":          atomic.LoadInt64(&w.answers),
		"retrievals":       atomic.LoadInt64(&w.retrievals),
		"objectsCollected": atomic.LoadInt64(&w.objectsCollected),
		"viewUpdates":      atomic.LoadInt64(&w.viewUpdates),
	}
}

func (w *workCounts) reset() {
	for _, p := range []*int64{&w.waits, &w.answers, &w.retrievals, &w.objectsCollected, &w.viewUpdates} {
		atomic.StoreInt64(p, 0)
	}
}
