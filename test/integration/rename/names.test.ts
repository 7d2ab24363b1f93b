// What a rename shows, and where: every read of the API answers with the new name as soon as the rename returns,
// the event stream carries a `rename` event with the old name, and names come back exactly as given (dots,
// dashes, underscores, the shortest and a long one), whole in `common/name` and cut as at create in the display
// name, with the folder left where it was.
import { describe, expect, it } from 'vitest'
import { displayName } from '../../../src/container/naming.js'
import { containersApi } from '../../helpers/containers-api.js'
import { eventually } from '../../helpers/eventually.js'
import { usePortlayer } from '../../helpers/portlayer.js'
import { useRawSoap } from '../../helpers/raw-soap.js'
import { datastoreEntries, readVm } from '../../helpers/sim-reads.js'
import { eventStream, network, rename } from './support.js'

describe('what a rename shows', () => {
  const pl = usePortlayer()
  const soap = useRawSoap(() => pl().sim)
  const api = containersApi(pl)

  it('shows the new name on every read at once, and streams a rename event', async () => {
    const c = await api.created({ name: 'before', networks: { bridge: {} } })
    const stream = await eventStream(pl())
    try {
      expect((await rename(pl(), 'before', 'after')).status).toBe(204)
      // no wait: the store holds what the rename committed
      expect((await api.inspect('after')).body).toMatchObject({ id: c.id, name: 'after', displayName: `after-${c.shortId}` })
      expect((await api.inspect(c.id)).body.name).toBe('after')
      expect((await api.inspect('before')).status).toBe(404)
      expect((await api.list(true)).body.find((x) => x.id === c.id)?.name).toBe('after')
      expect((await network(pl(), 'bridge')).endpoints.find((e) => e.id === c.id)?.names).toEqual(['after', c.shortId])
      await eventually(() =>
        expect(stream.events.filter((e) => e.type === 'rename')).toEqual([
          { type: 'rename', id: c.id, name: 'after', oldName: 'before', time: expect.any(String) },
        ]),
      )
    } finally {
      stream.close()
    }
    // and the store keeps showing it once vSphere's own report of the change comes in
    await new Promise((resolve) => setTimeout(resolve, 600))
    expect((await api.inspect(c.id)).body.name).toBe('after')
  })

  it.each([
    ['dots, dashes and underscores', 'a.b-c_d.e'],
    ['one character after the first', 'z1'],
    ['200 characters', `l${'o'.repeat(198)}g`],
    ['67 characters, the most a display name keeps', 'x'.repeat(67)],
  ])('gives back a name with %s exactly', async (_, name) => {
    const c = await api.created({ name: `n-${name.length}-${name.slice(0, 3)}` })
    expect((await rename(pl(), c.id, name)).status).toBe(204)
    const inspected = (await api.inspect(name)).body
    expect(inspected.name).toBe(name)
    expect(inspected.displayName).toBe(displayName(name, c.id))
    const facts = await readVm(soap(), { type: 'VirtualMachine', value: c.vm.moref })
    expect(facts.extraConfig.get('common/name')).toBe(name)
    expect(facts.name).toBe(`${name.slice(0, 67)}-${c.shortId}`)
    expect(facts.name.length).toBeLessThanOrEqual(80)
    expect(facts.vmPathName).toBe(c.vm.vmPathName)
  })
})

describe('a rename on vSAN', () => {
  const pl = usePortlayer({ sim: { vsan: true }, config: { datastore: 'vsanDatastore' } })
  const soap = useRawSoap(() => pl().sim)
  const api = containersApi(pl)

  it('leaves the folder named after the display name at create', async () => {
    const c = await api.created({ name: 'on-vsan' })
    expect(c.vm.folder).toBe(`on-vsan-${c.shortId}`)
    const before = datastoreEntries(pl().sim, 'vsanDatastore')
    expect((await rename(pl(), 'on-vsan', 'moved')).status).toBe(204)
    const facts = await readVm(soap(), { type: 'VirtualMachine', value: c.vm.moref })
    expect(facts.name).toBe(`moved-${c.shortId}`)
    expect(facts.vmPathName).toBe(c.vm.vmPathName)
    expect(datastoreEntries(pl().sim, 'vsanDatastore')).toEqual(before)
    expect((await api.inspect('moved')).body.vm).toEqual(c.vm)
  })
})
