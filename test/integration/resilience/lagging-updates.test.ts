// The store's update loop can be behind a direct read: a WaitForUpdatesEx answer collected before the read may
// arrive after it (a slow network, a busy vCenter). What the read showed must not be taken back by that older
// answer. Here the proxy holds every WaitForUpdatesEx answer back for 2 s while someone else renames a VM twice;
// a refused rename makes portlayer read the VM between the two answers.
import { describe, expect, it } from 'vitest'
import type { ContainerView } from '../../../src/container/types.js'
import { containersApi } from '../../helpers/containers-api.js'
import { eventually } from '../../helpers/eventually.js'
import type { MoRef } from '../../helpers/raw-soap.js'
import { useProxiedPortlayer } from './support.js'

const lagMs = 2_000

describe('an update loop that lags behind a read', () => {
  const p = useProxiedPortlayer({ proxy: { slowMs: lagMs } })
  const api = containersApi(() => p().pl)
  const vmOf = (c: ContainerView): MoRef => ({ type: 'VirtualMachine', value: c.vm.moref })
  const renameOutside = async (c: ContainerView, name: string): Promise<void> => {
    expect((await p().soap.task(p().soap.rename(vmOf(c), name))).state).toBe('success')
  }
  const displayNameOf = async (c: ContainerView): Promise<string | undefined> => (await api.inspect(c.id)).body.displayName

  it('never shows a VM older than a read showed it', async () => {
    const a = await api.created({ name: 'lag-a' })
    await api.created({ name: 'lag-b' })
    // seen through the loop: from now on its waits are the ones held back
    p().proxy.breakMethod('WaitForUpdatesEx', 'slow', -1)
    await renameOutside(a, 'lag-primed')
    await eventually(async () => expect(await displayNameOf(a)).toBe('lag-primed'), { timeoutMs: 4 * lagMs })

    await renameOutside(a, 'outside-1')
    // the simulator has answered the loop's wait with this rename by now; the answer is on its way
    await new Promise((resolve) => setTimeout(resolve, 600))
    await renameOutside(a, 'outside-2')
    // refused on the cached names, after reading both containers again from vSphere
    const refused = await p().pl.inject({ method: 'POST', url: `/v1/containers/${a.id}/rename?name=lag-b` })
    expect(refused.statusCode).toBe(409)
    expect(await displayNameOf(a)).toBe('outside-2')

    const seen: Array<string | undefined> = []
    const until = Date.now() + 2.5 * lagMs
    while (Date.now() < until) {
      seen.push(await displayNameOf(a))
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(new Set(seen), 'the name the read showed, and nothing older').toEqual(new Set(['outside-2']))
    p().proxy.clear()
  })
})
