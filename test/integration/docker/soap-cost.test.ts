// The Docker API front adds no vSphere call of its own: a `docker create` and a `docker rename` cost the simulator
// the same SOAP calls as the same operation through the REST API (docker's extra reads, of the image index and the
// network definitions, are datastore file reads, not SOAP).
import { describe, expect, it } from 'vitest'
import { quietStats, statsDelta } from '../../helpers/sim-reads.js'
import { makeImageArchive, useDockerRig } from './support.js'

describe('SOAP cost of the Docker API front', () => {
  // renewals of the writer lease are SOAP calls too: a long lease keeps them out of the counts
  const rig = useDockerRig({ leaseSeconds: 600 })

  async function cost(action: () => Promise<unknown>): Promise<Record<string, number>> {
    const before = await quietStats(rig.sim)
    await action()
    return statsDelta(before, await quietStats(rig.sim))
  }

  it('create and rename cost what they cost through REST', async () => {
    await rig.docker('load', '-i', makeImageArchive(rig.dir, 'busybox:latest').file)
    const rest = (method: string, path: string, body?: unknown) =>
      fetch(`${rig.server.address}${path}`, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      }).then((res) => expect(res.status).toBeLessThan(300))
    const restCreate = await cost(() => rest('POST', '/v1/containers', { name: 'by-rest', image: 'busybox', networks: { bridge: {} } }))
    const dockerCreate = await cost(async () => expect((await rig.docker('create', '--name', 'by-docker', 'busybox')).code).toBe(0))
    expect(dockerCreate).toEqual(restCreate)
    const restRename = await cost(() => rest('POST', '/v1/containers/by-rest/rename?name=by-rest2'))
    const dockerRename = await cost(async () => expect((await rig.docker('rename', 'by-docker', 'by-docker2')).code).toBe(0))
    expect(dockerRename).toEqual(restRename)
  })
})
