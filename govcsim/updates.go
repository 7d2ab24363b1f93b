// WaitForUpdatesEx order (compat). vcsim answers a wait with the changes queued since the last answer, but it
// collects an object that entered the view only while it builds that answer, and lists the enter before the
// queued modifications of the same object, which are older than it. A client that applies the update set in
// order, as vCenter's clients do, sees the new object go back to an earlier state (an older name, a removed
// ExtraConfig key) until the next answer. vCenter's update sets move each object forward only.
//
// The front drops, from each answer, the modifications of an object that enters in the same answer for the
// same filter: the enter's state already holds them. Answers without an enter pass through untouched.
package main

import (
	"bytes"
	"net/http"

	"github.com/vmware/govmomi/vim25/types"
)

func (f *front) waitForUpdates(w http.ResponseWriter, r *http.Request, call *soapCall) {
	held := newCapturedResponse()
	f.forward(held, r, call)
	body := held.body.Bytes()
	if held.statusCode() != http.StatusOK || !bytes.Contains(body, []byte("<kind>enter</kind>")) ||
		!bytes.Contains(body, []byte("<kind>modify</kind>")) {
		held.sendTo(w, body)
		return
	}
	set := decodeUpdateSet(body)
	if set == nil || !dropSupersededModifies(set) {
		held.sendTo(w, body)
		return
	}
	writeResponse(w, &types.WaitForUpdatesExResponse{Returnval: set})
}

// dropSupersededModifies removes, per filter, the modify updates of objects that enter in the same set, and
// filter updates left empty; it tells whether it removed anything.
func dropSupersededModifies(set *types.UpdateSet) bool {
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
	dropped := false
	kept := set.FilterSet[:0]
	for _, fu := range set.FilterSet {
		objects := fu.ObjectSet[:0]
		for _, u := range fu.ObjectSet {
			if u.Kind == types.ObjectUpdateKindModify && entered[fu.Filter][u.Obj] {
				dropped = true
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
	return dropped
}

// decodeUpdateSet reads vcsim's WaitForUpdatesEx answer.
func decodeUpdateSet(body []byte) *types.UpdateSet {
	var res types.WaitForUpdatesExResponse
	if !decodeAnswer(body, &res) {
		return nil
	}
	return res.Returnval
}
