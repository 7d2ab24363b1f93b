// vSphere is the only state: VMs renamed, powered, reconfigured or destroyed by someone else (here, raw SOAP
// calls straight to the simulator) show through the API once the store's update loop hears of them. Each check
// polls the API until it agrees or a deadline passes; no duration is asserted.
import { describe, expect, it } from 'vitest'
import { defaultMaxWaitSeconds } from '../../../src/container/store.js'
import type { ContainerView } from '../../../src/container/types.js'
import { containersApi } from '../../helpers/containers-api.js'
import { eventually } from '../../helpers/eventually.js'
import { usePortlayer } from '../../helpers/portlayer.js'
import { createTestVM, useRawSoap, type MoRef } from '../../helpers/raw-soap.js'
import { readVm, simVm } from '../../helpers/sim-reads.js'

describe('changes made behind portlayer\'s back', () => {
  const pl = usePortlayer()
  const soap = useRawSoap(() => pl().sim)
  const api = containersApi(pl)
  const vmOf = (c: ContainerView): MoRef => ({ type: 'VirtualMachine', value: c.vm.moref })

  it('shows a VM renamed with Rename_Task under its new display name, the container name unchanged', async () => {
    const c = await api.created({ name: 'renamed-vm' })
    const outcome = await soap().task(soap().rename(vmOf(c), 'someone-else-named-this'))
    expect(outcome.state).toBe('success')
    await eventually(async () => {
      const res = await api.inspect(c.id)
      expect(res.body.displayName).toBe('someone-else-named-this')
      expect(res.body.name).toBe('renamed-vm')
    })
  })

  it('shows a VM powered on and off outside as running, then stopped', async () => {
    const c = await api.created({ name: 'powered-outside' })
    await api.start(c.id)
    await api.stop(c.id)
    expect((await soap().task(soap().powerOn(vmOf(c)))).state).toBe('success')
    await eventually(async () => {
      expect((await api.inspect(c.id)).body.state).toBe('running')
      expect((await api.list()).body.map((x) => x.id)).toContain(c.id)
    })
    expect((await soap().task(soap().call('PowerOffVM_Task', vmOf(c)))).state).toBe('success')
    await eventually(async () => {
      expect((await api.inspect(c.id)).body.state).toBe('stopped')
      expect((await api.list()).body.map((x) => x.id)).not.toContain(c.id)
    })
  })

  it('forgets a VM destroyed outside', async () => {
    const c = await api.created({ name: 'destroyed-outside' })
    // an outside rename showing through proves the update loop knows this VM
    await soap().task(soap().rename(vmOf(c), 'about-to-go'))
    await eventually(async () => expect((await api.inspect(c.id)).body.displayName).toBe('about-to-go'))
    expect((await soap().task(soap().call('Destroy_Task', vmOf(c)))).state).toBe('success')
    await eventually(async () => {
      expect((await api.inspect(c.id)).status).toBe(404)
      expect((await api.inspect('destroyed-outside')).status).toBe(404)
      expect((await api.list(true)).body.map((x) => x.id)).not.toContain(c.id)
    })
    // and the name is free again
    expect((await api.create({ name: 'destroyed-outside' })).status).toBe(201)
  })

  it('forgets a VM created here and destroyed outside before the update loop ever reported it', async () => {
    // created and destroyed between two collections of the update loop, the VM is never reported at all: the
    // store's own confirmation read finds it gone
    const c = await api.created({ name: 'short-lived' })
    expect((await soap().task(soap().call('Destroy_Task', vmOf(c)))).state).toBe('success')
    // the loop's next wait returns within maxWaitSeconds even when nothing else happens
    await eventually(
      async () => {
        expect((await api.inspect(c.id)).status).toBe(404)
        expect((await api.list(true)).body.map((x) => x.id)).not.toContain(c.id)
      },
      { timeoutMs: defaultMaxWaitSeconds * 1000 + 5_000 },
    )
  })

  it('answers 404 to a start or remove that meets a VM destroyed outside moments before', async () => {
    for (const call of [api.start, (ref: string) => api.remove(ref)]) {
      const c = await api.created({})
      expect((await soap().task(soap().call('Destroy_Task', vmOf(c)))).state).toBe('success')
      const res = await call(c.id)
      expect(res.status).toBe(404)
      expect(res.body?.code).toBe('not_found')
      expect((await api.inspect(c.id)).status).toBe(404)
    }
  })

  it('follows a container ID that a new VM made outside carries after the old VM was removed', async () => {
    const c = await api.created({ name: 'reincarnated' })
    const { extraConfig } = await readVm(soap(), vmOf(c))
    expect((await api.remove(c.id)).status).toBe(204)
    // the same container data on a VM made behind portlayer's back (as a restore or another service would)
    const dc = pl().sim.inventory.datacenters[0]!
    const copy = await createTestVM(soap(), dc, 'reincarnated-copy', { guestId: 'otherGuest64', extraConfig: [...extraConfig] })
    expect(copy.state).toBe('success')
    await eventually(async () => {
      const res = await api.inspect('reincarnated')
      expect(res.status).toBe(200)
      expect(res.body).toMatchObject({ id: c.id, displayName: 'reincarnated-copy', vm: { moref: copy.result!.value } })
    })
    expect((await api.remove('reincarnated')).status).toBe(204)
    expect(await simVm(pl().sim, 'reincarnated-copy')).toBeUndefined()
  })

  it('follows a common/name written outside: the container answers to the new name only', async () => {
    const c = await api.created({ name: 'before-outside' })
    const outcome = await soap().task(soap().reconfigure(vmOf(c), { extraConfig: [['common/name', 'after-outside']] }))
    expect(outcome.state).toBe('success')
    await eventually(async () => {
      expect((await api.inspect('after-outside')).body.id).toBe(c.id)
      expect((await api.inspect('before-outside')).status).toBe(404)
    })
    expect((await api.create({ name: 'before-outside' })).status).toBe(201)
    expect((await api.create({ name: 'after-outside' })).body.code).toBe('name_conflict')
  })

  it('commits over a change it has not heard of yet without undoing it (changeVersion, re-read, replay)', async () => {
    const c = await api.created({ name: 'raced' })
    // straight after an outside reconfigure the cached changeVersion is stale: the first commit meets
    // ConcurrentAccess and is replayed from a fresh read
    const before = await readVm(soap(), vmOf(c))
    const outside = { changeVersion: before.changeVersion, extraConfig: [['outside/key', 'kept']] as Array<[string, string]> }
    expect((await soap().task(soap().reconfigure(vmOf(c), outside))).state).toBe('success')
    expect((await api.start('raced')).status).toBe(204)
    const after = await readVm(soap(), vmOf(c))
    expect(after.powerState).toBe('poweredOn')
    expect(after.extraConfig.get('outside/key')).toBe('kept')
    expect(after.extraConfig.get('common/name')).toBe('raced')
  })
})
