// Indexed property paths (compat). vCenter's property collector selects one element of a keyed array property:
// `config.extraConfig["guestinfo.a"]` collects just that OptionValue (its key and value), and a key the VM does
// not have is left out of the answer, not a fault. A client can so read two ExtraConfig keys of every VM in a
// folder without carrying every VM's whole ExtraConfig over the wire. vcsim 0.24.2 answers such a path with
// InvalidProperty.
//
// The front asks vcsim for the whole array instead and picks the elements out of its answer, under the path the
// client asked for. Only `config.extraConfig` is indexed this way: it is the keyed array clients select from.
package main

import (
	"bytes"
	"reflect"
	"strings"

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

// rewriteIndexedPaths replaces every indexed path of the request by the array it indexes, in place, and says
// what to pick out of the answer. It returns nil when the request has no indexed path.
func rewriteIndexedPaths(req *types.RetrievePropertiesEx) *indexedSelection {
	var sel indexedSelection
	for i := range req.SpecSet {
		for j := range req.SpecSet[i].PropSet {
			spec := &req.SpecSet[i].PropSet[j]
			paths := make([]string, 0, len(spec.PathSet))
			asked := false
			for _, p := range spec.PathSet {
				if pick, ok := parseIndexedPath(p); ok {
					sel.picks = append(sel.picks, pick)
					asked = true
					continue
				}
				if p == indexedArray {
					sel.wholeToo = true
				}
				paths = append(paths, p)
			}
			if asked && !contains(paths, indexedArray) {
				paths = append(paths, indexedArray)
			}
			spec.PathSet = paths
		}
	}
	if len(sel.picks) == 0 {
		return nil
	}
	return &sel
}

// pick answers each object's indexed paths from the array vcsim returned, and drops the array unless it was
// asked for by name too.
func (sel *indexedSelection) pick(objects []types.ObjectContent) {
	for i := range objects {
		props := objects[i].PropSet
		out := make([]types.DynamicProperty, 0, len(props)+len(sel.picks))
		for _, prop := range props {
			if prop.Name != indexedArray {
				out = append(out, prop)
				continue
			}
			if sel.wholeToo {
				out = append(out, prop)
			}
			for _, pick := range sel.picks {
				if value := optionNamed(prop.Val, pick.key); value != nil {
					out = append(out, types.DynamicProperty{Name: pick.path, Val: value})
				}
			}
		}
		objects[i].PropSet = out
	}
}

// optionNamed finds the OptionValue with the given key in an ArrayOfOptionValue.
func optionNamed(array types.AnyType, key string) types.BaseOptionValue {
	list, ok := array.(types.ArrayOfOptionValue)
	if !ok {
		return nil
	}
	for _, o := range list.OptionValue {
		if o.GetOptionValue().Key == key {
			return o
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

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
