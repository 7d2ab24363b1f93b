// A container's life through the REST API — create, start, stop, start, stop, remove — with the simulator's own
// power state, inventory and datastore directory checked at every step, and the state errors in between.
import { describe, expect, it } from 'vitest'
import type { ContainerView } from '../../../src/container/types.js'
import { containersApi } from '../../helpers/containers-api.js'
import { usePortlayer } from '../../helpers/portlayer.js'
import { useRawSoap, type MoRef } from '../../helpers/raw-soap.js'
import { datastoreEntries, folderEntries, readVm, simVm } from '../../helpers/sim-reads.js'

describe('container lifecycle', () => {
  const pl = usePortlayer()
  const soap = useRawSoap(() => pl().sim)
  const api = containersApi(pl)

  const vmOf = (c: ContainerView): MoRef => ({ type: 'VirtualMachine', value: c.vm.moref })
  const powerState = async (c: ContainerView): Promise<string> => (await readVm(soap(), vmOf(c))).powerState
  const state = async (ref: string): Promise<string> => (await api.inspect(ref)).body.state

  it('goes created → running → stopped → running → stopped → removed, with the VM and its folder gone at the end', async () => {
    const c = await api.created({ name: 'round-trip' })
    expect(await state('round-trip')).toBe('created')
    expect(await powerState(c)).toBe('poweredOff')

    expect((await api.start('round-trip')).status).toBe(204)
    expect(await powerState(c)).toBe('poweredOn')
    expect(await state('round-trip')).toBe('running')

    expect((await api.stop(c.id)).status).toBe(204)
    expect(await powerState(c)).toBe('poweredOff')
    expect(await state('round-trip')).toBe('stopped')

    expect((await api.start(c.id.slice(0, 12))).status).toBe(204)
    expect(await powerState(c)).toBe('poweredOn')
    expect(await state('round-trip')).toBe('running')

    expect((await api.stop('round-trip')).status).toBe(204)
    expect(await powerState(c)).toBe('poweredOff')
    expect(await state('round-trip')).toBe('stopped')

    expect(folderEntries(pl().sim, 'LocalDS_0', c.id)).toContain(`${c.id}.vmx`)
    expect((await api.remove('round-trip')).status).toBe(204)
    expect(await simVm(pl().sim, c.displayName)).toBeUndefined()
    expect(datastoreEntries(pl().sim, 'LocalDS_0')).not.toContain(c.id)
    expect((await api.inspect('round-trip')).status).toBe(404)
    expect((await api.list(true)).body.map((x) => x.id)).not.toContain(c.id)
  })

  it('answers 409 invalid_state to start a running container and to stop one that is not running', async () => {
    const c = await api.created({ name: 'states' })
    const stopCreated = await api.stop('states')
    expect(stopCreated.status).toBe(409)
    expect(stopCreated.body?.code).toBe('invalid_state')
    expect(await powerState(c)).toBe('poweredOff')

    await api.start('states')
    const startRunning = await api.start('states')
    expect(startRunning.status).toBe(409)
    expect(startRunning.body?.code).toBe('invalid_state')
    expect(await powerState(c)).toBe('poweredOn')

    await api.stop('states')
    const stopStopped = await api.stop('states')
    expect(stopStopped.status).toBe(409)
    expect(stopStopped.body?.code).toBe('invalid_state')
    await api.remove('states')
  })

  it('answers 409 container_running to remove a running container and leaves it running; force removes it', async () => {
    const c = await api.created({ name: 'busy' })
    await api.start('busy')
    for (const force of [undefined, false]) {
      const refused = await api.remove('busy', force)
      expect(refused.status).toBe(409)
      expect(refused.body?.code).toBe('container_running')
      expect(await powerState(c)).toBe('poweredOn')
      expect(folderEntries(pl().sim, 'LocalDS_0', c.id)).toContain(`${c.id}.vmx`)
    }

    expect((await api.remove('busy', true)).status).toBe(204)
    expect(await simVm(pl().sim, c.displayName)).toBeUndefined()
    expect(datastoreEntries(pl().sim, 'LocalDS_0')).not.toContain(c.id)
    expect((await api.inspect(c.id)).status).toBe(404)
  })

  it('removes a container that was never started', async () => {
    const c = await api.created({ name: 'never-started' })
    expect((await api.remove(c.id)).status).toBe(204)
    expect(await simVm(pl().sim, c.displayName)).toBeUndefined()
    expect(datastoreEntries(pl().sim, 'LocalDS_0')).not.toContain(c.id)
  })

  it('answers 404 not_found to start, stop or remove a container that does not exist', async () => {
    for (const res of [await api.start('ghost'), await api.stop('ghost'), await api.remove('ghost', true)]) {
      expect(res.status).toBe(404)
      expect(res.body?.code).toBe('not_found')
    }
  })

  it('frees the name of a removed container for a new one', async () => {
    const first = await api.created({ name: 'reused' })
    await api.remove('reused')
    const second = await api.created({ name: 'reused' })
    expect(second.id).not.toBe(first.id)
    expect((await api.inspect('reused')).body.id).toBe(second.id)
  })
})
