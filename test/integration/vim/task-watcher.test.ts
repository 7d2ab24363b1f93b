// The shared task watcher against the simulator. vcsim finishes every task inside the call, so a task is never
// seen running here; these tests hand finished tasks straight to the watcher, which must still learn their
// outcome through its one collector, filter and WaitForUpdatesEx loop (or through polling).
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { useSim } from '../../helpers/govcsim.js'
import { methods, moref, type MoRef, type TaskInfo, type VimClient } from '../../../src/vim/index.js'
import { connectTo, datacenterRefs, delta, type DatacenterRefs } from './support.js'

const sim = useSim()
let refs: DatacenterRefs
let client: VimClient | undefined

beforeAll(() => {
  refs = datacenterRefs(sim())
})
afterEach(async () => {
  await client?.close()
  client = undefined
})

let made = 0
/** Issues a CreateVM_Task and returns the task without waiting for it. */
function startCreate(c: VimClient, name = `w${++made}`): Promise<MoRef<'Task'>> {
  return methods.createVMTask(
    c.rt,
    refs.vmFolder,
    { name, guestId: 'otherGuest', files: { vmPathName: `[${refs.datastore}] ${name}/${name}.vmx` } },
    refs.pool,
  )
}

describe('the task watcher', () => {
  it('learns the outcome of many tasks through one collector, one filter and one update loop', async () => {
    client = await connectTo(sim(), { tasks: { maxWaitSeconds: 1 } })
    const c = client
    const tasks = await Promise.all([startCreate(c), startCreate(c), startCreate(c)])
    // issued after the others are done, so it is the one that meets the taken name
    tasks.push(await startCreate(c, 'w1'))
    const before = await sim().stats()
    const infos = await Promise.all(tasks.map((t) => c.tasks.watch(t)))
    expect(infos.map((i) => i.state)).toEqual(['success', 'success', 'success', 'error'])
    expect(infos[3]?.error?.fault._type).toBe('DuplicateName')
    expect(infos[0]?.result).toEqual(expect.objectContaining({ type: 'VirtualMachine' }))
    const calls = delta(before, await sim().stats())
    expect(calls).toMatchObject({ CreatePropertyCollector: 1, CreateListView: 1, CreateFilter: 1 })
    expect(calls['RetrievePropertiesEx']).toBeUndefined()
    expect(c.tasks.mode).toBe('updates')
  })

  it('adds a task to the watched list while the loop is waiting', async () => {
    client = await connectTo(sim(), { tasks: { maxWaitSeconds: 5 } })
    const c = client
    const first = await c.tasks.watch(await startCreate(c))
    expect(first.state).toBe('success')
    const before = await sim().stats()
    const second = await c.tasks.watch(await startCreate(c))
    expect(second.state).toBe('success')
    const calls = delta(before, await sim().stats())
    expect(calls['ModifyListView']).toBe(1)
    expect(calls['CreatePropertyCollector']).toBeUndefined()
  })

  it('builds its collector again when the session is renewed under it', async () => {
    client = await connectTo(sim(), { tasks: { maxWaitSeconds: 1 } })
    const c = client
    const task = await startCreate(c)
    await sim().injectFault({ method: 'WaitForUpdatesEx', fault: 'NotAuthenticated', count: 1 })
    const before = await sim().stats()
    const info = await c.tasks.watch(task)
    expect(info.state).toBe('success')
    const calls = delta(before, await sim().stats())
    expect(calls['Login']).toBe(1)
    expect(calls['CreatePropertyCollector']).toBe(2)
  })

  it('polls with one batched read when told to', async () => {
    client = await connectTo(sim(), { tasks: { mode: 'poll', pollIntervalMs: 50 } })
    const c = client
    const tasks = await Promise.all([startCreate(c), startCreate(c)])
    const before = await sim().stats()
    const infos = await Promise.all(tasks.map((t) => c.tasks.watch(t)))
    expect(infos.every((i) => i.state === 'success')).toBe(true)
    expect(delta(before, await sim().stats())).toEqual({ RetrievePropertiesEx: 1 })
  })

  it('reports progress and the result through runTask, one task call and one read', async () => {
    client = await connectTo(sim())
    const c = client
    const seen: TaskInfo[] = []
    const before = await sim().stats()
    const vm = await c.runTask(() => startCreate(c), { onProgress: (i) => seen.push(i) })
    expect(vm).toEqual(expect.objectContaining({ type: 'VirtualMachine' }))
    // vcsim's tasks are done before the call returns: no intermediate state to report
    expect(seen).toEqual([])
    expect(delta(before, await sim().stats())).toEqual({ CreateVM_Task: 1, RetrievePropertiesEx: 1 })
  })

  it('fails the wait of a task that does not exist', async () => {
    client = await connectTo(sim())
    const err = await client.waitForTask(moref('Task', 'task-does-not-exist')).catch((e: unknown) => e)
    expect(err).toMatchObject({ faultType: 'ManagedObjectNotFound' })
  })
})
