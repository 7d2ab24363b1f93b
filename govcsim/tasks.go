// Task hooks: how compat and fault injection act inside vcsim's tasks.
//
// vcsim runs a *_Task method's work synchronously through Task.Execute, inside the lock it holds on the call's
// _this object. The hooks are a registry handler that sees every new Task and wraps its Execute, so a compat
// check (stale changeVersion, duplicate name, bad datastore path) or an injected fault fails the *task*, as
// vCenter does, atomically with the work, while vcsim keeps doing authentication, dispatch and locking.
//
// A wrapper needs the decoded request, which vcsim keeps to itself: the front handler decodes it and parks it
// under the call's _this while it forwards the call; the hook claims it when a task for that object and
// method is created. The front handler holds a per-object lock meanwhile, so one call per object is parked.
package main

import (
	"fmt"
	"hash/fnv"
	"log"
	"strings"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// pendingCall is a forwarded *_Task call waiting for vcsim to create its task.
type pendingCall struct {
	key  string      // taskKey of the method
	req  interface{} // decoded request (e.g. *types.ReconfigVM_Task), nil when nobody needs it
	rule *faultRule  // injected fault to raise, or nil
}

// taskStep runs one compat behaviour around vcsim's own work (run) for the task's object.
type taskStep func(obj types.ManagedObjectReference, req interface{}, run func() (types.AnyType, types.BaseMethodFault)) (types.AnyType, types.BaseMethodFault)

type taskHooks struct {
	compat bool
	faults *faultRules
	logger *log.Logger
	clock  versionClock

	// names serializes every compat check-and-set of a VM name, so two renames cannot both take one name.
	names sync.Mutex

	stripes [64]sync.Mutex

	mu     sync.Mutex
	parked map[types.ManagedObjectReference]*pendingCall
}

var taskHooksRef = types.ManagedObjectReference{Type: "GovcsimTaskHooks", Value: "govcsim-task-hooks"}

func newTaskHooks(compat bool, faults *faultRules, logger *log.Logger) *taskHooks {
	return &taskHooks{
		compat: compat,
		faults: faults,
		logger: logger,
		parked: map[types.ManagedObjectReference]*pendingCall{},
	}
}

func (h *taskHooks) Reference() types.ManagedObjectReference { return taskHooksRef }

func (h *taskHooks) PutObject(obj mo.Reference) {
	task, ok := obj.(*simulator.Task)
	if !ok || task.Info.Entity == nil {
		return
	}
	h.wrap(task, h.claim(*task.Info.Entity, task.Info.DescriptionId))
}

func (h *taskHooks) UpdateObject(mo.Reference, []types.PropertyChange) {}

func (h *taskHooks) RemoveObject(types.ManagedObjectReference) {}

// lockObject serializes the front handler's task calls on one object; vcsim serializes them too, one step
// later, so this costs nothing but keeps parked calls unambiguous.
func (h *taskHooks) lockObject(ref types.ManagedObjectReference) func() {
	sum := fnv.New32a()
	_, _ = sum.Write([]byte(ref.Value))
	stripe := &h.stripes[sum.Sum32()%uint32(len(h.stripes))]
	stripe.Lock()
	return stripe.Unlock
}

// park leaves a call for the hook to claim; the returned func withdraws it if vcsim never made a task
// (e.g. NotAuthenticated).
func (h *taskHooks) park(ref types.ManagedObjectReference, p *pendingCall) func() {
	h.mu.Lock()
	h.parked[ref] = p
	h.mu.Unlock()
	return func() {
		h.mu.Lock()
		if h.parked[ref] == p {
			delete(h.parked, ref)
		}
		h.mu.Unlock()
	}
}

func (h *taskHooks) claim(ref types.ManagedObjectReference, descriptionID string) *pendingCall {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.parked[ref]
	if p == nil || p.key != taskKey(descriptionID) {
		return nil
	}
	delete(h.parked, ref)
	return p
}

// taskKey matches a method name to vcsim's task description id: ReconfigVM_Task and
// VirtualMachine.reconfigVm both give "reconfig", PowerOnVM_Task and VirtualMachine.powerOn give "poweron".
func taskKey(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	name = strings.ToLower(strings.TrimSuffix(name, "_Task"))
	return strings.TrimSuffix(name, "vm")
}

func (h *taskHooks) wrap(task *simulator.Task, p *pendingCall) {
	step := h.stepFor(task.Info.DescriptionId)
	if p == nil && step == nil {
		return
	}
	run := task.Execute
	obj := *task.Info.Entity
	var req interface{}
	var rule *faultRule
	if p != nil {
		req, rule = p.req, p.rule
	}

	task.Execute = func(t *simulator.Task) (res types.AnyType, fault types.BaseMethodFault) {
		if rule != nil {
			if injected := h.faults.take(rule); injected != nil {
				return nil, injected
			}
		}
		if step == nil {
			return run(t)
		}
		// A panic inside vcsim would leave the task "running" forever and drop the client's connection;
		// vCenter would report a failed task instead.
		defer func() {
			if p := recover(); p != nil {
				h.logger.Printf("%s on %s panicked in vcsim: %v", task.Info.DescriptionId, obj.Value, p)
				res, fault = nil, &types.SystemError{Reason: fmt.Sprint(p)}
			}
		}()
		return step(obj, req, func() (types.AnyType, types.BaseMethodFault) { return run(t) })
	}
}

func (h *taskHooks) stepFor(descriptionID string) taskStep {
	if !h.compat {
		return nil
	}
	switch descriptionID {
	case "VirtualMachine.reconfigVm":
		return h.reconfigure
	case "VirtualMachine.rename":
		return h.rename
	case "Folder.createVm":
		return h.createVM
	case "VirtualMachine.powerOn", "VirtualMachine.powerOff":
		return h.powerChange
	}
	return nil
}
