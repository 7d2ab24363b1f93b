// The task watcher with tasks that stay running, which the simulator cannot produce (vcsim finishes every task
// inside the call). A small scripted PropertyCollector stands in for the server: it knows task states, answers
// WaitForUpdatesEx when one changes, and can refuse ListView to force the polling fallback.
import { describe, expect, it } from 'vitest'
import { VimTaskTimeout } from '../../../src/vim/errors.js'
import { VimFault } from '../../../src/vim/fault.js'
import { moref, type MoRef } from '../../../src/vim/moref.js'
import { silentLogger } from '../../../src/vim/logging.js'
import type { CallOptions, MethodSpec, RoundTripper } from '../../../src/vim/round-tripper.js'
import { waitForTask } from '../../../src/vim/task.js'
import { TaskWatcher } from '../../../src/vim/task-watcher.js'
import type { ObjectUpdate, RetrieveResult, TaskInfo, TaskInfoState, UpdateSet } from '../../../src/vim/types.js'

class ScriptedServer implements RoundTripper {
  readonly calls: string[] = []
  readonly tasks = new Map<string, TaskInfo>()
  readonly view = new Set<string>()
  listViewSupported = true
  private changed: ObjectUpdate[] = []
  private wake: (() => void) | undefined
  private version = 0

  set(task: string, state: TaskInfoState, progress?: number): void {
    const info: TaskInfo = {
      key: task,
      task: moref('Task', task),
      descriptionId: 'VirtualMachine.powerOn',
      state,
      cancelled: false,
      cancelable: true,
      queueTime: new Date(0),
      ...(progress !== undefined ? { progress } : {}),
      ...(state === 'error' ? { error: { fault: { _type: 'InvalidPowerState', existingState: 'poweredOn' } } } : {}),
      ...(state === 'success' ? { result: 'done' } : {}),
    }
    this.tasks.set(task, info)
    if (this.view.has(task)) {
      this.changed.push(this.update('modify', info))
      this.wake?.()
    }
  }

  private update(kind: ObjectUpdate['kind'], info: TaskInfo): ObjectUpdate {
    return { kind, obj: info.task, changeSet: [{ name: 'info', op: 'assign', val: info }], missingSet: [] }
  }

  async roundTrip<A, R>(method: MethodSpec<A, R>, args: A, options?: CallOptions): Promise<R> {
    this.calls.push(method.name)
    const a = args as Record<string, unknown>
    switch (method.name) {
      case 'CreatePropertyCollector':
        return moref('PropertyCollector', 'pc-1') as R
      case 'CreateListView':
        if (!this.listViewSupported) throw new VimFault('MethodNotFound', 'no ListView', { method: 'CreateListView' })
        for (const t of a['obj'] as MoRef[]) this.view.add(t.value)
        return moref('ListView', 'lv-1') as R
      case 'ModifyListView':
        for (const t of (a['add'] as MoRef[]) ?? []) {
          this.view.add(t.value)
          const info = this.tasks.get(t.value)
          if (info) this.changed.push(this.update('enter', info))
        }
        for (const t of (a['remove'] as MoRef[]) ?? []) this.view.delete(t.value)
        this.wake?.()
        return [] as R
      case 'CreateFilter':
        return moref('PropertyFilter', 'f-1') as R
      case 'WaitForUpdatesEx':
        return (await this.waitForUpdates(a['version'] as string, options?.signal)) as R
      case 'RetrievePropertiesEx': {
        const spec = (a['specSet'] as { objectSet: { obj: MoRef }[] }[])[0]!
        const result: RetrieveResult = {
          objects: spec.objectSet.map(({ obj }) => ({
            obj,
            propSet: [{ name: 'info', val: this.tasks.get(obj.value) }],
            missingSet: [],
          })),
        }
        return result as R
      }
      default:
        return undefined as R
    }
  }

  private async waitForUpdates(version: string, signal?: AbortSignal): Promise<UpdateSet | undefined> {
    if (version === '') {
      this.changed = []
      const objectSet = [...this.view].flatMap((t) => {
        const info = this.tasks.get(t)
        return info ? [this.update('enter', info)] : []
      })
      return { version: String(++this.version), filterSet: [{ filter: moref('PropertyFilter', 'f-1'), objectSet, missingSet: [] }] }
    }
    while (this.changed.length === 0) {
      await new Promise<void>((resolve, reject) => {
        this.wake = resolve
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true })
      })
    }
    const objectSet = this.changed
    this.changed = []
    return { version: String(++this.version), filterSet: [{ filter: moref('PropertyFilter', 'f-1'), objectSet, missingSet: [] }] }
  }
}

