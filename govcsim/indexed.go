// Indexed property paths (compat). vCenter's property collector selects one element of a keyed array property:
// `config.extraConfig["guestinfo.a"]` collects just that OptionValue (its key and value), and a key the VM does
// not have is left out of the answer, not a fault. A client can so read two ExtraConfig keys of every VM in a
// folder without carrying every VM's whole ExtraConfig over the wire. vcsim 0.24.2 answers such a path with
// InvalidProperty.
//
// The front lets vcsim collect the rest of the request (the traversal, the other paths) and picks the elements
// from the VM objects themselves, under the path the client asked for: asking vcsim for the whole array would
// have it encode, and the front decode, every VM's whole ExtraConfig. Only `config.extraConfig` is indexed this
// way: it is the keyed array clients select from.
package main

import (
	"bytes"
	"reflect"
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"
)

const indexedArray = "config.extraConfig"

// indexedPath is one `config.extraConfig["key"]` a client asked for.
type indexedPath struct {
	path string
	key  string
}

// indexedSelection is what a retrieval asked of the indexed array: the elements, and whether it also asked for
// the whole array under its own name.
type indexedSelection struct {
	picks    []indexedPath
	wholeToo bool
}

// mayHaveIndexedPath is the cheap test run on every retrieval before anything is decoded.
func mayHaveIndexedPath(body []byte) bool {
	return bytes.Contains(body, []byte(indexedArray+"["))
}

// parseIndexedPath reads `config.extraConfig["key"]`; ok is false for any other path.
func parseIndexedPath(path string) (indexedPath, bool) {
	rest := strings.TrimPrefix(path, indexedArray)
	if rest == path || !strings.HasPrefix(rest, `["`) || !strings.HasSuffix(rest, `"]`) || len(rest) < 4 {
		return indexedPath{}, false
	}
	return indexedPath{path: path, key: rest[2 : len(rest)-2]}, true
}

// rewriteIndexedPaths takes every indexed path out of the request, in place, and says what to add to the answer.
// It returns nil when the request has no indexed path.
func rewriteIndexedPaths(req *types.RetrievePropertiesEx) *indexedSelection {
	var sel indexedSelection
	for i := range req.SpecSet {
		for j := range req.SpecSet[i].PropSet {
			spec := &req.SpecSet[i].PropSet[j]
			paths := make([]string, 0, len(spec.PathSet))
			for _, p := range spec.PathSet {
				if pick, ok := parseIndexedPath(p); ok {
					sel.picks = append(sel.picks, pick)
					continue
				}
				paths = append(paths, p)
			}
			spec.PathSet = paths
		}
	}
	if len(sel.picks) == 0 {
		return nil
	}
	return &sel
}

// pick adds to each VM of the answer the elements asked for that it has, read from the VM itself.
func (sel *indexedSelection) pick(objects []types.ObjectContent) {
	for i := range objects {
		vm, ok := simulator.Map.Get(objects[i].Obj).(*simulator.VirtualMachine)
		if !ok {
			continue
		}
		simulator.Map.WithLock(vm, func() {
			if vm.Config == nil {
				return
			}
			for _, pick := range sel.picks {
				if value := optionNamed(vm.Config.ExtraConfig, pick.key); value != nil {
					objects[i].PropSet = append(objects[i].PropSet, types.DynamicProperty{Name: pick.path, Val: value})
				}
			}
		})
	}
}

// optionNamed finds the OptionValue with the given key, as a copy the answer can carry.
func optionNamed(list []types.BaseOptionValue, key string) types.BaseOptionValue {
	for _, o := range list {
		if v := o.GetOptionValue(); v.Key == key {
			found := *v
			return &found
		}
	}
	return nil
}

// encodeRetrieveRequest writes the request back as a SOAP envelope for vcsim.
func encodeRetrieveRequest(req *types.RetrievePropertiesEx) (string, error) {
	var buf bytes.Buffer
	buf.WriteString(envelopeOpen)
	enc := xml.NewEncoder(&buf)
	start := xml.StartElement{Name: xml.Name{Space: vimNamespace, Local: reflect.TypeOf(*req).Name()}}
	if err := enc.EncodeElement(req, start); err != nil {
		return "", err
	}
	if err := enc.Flush(); err != nil {
		return "", err
	}
	buf.WriteString(envelopeClose)
	return buf.String(), nil
}
