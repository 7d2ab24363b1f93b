// Changes sent just as vCenter ended portlayer's session: vSphere refuses them unrun (NotAuthenticated), portlayer
// logs in again and sends each once more, so the caller gets its answer — and the simulator holds exactly one VM.
import { describe, expect, it } from 'vitest'
import { containersApi } from '../../helpers/containers-api.js'
import { usePortlayer } from '../../helpers/portlayer.js'
import { sessionManager, useRawSoap } from '../../helpers/raw-soap.js'
import { simVms, statsDelta } from '../../helpers/sim-reads.js'

describe('changes when the vSphere session has ended', () => {
  const pl = usePortlayer()
  const soap = useRawSoap(() => pl().sim)
  const api = containersApi(pl)

  // ends every session but this test's own, as an administrator (or vCenter's idle timeout) would
  const endPortlayersSession = async () => {
    const listing = await soap().property(sessionManager, 'sessionList')
    const keys = [...(listing ?? '').matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1]!)
    const others = keys.filter((k) => k !== soap().sessionKey)
    expect(others.length).toBeGreaterThan(0)
    const ended = await soap().call(
      'TerminateSession',
      sessionManager,
      others.map((k) => `<sessionId>${k}</sessionId>`).join(''),
    )
    expect(ended.status).toBe(200)
  }

  it('logs in again, sends the create once more and makes one VM', async () => {
    await api.created({ name: 'before-expiry' })
    // counted from before the end: the store's update loop may be the caller that meets it first and logs in
    const before = await pl().sim.stats()
    await endPortlayersSession()

    const res = await api.create({ name: 'after-expiry' })
    expect(res.status).toBe(201)
    const calls = statsDelta(before, await pl().sim.stats())
    expect(calls['Login']).toBeGreaterThanOrEqual(1)
    const named = (await simVms(pl().sim)).filter((vm) => vm.name.startsWith('after-expiry-'))
    expect(named).toHaveLength(1)
    expect((await api.inspect('after-expiry')).status).toBe(200)
  })

  it('logs in again and renames, start and stop as well', async () => {
    await api.created({ name: 'renamed-after' })
    await endPortlayersSession()
    const renamed = await pl().inject({ method: 'POST', url: '/v1/containers/renamed-after/rename?name=renamed-now' })
    expect(renamed.statusCode).toBe(204)
    await endPortlayersSession()
    expect((await api.start('renamed-now')).status).toBe(204)
    await endPortlayersSession()
    expect((await pl().inject({ method: 'POST', url: '/v1/containers/renamed-now/stop?timeout=0' })).statusCode).toBe(204)
    const named = (await simVms(pl().sim)).filter((vm) => vm.name.startsWith('renamed-now-'))
    expect(named).toHaveLength(1)
  })
})
