import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useSim } from '../../helpers/govcsim.js'
import { useRawSoap } from '../../helpers/raw-soap.js'
import { moref, type UpdateSet, type VimClient } from '../../../src/vim/index.js'
import { connectTo, delta } from './support.js'

const sim = useSim({ vms: 1, standaloneHosts: 0 })
const raw = useRawSoap(sim)
let client: VimClient

beforeAll(async () => {
  client = await connectTo(sim())
})
afterAll(async () => {
  await client?.close()
})

/** Names seen per VM, in the order updates brought them. */
function namesIn(updates: UpdateSet[]): Map<string, string[]> {
  const names = new Map<string, string[]>()
  for (const set of updates) {
    for (const filter of set.filterSet) {
      for (const object of filter.objectSet) {
        for (const change of object.changeSet) {
          if (change.name === 'name') names.set(object.obj.value, [...(names.get(object.obj.value) ?? []), String(change.val)])
        }
      }
    }
  }
  return names
}

describe('following changes with WaitForUpdatesEx', () => {
  it('delivers the current state, then a rename made by someone else, and cleans up when stopped', async () => {
    const vm = sim().inventory.datacenters[0]!.vms[0]!
    const updates: UpdateSet[] = []
    const stop = new AbortController()
    let seenRename: () => void = () => undefined
    const renamed = new Promise<void>((resolve) => (seenRename = resolve))
    const before = await sim().stats()
    const watching = client.watchContainer(
      client.serviceContent.rootFolder,
      'VirtualMachine',
      ['name'],
      (set) => {
        updates.push(set)
        if (namesIn(updates).get(vm.moref)?.includes('renamed-elsewhere')) seenRename()
      },
      { signal: stop.signal, maxWaitSeconds: 5 },
    )
    // wait for the initial state before changing anything
    await expect.poll(() => namesIn(updates).get(vm.moref)?.[0]).toBe(vm.name)
    await raw().task(raw().rename(moref('VirtualMachine', vm.moref), 'renamed-elsewhere'))
    await renamed
    stop.abort()
    await watching
    expect(namesIn(updates).get(vm.moref)).toEqual([vm.name, 'renamed-elsewhere'])
    const calls = delta(before, await sim().stats())
    expect(calls).toMatchObject({
      CreatePropertyCollector: 1,
      CreateContainerView: 1,
      CreateFilter: 1,
      DestroyPropertyCollector: 1,
      DestroyView: 1,
    })
  })
})
