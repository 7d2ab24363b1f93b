// WaitForUpdatesEx (compat): versions, one wait at a time, and answers that move forward only.
//
//   - vcsim ignores the version a client sends: it answers every wait with the changes queued since its last
//     answer, so an answer lost on the way (a reset connection, a client that gave up waiting) is lost for good.
//     vCenter computes the answer from the client's version, so a client that asks again with the version it
//     holds gets what it missed. The front numbers the answers per collector (1, 2, ...) and keeps the last one:
//     a wait with the version before it gets that answer again; any other unknown version is refused with
//     InvalidCollectorVersion, as vCenter refuses one.
//   - vcsim lets two waits on one collector run at once (a client's retry beside the wait it gave up on), and
//     both then edit the filter's object set: the process dies of a concurrent map write. The front runs one wait
//     per collector at a time.
//   - vcsim sends every modification of an object since the last answer, each with its whole value (a VM's
//     ExtraConfig each time), where vCenter sends each changed property once with its latest value. A client
//     that falls behind gets answers that grow with every change it missed. The front merges an object's
//     modifications into one.
//   - vcsim collects an object that entered the view only while it builds the answer, and lists the enter before
//     the queued modifications of the same object, which are older than it. A client that applies the update set
//     in order, as vCenter's clients do, sees the new object go back to an earlier state (an older name, a removed
//     ExtraConfig key) until the next answer. The front drops the modifications of an object that enters in the
//     same answer for the same filter: the enter's state already holds them.
package main

import (
	"net/http"
	"strconv"
	"sync"

	"github.com/vmware/govmomi/vim25/types"
)

// collectorWaits is what the front knows of one property collector's waits.
type collectorWaits struct {
	mu      sync.Mutex // held while a wait of this collector runs in vcsim
	version int        // the number of the last answer with updates, 0 before the first
	last    []byte     // that answer, for a client that did not get it
}

type waits struct {
	mu   sync.Mutex
	byPC map[types.ManagedObjectReference]*collectorWaits
}

func newWaits() *waits {
	return &waits{byPC: map[types.ManagedObjectReference]*collectorWaits{}}
}

func (ws *waits) of(pc types.ManagedObjectReference) *collectorWaits {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	cw := ws.byPC[pc]
	if cw == nil {
		cw = &collectorWaits{}
		ws.byPC[pc] = cw
	}
	return cw
}

// forget drops a destroyed collector's state (and the last answer it held).
func (ws *waits) forget(pc types.ManagedObjectReference) {
	ws.mu.Lock()
	delete(ws.byPC, pc)
	ws.mu.Unlock()
}

func (f *front) waitForUpdates(w http.ResponseWriter, r *http.Request, call *soapCall) {
	decoded, err := decodeRequest(call.body)
	req, ok := decoded.(*types.WaitForUpdatesEx)
	if err != nil || !ok {
		f.forward(w, r, call)
		return
	}
	cw := f.waits.of(call.this)
	cw.mu.Lock()
	defer cw.mu.Unlock()

	switch req.Version {
	case "":
		cw.version = 0
	case strconv.Itoa(cw.version):
	case strconv.Itoa(cw.version - 1):
		// the client never got the last answer
		writeXML(w, http.StatusOK, cw.last)
		return
	default:
		writeFault(w, "The specified version is invalid.", &types.InvalidCollectorVersion{})
		return
	}

	held := newCapturedResponse()
	f.forward(held, r, call)
	body := held.body.Bytes()
	if held.statusCode() != http.StatusOK {
		held.sendTo(w, body)
		return
	}
	set := decodeUpdateSet(body)
	if set == nil {
		// no changes within maxWaitSeconds: the client keeps its version
		held.sendTo(w, body)
		return
	}
	dropSupersededModifies(set)
	mergeModifies(set)
	cw.version++
	set.Version = strconv.Itoa(cw.version)
	answer := newCapturedResponse()
	writeResponse(answer, &types.WaitForUpdatesExResponse{Returnval: set})
	if answer.statusCode() == http.StatusOK {
		cw.last = answer.body.Bytes()
	}
	answer.sendTo(w, answer.body.Bytes())
}

// dropSupersededModifies removes, per filter, the modify updates of objects that enter in the same set, and
// filter updates left empty.
func dropSupersededModifies(set *types.UpdateSet) {
	entered := map[types.ManagedObjectReference]map[types.ManagedObjectReference]bool{}
	for _, fu := range set.FilterSet {
		for _, u := range fu.ObjectSet {
			if u.Kind == types.ObjectUpdateKindEnter {
				if entered[fu.Filter] == nil {
					entered[fu.Filter] = map[types.ManagedObjectReference]bool{}
				}
				entered[fu.Filter][u.Obj] = true
			}
		}
	}
	kept := set.FilterSet[:0]
	for _, fu := range set.FilterSet {
		objects := fu.ObjectSet[:0]
		for _, u := range fu.ObjectSet {
			if u.Kind == types.ObjectUpdateKindModify && entered[fu.Filter][u.Obj] {
				continue
			}
			objects = append(objects, u)
		}
		fu.ObjectSet = objects
		if len(fu.ObjectSet) > 0 || len(fu.MissingSet) > 0 {
			kept = append(kept, fu)
		}
	}
	set.FilterSet = kept
}

// mergeModifies folds the modify updates of one object within a filter update into its first one, each property
// once with its latest value, as vCenter sends an object's changes since the client's version.
func mergeModifies(set *types.UpdateSet) {
	for i := range set.FilterSet {
		fu := &set.FilterSet[i]
		first := map[types.ManagedObjectReference]int{}
		objects := fu.ObjectSet[:0]
		for _, u := range fu.ObjectSet {
			at, seen := first[u.Obj]
			if u.Kind != types.ObjectUpdateKindModify || !seen {
				if u.Kind == types.ObjectUpdateKindModify {
					first[u.Obj] = len(objects)
				}
				objects = append(objects, u)
				continue
			}
			merged := &objects[at]
			for _, change := range u.ChangeSet {
				kept := merged.ChangeSet[:0]
				for _, earlier := range merged.ChangeSet {
					if earlier.Name != change.Name {
						kept = append(kept, earlier)
					}
				}
				merged.ChangeSet = append(kept, change)
			}
		}
		fu.ObjectSet = objects
	}
}

// decodeUpdateSet reads vcsim's WaitForUpdatesEx answer.
func decodeUpdateSet(body []byte) *types.UpdateSet {
	var res types.WaitForUpdatesExResponse
	if !decodeAnswer(body, &res) {
		return nil
	}
	return res.Returnval
}
