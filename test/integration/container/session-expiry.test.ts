// A create sent just as vCenter ended portlayer's session: vSphere refuses it unrun (NotAuthenticated), portlayer
// logs in again and sends it once more, so the caller gets the container — and the simulator holds exactly one VM.
import { describe, expect, it } from 'vitest'
import { containersApi } from '../../helpers/containers-api.js'
import { usePortlayer } from '../../helpers/portlayer.js'
import { sessionManager, useRawSoap } from '../../helpers/raw-soap.js'
import { simVms, statsDelta } from '../../helpers/sim-reads.js'

describe('a create when the vSphere session has ended', () => {
  const pl = usePortlayer()
  const soap = useRawSoap(() => pl().sim)
  const api = containersApi(pl)

  it('logs in again, sends the create once more and makes one VM', async () => {
    await api.created({ name: 'before-expiry' })
    // end every session but this test's own, as an administrator (or vCenter's idle timeout) would
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

    const before = await pl().sim.stats()
    const res = await api.create({ name: 'after-expiry' })
    expect(res.status).toBe(201)
    const calls = statsDelta(before, await pl().sim.stats())
    expect(calls['Login']).toBeGreaterThanOrEqual(1)
    const named = (await simVms(pl().sim)).filter((vm) => vm.name.startsWith('after-expiry-'))
    expect(named).toHaveLength(1)
    expect((await api.inspect('after-expiry')).status).toBe(200)
  })
})
