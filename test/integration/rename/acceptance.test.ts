// VIC's docker rename acceptance cases (1-36-Docker-Rename.robot), translated to the REST API. VIC's "Verify
// Container Rename" becomes: the listing shows the new name and not the old one, inspect by the new name answers,
// and the simulator itself holds a VM whose display name is `new-shortID` and whose `common/name` is the new name.
// Where VIC pinged a name from another container, the network route says which container the name resolves to.
import { describe, expect, it } from 'vitest'
import type { ContainerView } from '../../../src/container/types.js'
import { containersApi } from '../../helpers/containers-api.js'
import { usePortlayer } from '../../helpers/portlayer.js'
import { useRawSoap } from '../../helpers/raw-soap.js'
import { readVm, simVms } from '../../helpers/sim-reads.js'
import { rename, resolvesTo } from './support.js'

describe('docker rename, as VIC accepted it', () => {
  const pl = usePortlayer()
  const soap = useRawSoap(() => pl().sim)
  const api = containersApi(pl)

  async function verifyRenamed(oldName: string, newName: string, c: ContainerView): Promise<void> {
    const names = (await api.list(true)).body.map((x) => x.name)
    expect(names).toContain(newName)
    expect(names).not.toContain(oldName)
    const inspected = await api.inspect(newName)
    expect(inspected.status).toBe(200)
    expect(inspected.body).toMatchObject({ id: c.id, name: newName, displayName: `${newName}-${c.shortId}` })
    const vm = (await simVms(pl().sim)).find((v) => v.name === `${newName}-${c.shortId}`)
    expect(vm?.moref).toBe(c.vm.moref)
    const facts = await readVm(soap(), { type: 'VirtualMachine', value: c.vm.moref })
    expect(facts.extraConfig.get('common/name')).toBe(newName)
  }

  /** `docker run --link target:alias` and `docker run` on bridge: what the target's alias and name resolve to. */
  async function resolution(target: string, alias: string): Promise<{ alias?: string; name?: string; old?: string }> {
    const client = await api.created({ networks: { bridge: {} }, links: [`${target}:${alias}`] })
    expect((await api.start(client.id)).status).toBe(204)
    const plain = await api.created({ networks: { bridge: {} } })
    const out = {
      alias: await resolvesTo(pl(), 'bridge', client.name, alias),
      name: await resolvesTo(pl(), 'bridge', plain.name, target),
    }
    await api.remove(client.id, true)
    await api.remove(plain.id, true)
    return out
  }

  it('1: refuses to rename a container that does not exist', async () => {
    const res = await rename(pl(), 'foo', 'bar')
    expect(res.status).toBe(404)
    expect(res.body).toMatchObject({ code: 'not_found', message: 'no such container: foo' })
  })

  it('2: renames a created container', async () => {
    const c = await api.created({ name: 'cont1-name1', image: 'busybox' })
    expect((await rename(pl(), 'cont1-name1', 'cont1-name2')).status).toBe(204)
    await verifyRenamed('cont1-name1', 'cont1-name2', c)
    expect((await api.inspect('cont1-name2')).body.state).toBe('created')
  })

  it('3: renames a running container, writing only keys the guest cannot see', async () => {
    const c = await api.created({ name: 'cont2-name1', image: 'busybox' })
    expect((await api.start(c.id)).status).toBe(204)
    const vm = { type: 'VirtualMachine', value: c.vm.moref }
    const before = (await readVm(soap(), vm)).extraConfig
    expect((await rename(pl(), 'cont2-name1', 'cont2-name2')).status).toBe(204)
    await verifyRenamed('cont2-name1', 'cont2-name2', c)
    expect((await api.inspect('cont2-name2')).body.state).toBe('running')
    const after = (await readVm(soap(), vm)).extraConfig
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k))
    expect(changed).toEqual(['common/name'])
  })

  it('4: renames a stopped container, which then starts under its new name', async () => {
    const c = await api.created({ name: 'cont3-name1', image: 'busybox' })
    expect((await api.start(c.id)).status).toBe(204)
    expect((await api.stop('cont3-name1')).status).toBe(204)
    expect((await rename(pl(), 'cont3-name1', 'cont3-name2')).status).toBe(204)
    expect((await api.start('cont3-name2')).status).toBe(204)
    await verifyRenamed('cont3-name1', 'cont3-name2', c)
  })

  it('5: refuses an empty name', async () => {
    await api.created({ name: 'cont4' })
    const res = await rename(pl(), 'cont4', '')
    expect(res.status).toBe(400)
    expect(res.body?.code).toBe('name_empty')
    expect((await api.inspect('cont4')).status).toBe(200)
  })

  it('5b: refuses a name outside the docker name pattern', async () => {
    await api.created({ name: 'cont4b' })
    for (const bad of ['x', '-dash', '.dot', 'a b', 'slash/name', 'ünicode']) {
      const res = await rename(pl(), 'cont4b', bad)
      expect(res.status, bad).toBe(400)
      expect(res.body?.code, bad).toBe('invalid_name')
    }
    expect((await api.inspect('cont4b')).status).toBe(200)
  })

  it('6: refuses its own name and a name another container holds', async () => {
    await api.created({ name: 'cont5' })
    const other = await api.created({ name: 'cont6' })
    const same = await rename(pl(), 'cont5', 'cont5')
    expect(same.status).toBe(400)
    expect(same.body?.code).toBe('same_name')
    const taken = await rename(pl(), 'cont5', 'cont6')
    expect(taken.status).toBe(409)
    expect(taken.body?.code).toBe('name_conflict')
    expect(taken.body?.message).toContain(other.id)
    expect((await api.inspect('cont5')).status).toBe(200)
  })

  it('7: resolves a created container by its new name and through a link once started', async () => {
    const c = await api.created({ name: 'cont7-name1', image: 'busybox', networks: { bridge: {} } })
    expect((await rename(pl(), 'cont7-name1', 'cont7-name2')).status).toBe(204)
    expect((await api.start('cont7-name2')).status).toBe(204)
    expect(await resolution('cont7-name2', 'cont7alias')).toEqual({ alias: 'cont7-name2', name: 'cont7-name2' })
    expect(await resolvesTo(pl(), 'bridge', 'cont7-name2', 'cont7-name1')).toBeUndefined()
    expect(await resolvesTo(pl(), 'bridge', 'cont7-name2', c.shortId)).toBe('cont7-name2')
  })

  it('8: resolves a running container by its new name after a restart', async () => {
    const c = await api.created({ name: 'cont8-name1', image: 'busybox', networks: { bridge: {} } })
    expect((await api.start(c.id)).status).toBe(204)
    expect((await rename(pl(), 'cont8-name1', 'cont8-name2')).status).toBe(204)
    expect((await api.stop('cont8-name2')).status).toBe(204)
    expect((await api.start('cont8-name2')).status).toBe(204)
    expect(await resolution('cont8-name2', 'cont8alias')).toEqual({ alias: 'cont8-name2', name: 'cont8-name2' })
    expect(await resolvesTo(pl(), 'bridge', 'cont8-name2', 'cont8-name1')).toBeUndefined()
  })

  it('9: resolves a running container by its new name without a restart', async () => {
    const c = await api.created({ name: 'cont9-name1', image: 'busybox', networks: { bridge: {} } })
    expect((await api.start(c.id)).status).toBe(204)
    expect((await rename(pl(), 'cont9-name1', 'cont9-name2')).status).toBe(204)
    expect(await resolution('cont9-name2', 'cont9alias')).toEqual({ alias: 'cont9-name2', name: 'cont9-name2' })
    expect(await resolvesTo(pl(), 'bridge', 'cont9-name2', 'cont9-name1')).toBeUndefined()
    await verifyRenamed('cont9-name1', 'cont9-name2', c)
  })
})
