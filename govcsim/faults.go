// Fault injection, driven over POST/GET/DELETE /govcsim/faults. A rule makes the next `count` calls of one
// method (optionally on one VM, by name or moref) fail with a vim fault: a *_Task method still returns a task
// and the task ends in error, as vCenter reports a failed reconfigure; any other method gets a SOAP fault.
// Tests use it for failures vcsim cannot produce, e.g. "the second linked VM's reconfigure fails".
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// faultRule is one injected failure, as posted.
type faultRule struct {
	ID     int    `json:"id"`
	Method string `json:"method"`
	// VM limits the rule to calls whose _this is this VM (name or moref value); for CreateVM_Task it matches
	// the name of the VM being created.
	VM    string `json:"vm,omitempty"`
	Fault string `json:"fault"`
	// Count is how many matching calls fail; -1 fails every one until the rules are cleared.
	Count int `json:"count"`
	// Message is the SOAP faultstring for non-task methods.
	Message string `json:"message,omitempty"`
	// Props fill the fault's fields, e.g. {"name": "x"} for DuplicateName.
	Props json.RawMessage `json:"props,omitempty"`
	Hits  int             `json:"hits"`
}

type faultRules struct {
	mu     sync.Mutex
	nextID int
	rules  []*faultRule
}

func (r *faultRules) add(rule faultRule) (*faultRule, error) {
	if rule.Method == "" {
		return nil, errors.New("method is required")
	}
	if rule.Fault == "" {
		return nil, errors.New("fault is required")
	}
	if rule.Count == 0 {
		rule.Count = 1
	}
	if rule.Count < -1 {
		return nil, errors.New("count must be positive, or -1 for every call")
	}
	if _, err := rule.newFault(); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.nextID++
	rule.ID = r.nextID
	rule.Hits = 0
	r.rules = append(r.rules, &rule)
	added := rule
	return &added, nil
}

func (r *faultRules) clear() {
	r.mu.Lock()
	r.rules = nil
	r.mu.Unlock()
}

func (r *faultRules) list() []faultRule {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := []faultRule{}
	for _, rule := range r.rules {
		out = append(out, *rule)
	}
	return out
}

// match finds the first live rule for a call. target names the VM the call acts on (see faultRule.VM).
func (r *faultRules) match(method string, target faultTarget) *faultRule {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rule := range r.rules {
		if rule.Method == method && rule.Count != 0 && target.matches(rule.VM) {
			return rule
		}
	}
	return nil
}

// take consumes one use of a rule and returns the fault to raise, or nil when the rule ran out meanwhile.
func (r *faultRules) take(rule *faultRule) types.BaseMethodFault {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rule.Count == 0 {
		return nil
	}
	if rule.Count > 0 {
		rule.Count--
	}
	rule.Hits++
	fault, _ := rule.newFault()
	return fault
}

func (r *faultRules) empty() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.rules) == 0
}

func (rule *faultRule) newFault() (types.BaseMethodFault, error) {
	typ, ok := typeFunc(rule.Fault)
	if !ok {
		return nil, fmt.Errorf("unknown fault type %q", rule.Fault)
	}
	v := reflect.New(typ)
	if len(rule.Props) > 0 {
		if err := json.Unmarshal(rule.Props, v.Interface()); err != nil {
			return nil, fmt.Errorf("props do not fit %s: %v", rule.Fault, err)
		}
	}
	fault, ok := v.Interface().(types.BaseMethodFault)
	if !ok {
		return nil, fmt.Errorf("%q is not a vim fault type", rule.Fault)
	}
	return fault, nil
}

func (rule *faultRule) message() string {
	if rule.Message != "" {
		return rule.Message
	}
	return "Injected fault: " + rule.Fault
}

// faultTarget is what a rule's vm field may name for one call.
type faultTarget struct {
	this    types.ManagedObjectReference
	newName string // CreateVM_Task: the name of the VM being created
}

func (t faultTarget) matches(vm string) bool {
	if vm == "" {
		return true
	}
	if t.this.Type == "VirtualMachine" {
		if t.this.Value == vm {
			return true
		}
		if obj := simulator.Map.Get(t.this); obj != nil && nameOf(obj) == vm {
			return true
		}
	}
	return t.newName != "" && t.newName == vm
}

func isTaskMethod(method string) bool {
	return strings.HasSuffix(method, "_Task")
}
