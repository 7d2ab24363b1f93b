// Task expiry (compat). vCenter lets a completed Task object go some minutes after it finished; a client that
// reads it later gets ManagedObjectNotFound (govmomi's WaitForTasks caches results for that reason). vcsim 0.24.2
// keeps every Task for the life of the process, together with the request its work closed over (a CreateVM's
// whole spec), so its memory grows with every call: a long test run ends with gigabytes in tasks.
//
// The expirer hears of each new Task (a registry handler, as the task hooks are) and removes it from the registry,
// and so from the collectors that saw it, once it completed -task-lifetime ago. Running tasks stay.
//
// Until then a completed task keeps only what vCenter keeps of it, its TaskInfo: as its state turns success or
// error the expirer drops the work vcsim attached to it, a closure that held the whole HTTP request the task ran
// for (headers, body, the decoded spec) and the objects it worked on. Under load that was most of the simulator's
// memory: a few kilobytes per task, for the ten minutes a task stays readable.
package main

import (
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

type taskExpirer struct {
	lifetime time.Duration
	mu       sync.Mutex
	tasks    []*simulator.Task // not expired yet, oldest first
}

var taskExpirerRef = types.ManagedObjectReference{Type: "GovcsimTaskExpirer", Value: "govcsim-task-expirer"}

func (e *taskExpirer) Reference() types.ManagedObjectReference { return taskExpirerRef }

func (e *taskExpirer) PutObject(obj mo.Reference) {
	if task, ok := obj.(*simulator.Task); ok && e.lifetime > 0 {
		e.mu.Lock()
		e.tasks = append(e.tasks, task)
		e.mu.Unlock()
	}
}

// UpdateObject lets go of a task's work once the task has completed (vcsim's Task.Run reports the state after
// the work returned and never runs it again).
func (e *taskExpirer) UpdateObject(obj mo.Reference, changes []types.PropertyChange) {
	info, ok := obj.(*mo.Task)
	if !ok {
		return
	}
	for _, change := range changes {
		if change.Name != "info.state" {
			continue
		}
		if state, _ := change.Val.(types.TaskInfoState); state == types.TaskInfoStateSuccess || state == types.TaskInfoStateError {
			if task, ok := simulator.Map.Get(info.Self).(*simulator.Task); ok {
				task.Execute = nil
			}
		}
	}
}

func (e *taskExpirer) RemoveObject(types.ManagedObjectReference) {}

// run looks for expired tasks a few times per lifetime until stop is closed; a lifetime of 0 keeps every task.
func (e *taskExpirer) run(stop <-chan struct{}) {
	if e.lifetime <= 0 {
		e.mu.Lock()
		e.tasks = nil
		e.mu.Unlock()
		return
	}
	every := e.lifetime / 4
	if every > 30*time.Second {
		every = 30 * time.Second
	}
	if every < 100*time.Millisecond {
		every = 100 * time.Millisecond
	}
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-ticker.C:
			for _, ref := range e.expired(now.Add(-e.lifetime)) {
				simulator.Map.Remove(ref)
			}
		}
	}
}

// expired takes out of the list the tasks that completed before cutoff, reading each under its lock.
func (e *taskExpirer) expired(cutoff time.Time) []types.ManagedObjectReference {
	e.mu.Lock()
	tasks := e.tasks
	e.tasks = nil
	e.mu.Unlock()

	var gone []types.ManagedObjectReference
	kept := tasks[:0]
	for _, task := range tasks {
		expired := false
		simulator.Map.WithLock(task, func() {
			info := task.Info
			done := info.State == types.TaskInfoStateSuccess || info.State == types.TaskInfoStateError
			expired = done && info.CompleteTime != nil && info.CompleteTime.Before(cutoff)
		})
		if expired {
			gone = append(gone, task.Self)
		} else {
			kept = append(kept, task)
		}
	}

	e.mu.Lock()
	e.tasks = append(kept, e.tasks...)
	e.mu.Unlock()
	return gone
}
