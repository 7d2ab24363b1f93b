// Compat behaviours for VM tasks: what vCenter does around the work vcsim 0.24.2 does.
//
//   - ReconfigVM_Task: ExtraConfig keys are updated in place and removed by an empty value (vcsim appends, so
//     a key ends up listed twice); a stale spec.changeVersion fails with ConcurrentAccess; spec.name obeys
//     the rename rules below; WaitForUpdates hears about extraConfig, name and changeVersion.
//   - Rename_Task: a name taken in the same folder fails with DuplicateName (vcsim: InvalidArgument), the same
//     name is a successful no-op (vcsim: InvalidArgument), and config.name / summary.config.name follow.
//   - CreateVM_Task: a name taken in the folder fails with DuplicateName (vcsim creates a second VM); a path
//     vcsim cannot map fails with InvalidDatastorePath (vcsim panics and leaves a nameless VM behind).
//   - config.changeVersion is set at create and gets a new value after every successful reconfigure, rename,
//     power-on and power-off (vcsim leaves it empty, so no client can detect a concurrent change).
//
// Every step runs inside vcsim's lock on the task's object; name checks also hold taskHooks.names.
package main

import (
	"net/http"
	"sync"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

func (h *taskHooks) reconfigure(ref types.ManagedObjectReference, req interface{}, run func() (types.AnyType, types.BaseMethodFault)) (types.AnyType, types.BaseMethodFault) {
	vm, ok := simulator.Map.Get(ref).(*simulator.VirtualMachine)
	if !ok {
		return run()
	}
	var spec *types.VirtualMachineConfigSpec
	if r, ok := req.(*types.ReconfigVM_Task); ok {
		spec = &r.Spec
	}

	if spec != nil && spec.ChangeVersion != "" && spec.ChangeVersion != vm.Config.ChangeVersion {
		return nil, &types.ConcurrentAccess{}
	}

	renaming := spec != nil && spec.Name != "" && spec.Name != vm.Name
	if renaming {
		h.names.Lock()
		defer h.names.Unlock()
		if other := siblingNamed(vm.Parent, spec.Name, vm.Self); other != nil {
			return nil, &types.DuplicateName{Name: spec.Name, Object: *other}
		}
	}

	res, fault := run()
	if fault != nil {
		return res, fault
	}

	changes := []types.PropertyChange{{Name: "config.changeVersion", Val: h.clock.next()}}
	if spec == nil || len(spec.ExtraConfig) > 0 {
		changes = append(changes, types.PropertyChange{Name: "config.extraConfig", Val: foldExtraConfig(vm.Config.ExtraConfig)})
	}
	if renaming {
		changes = append(changes, types.PropertyChange{Name: "name", Val: spec.Name})
		changes = append(changes, configNameChanges(spec.Name)...)
	}
	simulator.Map.Update(vm, changes)
	return res, nil
}

func (h *taskHooks) rename(ref types.ManagedObjectReference, req interface{}, run func() (types.AnyType, types.BaseMethodFault)) (types.AnyType, types.BaseMethodFault) {
	vm, ok := simulator.Map.Get(ref).(*simulator.VirtualMachine)
	r, known := req.(*types.Rename_Task)
	if !ok || !known {
		return run()
	}
	if r.NewName == "" {
		return nil, &types.InvalidName{Name: r.NewName, Entity: &vm.Self}
	}

	h.names.Lock()
	defer h.names.Unlock()
	if r.NewName == vm.Name {
		return nil, nil
	}
	if other := siblingNamed(vm.Parent, r.NewName, vm.Self); other != nil {
		return nil, &types.DuplicateName{Name: r.NewName, Object: *other}
	}

	res, fault := run()
	if fault != nil {
		return res, fault
	}
	changes := append(configNameChanges(r.NewName), types.PropertyChange{Name: "config.changeVersion", Val: h.clock.next()})
	simulator.Map.Update(vm, changes)
	return res, nil
}

func (h *taskHooks) createVM(ref types.ManagedObjectReference, req interface{}, run func() (types.AnyType, types.BaseMethodFault)) (res types.AnyType, fault types.BaseMethodFault) {
	folder, ok := simulator.Map.Get(ref).(*simulator.Folder)
	r, known := req.(*types.CreateVM_Task)
	if !ok || !known {
		return run()
	}
	spec := &r.Config

	if spec.Name != "" && spec.Files != nil && spec.Files.VmPathName != "" {
		if bad := checkDatastorePath(folder, spec.Files.VmPathName); bad != nil {
			return nil, bad
		}
	}
	for _, obj := range []*types.ManagedObjectReference{&r.Pool, r.Host} {
		if obj != nil && simulator.Map.Get(*obj) == nil {
			return nil, &types.ManagedObjectNotFound{Obj: *obj}
		}
	}

	h.names.Lock()
	defer h.names.Unlock()
	if spec.Name != "" {
		if other := siblingNamed(&folder.Self, spec.Name, types.ManagedObjectReference{}); other != nil {
			return nil, &types.DuplicateName{Name: spec.Name, Object: *other}
		}
	}

	// vcsim adds the VM to the folder before it can fail; after a panic nobody takes it out again.
	before := append([]types.ManagedObjectReference(nil), folder.ChildEntity...)
	defer func() {
		if p := recover(); p != nil {
			removeNewChildren(folder, before)
			panic(p)
		}
	}()

	res, fault = run()
	if fault != nil {
		return res, fault
	}
	if vmRef, ok := res.(types.ManagedObjectReference); ok {
		if vm, ok := simulator.Map.Get(vmRef).(*simulator.VirtualMachine); ok {
			simulator.Map.Update(vm, []types.PropertyChange{
				{Name: "config.changeVersion", Val: h.clock.next()},
				{Name: "config.extraConfig", Val: foldExtraConfig(vm.Config.ExtraConfig)},
			})
		}
	}
	return res, nil
}

func (h *taskHooks) powerChange(ref types.ManagedObjectReference, _ interface{}, run func() (types.AnyType, types.BaseMethodFault)) (types.AnyType, types.BaseMethodFault) {
	res, fault := run()
	if fault != nil {
		return res, fault
	}
	h.renewChangeVersion(ref)
	return res, nil
}

// shutdownGuest forwards ShutdownGuest and, once vcsim has powered the VM off, renews its changeVersion as any
// power-off does. vcsim's ShutdownGuest is no task, so the task hooks never see it.
func (f *front) shutdownGuest(w http.ResponseWriter, r *http.Request, call *soapCall) {
	held := newCapturedResponse()
	f.forward(held, r, call)
	if held.statusCode() == http.StatusOK {
		f.hooks.renewChangeVersion(call.this)
	}
	held.sendTo(w, held.body.Bytes())
}

func (h *taskHooks) renewChangeVersion(ref types.ManagedObjectReference) {
	if vm, ok := simulator.Map.Get(ref).(*simulator.VirtualMachine); ok {
		simulator.Map.Update(vm, []types.PropertyChange{{Name: "config.changeVersion", Val: h.clock.next()}})
	}
}

// stampChangeVersions gives the VMs made with the model their first changeVersion.
func (h *taskHooks) stampChangeVersions() {
	for _, e := range simulator.Map.All("VirtualMachine") {
		vm := e.(*simulator.VirtualMachine)
		if vm.Config != nil {
			vm.Config.ChangeVersion = h.clock.next()
		}
	}
}

func configNameChanges(name string) []types.PropertyChange {
	return []types.PropertyChange{
		{Name: "config.name", Val: name},
		{Name: "summary.config.name", Val: name},
	}
}

// foldExtraConfig applies vcsim's appended entries the way vCenter applies a spec: a later value of a key
// replaces the earlier one in place, and an empty (or untyped, hence nil) value removes the key.
func foldExtraConfig(list []types.BaseOptionValue) []types.BaseOptionValue {
	folded := make([]types.BaseOptionValue, 0, len(list))
	at := make(map[string]int, len(list))
	for _, item := range list {
		opt := item.GetOptionValue()
		i, seen := at[opt.Key]
		switch {
		case isEmptyValue(opt.Value):
			if seen {
				folded[i] = nil
				delete(at, opt.Key)
			}
		case seen:
			folded[i] = item
		default:
			at[opt.Key] = len(folded)
			folded = append(folded, item)
		}
	}
	kept := folded[:0]
	for _, item := range folded {
		if item != nil {
			kept = append(kept, item)
		}
	}
	return kept
}

func isEmptyValue(v types.AnyType) bool {
	if v == nil {
		return true
	}
	s, ok := v.(string)
	return ok && s == ""
}

// siblingNamed finds another VM called name in the folder. It scans the registry rather than the folder's
// childEntity, which a concurrent Destroy_Task edits in place.
func siblingNamed(folder *types.ManagedObjectReference, name string, except types.ManagedObjectReference) *types.ManagedObjectReference {
	if folder == nil {
		return nil
	}
	for _, e := range simulator.Map.All("VirtualMachine") {
		vm := e.(*simulator.VirtualMachine)
		if vm.Self != except && isSameRef(vm.Parent, *folder) && vm.Name == name {
			ref := vm.Self
			return &ref
		}
	}
	return nil
}

// checkDatastorePath rejects a vmPathName vcsim would panic on: not "[datastore] path", or a datastore the
// folder's datacenter does not have.
func checkDatastorePath(folder *simulator.Folder, vmPathName string) types.BaseMethodFault {
	var p object.DatastorePath
	if !p.FromString(vmPathName) {
		return &types.InvalidDatastorePath{DatastorePath: vmPathName}
	}
	dc := datacenterOf(folder)
	if dc == nil {
		return nil
	}
	if simulator.Map.FindByName(p.Datastore, dc.Datastore) == nil {
		return &types.InvalidDatastorePath{DatastorePath: vmPathName}
	}
	return nil
}

// removeNewChildren takes out of the folder (and the registry) what a failed create left there. The caller
// runs inside vcsim's lock on the folder.
func removeNewChildren(folder *simulator.Folder, before []types.ManagedObjectReference) {
	existed := make(map[types.ManagedObjectReference]bool, len(before))
	for _, ref := range before {
		existed[ref] = true
	}
	kept := folder.ChildEntity[:0]
	for _, ref := range folder.ChildEntity {
		if existed[ref] {
			kept = append(kept, ref)
			continue
		}
		simulator.Map.Remove(ref)
	}
	folder.ChildEntity = kept
}

// versionClock hands out changeVersions: ISO timestamps like vCenter's, strictly increasing so that two
// changes within one microsecond still differ.
type versionClock struct {
	mu   sync.Mutex
	last time.Time
}

func (c *versionClock) next() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now().UTC().Truncate(time.Microsecond)
	if !now.After(c.last) {
		now = c.last.Add(time.Microsecond)
	}
	c.last = now
	return now.Format("2006-01-02T15:04:05.000000Z")
}
