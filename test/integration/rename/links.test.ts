// Links follow a rename, and nothing else moves: A links to B as `db`, C links to B as `cache` on two networks, D
// is unrelated. Renaming B re-points A's and C's entries in vSphere and changes nothing else, key for key (the
// whole ExtraConfig of every VM is compared, read from the simulator). When the second linked VM's reconfigure
// fails for good, everything done is undone and the ExtraConfig of every VM is back as it was. A linked container
// removed while the rename runs has no links left to follow: the rename goes on without it.
import { beforeEach, describe, expect, it } from 'vitest'
import type { ContainerView } from '../../../src/container/types.js'
import { containersApi } from '../../helpers/containers-api.js'
import { usePortlayer } from '../../helpers/portlayer.js'
import { useRawSoap } from '../../helpers/raw-soap.js'
import { readVm, type VmFacts } from '../../helpers/sim-reads.js'
import { network, rename, resolvesTo } from './support.js'

interface World {
  a: ContainerView
  b: ContainerView
  c: ContainerView
  d: ContainerView
}

/** Keys whose value differs (or that exist on one side only), with both values. */
function diff(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): Record<string, [string?, string?]> {
  const out: Record<string, [string?, string?]> = {}
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    if (before.get(key) !== after.get(key)) out[key] = [before.get(key), after.get(key)]
  }
  return out
}

