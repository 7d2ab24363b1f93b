// What a container was created with through the Docker API (labels, environment, command, stop timeout, its
// network and aliases) lives in its VM: a second `portlayer serve` on the same vCenter answers `docker inspect` the
// same, and so does the first after it restarts. Networks and images are known to both the same way.
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { startServer } from '../../../src/cli/serve.js'
import { loadConfig } from '../../../src/config.js'
import { eventually } from '../../helpers/eventually.js'
import { makeImageArchive, useDockerRig } from './support.js'

describe('another portlayer answers the same', () => {
  const rig = useDockerRig()

  it('inspects the container, lists the network and the image as the first one does', async () => {
    await rig.docker('load', '-i', makeImageArchive(rig.dir, 'busybox:latest').file)
    await rig.docker('network', 'create', '--label', 'team=blue', 'shared')
    const created = await rig.docker('create', '--name', 'kept', '--label', 'a=b', '-e', 'X=1', '--stop-timeout', '7', '--network', 'shared', '--network-alias', 'k', 'busybox', 'sleep', '9')
    expect(created.code, created.stderr).toBe(0)
    const first = await rig.inspect('kept')

    const config = await loadConfig(
      { url: rig.sim.url, username: rig.sim.username, listen: '127.0.0.1:0', dockerListen: '127.0.0.1:0' },
      { PORTLAYER_VSPHERE_PASSWORD: rig.sim.password },
    )
    const other = await startServer(config, pino({ level: 'silent' }))
    try {
      const get = async (path: string) => (await fetch(`${other.dockerAddress}${path}`)).json() as Promise<any>
      const second = await eventually(async () => {
        const body = await get('/v1.41/containers/kept/json')
        expect(body.Id).toBe(first.Id)
        return body
      })
      for (const field of ['Name', 'Config', 'HostConfig', 'Image', 'Path', 'Args'] as const) expect(second[field]).toEqual(first[field])
      expect(second.Config).toMatchObject({ Labels: { a: 'b' }, Env: ['X=1'], Cmd: ['sleep', '9'], StopTimeout: 7 })
      expect(second.NetworkSettings.Networks.shared.Aliases).toEqual(first.NetworkSettings.Networks.shared.Aliases)
      const net = await get('/networks/shared')
      expect(net).toMatchObject({ Name: 'shared', Labels: { team: 'blue' } })
      expect(Object.keys(net.Containers)).toEqual([first.Id])
      expect((await get('/images/busybox/json')).Id).toBe(first.Image)

      // the second is a standby: a docker write sent to it is made by the first, the namespace's writer
      const post = (path: string, body?: unknown) =>
        fetch(`${other.dockerAddress}${path}`, {
          method: 'POST',
          ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
        })
      expect((await post('/v1.41/networks/create', { Name: 'from-standby' })).status).toBe(201)
      expect((await post('/v1.41/containers/kept/rename?name=kept-again')).status).toBe(204)
      expect((await rig.inspect('kept-again')).Id).toBe(first.Id)
      const listed = await rig.docker('network', 'ls', '--format', '{{.Name}}')
      expect(listed.stdout.split('\n')).toContain('from-standby')
      const refused = await post('/v1.41/containers/kept-again/rename?name=kept-again')
      expect(refused.status).toBe(400)
      expect(((await refused.json()) as { message: string }).message).toBeTruthy()
    } finally {
      await other.close()
    }
  })
})
