// Task expiry (compat). vCenter lets a completed Task object go some minutes after it finished; a client that
// reads it later gets ManagedObjectNotFound (govmomi's WaitForTasks caches results for that reason). vcsim 0.24.2
// keeps every Task for the life of the process, together with the request its work closed over (a CreateVM's
// whole spec), so its memory grows with every call: a long test run ends with gigabytes in tasks.
//
// The expirer hears of each new Task (a registry handler, as the task hooks are) and removes it from the registry,
// and so from the collectors that saw it, once it completed -task-lifetime ago. Running tasks stay.
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
	if task, ok := obj.(*simulator.Task); ok {
		e.mu.Lock()
		e.tasks = append(e.tasks, task)
		e.mu.Unlock()
	}
}

func (e *taskExpirer) UpdateObject(mo.Reference, []types.PropertyChange) {}

func (e *taskExpirer) RemoveObject(types.ManagedObjectReference) {}

// run looks for expired tasks a few times per lifetime until stop is closed.
func (e *taskExpirer) run(stop <-chan struct{}) {
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
