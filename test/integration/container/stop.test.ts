// Stopping a container the way docker does: the guest is asked to shut down and given the timeout, and only a
// guest that cannot be asked, or does not finish in time, is powered off. Which of the two happened is read from
// the simulator's own request counts; the power state from a raw property read.
import { describe, expect, it } from 'vitest'
import type { ContainerView } from '../../../src/container/types.js'
import { containersApi } from '../../helpers/containers-api.js'
import { usePortlayer } from '../../helpers/portlayer.js'
import { useRawSoap } from '../../helpers/raw-soap.js'
import { readVm, statsDelta } from '../../helpers/sim-reads.js'

describe('stopping a container', () => {
  const pl = usePortlayer()
  const soap = useRawSoap(() => pl().sim)
  const api = containersApi(pl)

  const running = async (name: string): Promise<ContainerView> => {
    const c = await api.created({ name })
    expect((await api.start(name)).status).toBe(204)
    return c
  }
  const stop = async (ref: string, query = ''): Promise<{ status: number; calls: Record<string, number> }> => {
    const before = await pl().sim.stats()
    const res = await pl().inject({ method: 'POST', url: `/v1/containers/${ref}/stop${query}` })
    return { status: res.statusCode, calls: statsDelta(before, await pl().sim.stats()) }
  }
  const powerState = async (c: ContainerView) =>
    (await readVm(soap(), { type: 'VirtualMachine', value: c.vm.moref })).powerState

  it('asks the guest to shut down and does not power the VM off when the guest complies', async () => {
    const c = await running('clean-stop')
    const { status, calls } = await stop('clean-stop')
    expect(status).toBe(204)
    expect(calls['ShutdownGuest']).toBe(1)
    expect(calls['PowerOffVM_Task']).toBeUndefined()
    expect(await powerState(c)).toBe('poweredOff')
    expect((await api.inspect('clean-stop')).body.state).toBe('stopped')
  })

  it('powers off at once with timeout=0', async () => {
    const c = await running('hard-stop')
    const { status, calls } = await stop('hard-stop', '?timeout=0')
    expect(status).toBe(204)
    expect(calls['ShutdownGuest']).toBeUndefined()
    expect(calls['PowerOffVM_Task']).toBe(1)
    expect(await powerState(c)).toBe('poweredOff')
  })

  it('powers off when the guest cannot be asked (no tools in a container VM)', async () => {
    const c = await running('no-tools')
    await pl().sim.injectFault({ method: 'ShutdownGuest', vm: c.vm.moref, fault: 'ToolsUnavailable' })
    const { status, calls } = await stop('no-tools', '?timeout=5')
    expect(status).toBe(204)
    expect(calls['ShutdownGuest']).toBe(1)
    expect(calls['PowerOffVM_Task']).toBe(1)
    expect(await powerState(c)).toBe('poweredOff')
    expect((await api.inspect('no-tools')).body.state).toBe('stopped')
  })

  it('refuses to stop a container that is not running', async () => {
    await api.created({ name: 'never-started' })
    const res = await pl().inject({ method: 'POST', url: '/v1/containers/never-started/stop' })
    expect(res.statusCode).toBe(409)
    expect(res.json().code).toBe('invalid_state')
  })
})