describe('links and aliases across a rename', () => {
  const pl = usePortlayer()
  const soap = useRawSoap(() => pl().sim)
  const api = containersApi(pl)
  let round = 0
  let w: World

  const read = async (c: ContainerView): Promise<VmFacts> => readVm(soap(), { type: 'VirtualMachine', value: c.vm.moref })
  const readAll = async (): Promise<Record<keyof World, VmFacts>> => ({
    a: await read(w.a),
    b: await read(w.b),
    c: await read(w.c),
    d: await read(w.d),
  })

  beforeEach(async () => {
    round++
    const b = await api.created({ name: `b${round}`, networks: { bridge: { aliases: ['bee'] }, front: {} } })
    w = {
      a: await api.created({ name: `a${round}`, networks: { bridge: {} }, links: [`b${round}:db`] }),
      b,
      c: await api.created({ name: `c${round}`, networks: { bridge: {}, front: { aliases: ['sea'] } }, links: [`b${round}:cache`] }),
      d: await api.created({ name: `d${round}`, networks: { bridge: {} } }),
    }
  })

  it('re-points every link and alias that named the old name, and changes nothing else', async () => {
    const old = `b${round}`
    const renamed = `renamed${round}`
    const before = await readAll()
    expect((await rename(pl(), old, renamed)).status).toBe(204)
    const after = await readAll()

    expect(diff(before.a.extraConfig, after.a.extraConfig)).toEqual({
      'hostconfig/links~': [`${old}:db`, `${renamed}:db`],
      'networks|bridge/network/aliases~': [`${old}:db`, `${renamed}:db`],
    })
    expect(diff(before.c.extraConfig, after.c.extraConfig)).toEqual({
      'hostconfig/links~': [`${old}:cache`, `${renamed}:cache`],
      'networks|bridge/network/aliases~': [`${old}:cache`, `${renamed}:cache`],
      'networks|front/network/aliases~': [`:sea|${old}:cache`, `:sea|${renamed}:cache`],
    })
    expect(diff(before.b.extraConfig, after.b.extraConfig)).toEqual({ 'common/name': [old, renamed] })
    expect(diff(before.d.extraConfig, after.d.extraConfig)).toEqual({})
    expect(after.b.name).toBe(`${renamed}-${w.b.shortId}`)
    for (const k of ['a', 'c', 'd'] as const) expect(after[k].name).toBe(before[k].name)
    // a rename never moves files
    expect(after.b.vmPathName).toBe(before.b.vmPathName)

    // who answers to which name: the new name and the short ID reach B, the old name nothing, the links B
    const bridge = await network(pl(), 'bridge')
    expect(bridge.endpoints.find((e) => e.id === w.b.id)?.names).toEqual([renamed, w.b.shortId, 'bee'])
    expect(bridge.endpoints.some((e) => e.names.includes(old))).toBe(false)
    expect(await resolvesTo(pl(), 'bridge', w.a.name, 'db')).toBe(renamed)
    expect(await resolvesTo(pl(), 'bridge', w.c.name, 'cache')).toBe(renamed)
    expect(await resolvesTo(pl(), 'front', w.c.name, 'cache')).toBe(renamed)
    expect(await resolvesTo(pl(), 'bridge', w.d.name, renamed)).toBe(renamed)
    expect(await resolvesTo(pl(), 'bridge', w.d.name, w.b.shortId)).toBe(renamed)
    expect(await resolvesTo(pl(), 'bridge', w.d.name, old)).toBeUndefined()
    expect((await api.inspect(w.a.id)).body).toMatchObject({
      links: [`${renamed}:db`],
      networks: { bridge: { links: [`${renamed}:db`] } },
    })
  })

  it('keeps the renamed container own links to itself valid', async () => {
    const self = await api.created({ name: `self${round}`, networks: { bridge: {} }, links: [`self${round}:me`] })
    expect((await rename(pl(), self.name, `own${round}`)).status).toBe(204)
    const facts = await read(self)
    expect(facts.extraConfig.get('hostconfig/links~')).toBe(`own${round}:me`)
    expect(facts.extraConfig.get('networks|bridge/network/aliases~')).toBe(`own${round}:me`)
    expect(await resolvesTo(pl(), 'bridge', `own${round}`, 'me')).toBe(`own${round}`)
  })

  it('undoes everything when the second linked container cannot be reconfigured', async () => {
    const old = `b${round}`
    const before = await readAll()
    const [, second] = [w.a, w.c].sort((x, y) => x.id.localeCompare(y.id))
    // every try fails, retries included: a failure for good
    await pl().sim.injectFault({ method: 'ReconfigVM_Task', vm: second!.vm.moref, fault: 'HostCommunication', count: -1 })
    let res: Awaited<ReturnType<typeof rename>>
    try {
      res = await rename(pl(), old, `failed${round}`)
    } finally {
      await pl().sim.clearFaults()
    }
    expect(res.status).toBeGreaterThanOrEqual(500)

    const after = await readAll()
    for (const k of ['a', 'b', 'c', 'd'] as const) {
      expect(diff(before[k].extraConfig, after[k].extraConfig), k).toEqual({})
      expect(after[k].name, k).toBe(before[k].name)
    }
    expect((await api.inspect(old)).body).toMatchObject({ id: w.b.id, name: old })
    expect((await api.inspect(`failed${round}`)).status).toBe(404)
    expect(await resolvesTo(pl(), 'bridge', w.a.name, 'db')).toBe(old)
    expect(await resolvesTo(pl(), 'front', w.c.name, 'cache')).toBe(old)
  })

  it('goes on without a linked container that is removed while the rename runs', async () => {
    const old = `b${round}`
    const renamed = `kept${round}`
    // A's VM goes between the plan and its re-point: vSphere answers its reconfigure as for a deleted VM
    await pl().sim.injectFault({
      method: 'ReconfigVM_Task',
      vm: w.a.vm.moref,
      fault: 'ManagedObjectNotFound',
      props: { obj: { type: 'VirtualMachine', value: w.a.vm.moref } },
      count: -1,
    })
    let res: Awaited<ReturnType<typeof rename>>
    try {
      res = await rename(pl(), old, renamed)
    } finally {
      await pl().sim.clearFaults()
    }
    expect(res.status).toBe(204)
    const after = await read(w.b)
    expect(after.name).toBe(`${renamed}-${w.b.shortId}`)
    expect((await read(w.c)).extraConfig.get('hostconfig/links~')).toBe(`${renamed}:cache`)
    expect((await api.inspect(renamed)).body).toMatchObject({ id: w.b.id, name: renamed })
  })
})