function setup(options: { mode?: 'updates' | 'poll' } = {}): { server: ScriptedServer; watcher: TaskWatcher } {
  const server = new ScriptedServer()
  const watcher = new TaskWatcher(server, {
    propertyCollector: moref('PropertyCollector', 'propertyCollector'),
    viewManager: moref('ViewManager', 'ViewManager'),
    log: silentLogger(),
    pollIntervalMs: 5,
    ...options,
  })
  return { server, watcher }
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5))

describe('waiting for a task that runs for a while', () => {
  it('reports progress and settles with the final state from the update loop', async () => {
    const { server, watcher } = setup()
    server.set('task-1', 'running', 10)
    const progress: (number | undefined)[] = []
    const ctx = { rt: server, propertyCollector: moref('PropertyCollector', 'propertyCollector'), watcher }
    const outcome = waitForTask(ctx, moref('Task', 'task-1'), { onProgress: (i) => progress.push(i.progress) })
    await tick()
    server.set('task-1', 'running', 60)
    await tick()
    server.set('task-1', 'success')
    await expect(outcome).resolves.toBe('done')
    expect(progress).toEqual([10, 10, 60])
    // one read of info, then the watcher: one collector, one list view, one filter
    expect(server.calls.slice(0, 4)).toEqual(['RetrievePropertiesEx', 'CreatePropertyCollector', 'CreateListView', 'CreateFilter'])
    await watcher.close()
  })

  it('throws the task error as its fault', async () => {
    const { server, watcher } = setup()
    server.set('task-2', 'running')
    const ctx = { rt: server, propertyCollector: moref('PropertyCollector', 'propertyCollector'), watcher }
    const outcome = waitForTask(ctx, moref('Task', 'task-2'))
    await tick()
    server.set('task-2', 'error')
    const err = await outcome.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(VimFault)
    expect((err as VimFault).faultType).toBe('InvalidPowerState')
    expect((err as VimFault).task).toEqual(moref('Task', 'task-2'))
    await watcher.close()
  })

  it('watches tasks enrolled later in the same list view', async () => {
    const { server, watcher } = setup()
    server.set('a', 'running')
    server.set('b', 'running')
    const a = watcher.watch(moref('Task', 'a'))
    await tick()
    const b = watcher.watch(moref('Task', 'b'))
    await tick()
    server.set('b', 'success')
    await expect(b).resolves.toMatchObject({ state: 'success' })
    server.set('a', 'success')
    await expect(a).resolves.toMatchObject({ state: 'success' })
    expect(server.calls.filter((c) => c === 'CreateFilter')).toHaveLength(1)
    expect(server.calls.filter((c) => c === 'ModifyListView')).toHaveLength(1)
    await watcher.close()
  })

  it('gives up waiting after the timeout, leaving the task to run', async () => {
    const { server, watcher } = setup()
    server.set('slow', 'running')
    const err = await watcher.watch(moref('Task', 'slow'), { timeoutMs: 20 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(VimTaskTimeout)
    expect((err as Error).message).toContain('may still be running')
    expect(watcher.pendingCount).toBe(0)
    await watcher.close()
  })

  it('stops waiting when the caller aborts', async () => {
    const { server, watcher } = setup()
    server.set('aborted', 'running')
    const controller = new AbortController()
    const wait = watcher.watch(moref('Task', 'aborted'), { signal: controller.signal })
    controller.abort(new Error('caller went away'))
    await expect(wait).rejects.toThrow('caller went away')
    await watcher.close()
  })

  it('falls back to polling when the server has no ListView', async () => {
    const { server, watcher } = setup()
    server.listViewSupported = false
    server.set('p', 'running')
    const wait = watcher.watch(moref('Task', 'p'))
    await tick()
    expect(watcher.mode).toBe('poll')
    server.set('p', 'success')
    await expect(wait).resolves.toMatchObject({ state: 'success' })
    expect(server.calls).toContain('RetrievePropertiesEx')
    await watcher.close()
  })
})
