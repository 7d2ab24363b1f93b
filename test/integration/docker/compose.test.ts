// docker-compose 1.29 against portlayer: a project with two networks, aliases and links. After `up -d`, after a
// change of one service's environment and `up -d` (that service recreated through compose's rename to
// `<shortid>_<name>`, the others untouched), after `up -d --force-recreate` and after `down`, the simulator holds no
// `<shortid>_…` container, every display name is `name-shortID`, and every stored link and alias names a current
// container.
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { makeImageArchive, simAliases, simContainers, simLinks, useDockerRig, type DockerRig } from './support.js'

function composeFile(webMode: string): string {
  return `version: "2.4"
services:
  db:
    image: busybox
    networks:
      back:
        aliases: [database]
  web:
    image: busybox
    environment:
      MODE: ${webMode}
    links: ["db:store"]
    networks:
      front:
        aliases: [www]
      back: {}
  cache:
    image: busybox
    networks: [front]
networks:
  front: {}
  back: {}
`
}

/** The invariants after every step; returns the containers by service. */
async function checkWorld(rig: DockerRig): Promise<Map<string, { id: string; name: string }>> {
  const all = await simContainers(rig)
  const names = new Set(all.map((c) => c.containerName))
  for (const c of all) {
    expect(c.containerName).not.toMatch(/^[0-9a-f]{12}_/)
    expect(c.name).toBe(`${c.containerName}-${c.id.slice(0, 12)}`)
    for (const entry of [...simLinks(c), ...['front', 'back', 'bridge'].flatMap((n) => simAliases(c, n))]) {
      const target = entry.split(':')[0]!
      if (target !== '') expect(names, `${c.containerName} names ${entry}`).toContain(target)
    }
  }
  return new Map(all.map((c) => [c.containerName.replace(/^proj_/, '').replace(/_1$/, ''), { id: c.id, name: c.containerName }]))
}

describe('docker-compose drives portlayer', () => {
  const rig = useDockerRig()

  it('up -d, change one service and up -d, --force-recreate, down', async () => {
    await rig.docker('load', '-i', makeImageArchive(rig.dir, 'busybox:latest').file)
    const dir = path.join(rig.dir, 'proj')
    mkdirSync(dir, { recursive: true })
    writeFileSync(path.join(dir, 'docker-compose.yml'), composeFile('one'))

    const up = await rig.compose('proj', 'up', '-d')
    expect(up.code, up.stderr).toBe(0)
    const first = await checkWorld(rig)
    expect([...first.keys()].sort()).toEqual(['cache', 'db', 'web'])
    const web = await rig.inspect('proj_web_1')
    expect(web.State.Running).toBe(true)
    expect(web.Config.Env).toContain('MODE=one')
    expect(Object.keys(web.NetworkSettings.Networks).sort()).toEqual(['proj_back', 'proj_front'])
    expect(web.NetworkSettings.Networks.proj_front.Aliases).toEqual(expect.arrayContaining(['www', 'web']))
    expect(web.HostConfig.Links).toEqual(expect.arrayContaining(['/proj_db_1:/proj_web_1/store']))
    expect((await rig.inspect('proj_db_1')).NetworkSettings.Networks.proj_back.Aliases).toEqual(expect.arrayContaining(['database', 'db']))

    writeFileSync(path.join(dir, 'docker-compose.yml'), composeFile('two'))
    const again = await rig.compose('proj', 'up', '-d')
    expect(again.code, again.stderr).toBe(0)
    expect(again.stderr).toMatch(/Recreating proj_web_1/)
    const second = await checkWorld(rig)
    expect(second.get('web')?.id).not.toBe(first.get('web')?.id)
    expect(second.get('db')?.id).toBe(first.get('db')?.id)
    expect(second.get('cache')?.id).toBe(first.get('cache')?.id)
    expect((await rig.inspect('proj_web_1')).Config.Env).toContain('MODE=two')

    const forced = await rig.compose('proj', 'up', '-d', '--force-recreate')
    expect(forced.code, forced.stderr).toBe(0)
    const third = await checkWorld(rig)
    for (const service of ['db', 'web', 'cache']) expect(third.get(service)?.id).not.toBe(second.get(service)?.id)
    expect((await rig.inspect('proj_web_1')).HostConfig.Links).toEqual(expect.arrayContaining(['/proj_db_1:/proj_web_1/store']))

    const down = await rig.compose('proj', 'down')
    expect(down.code, down.stderr).toBe(0)
    expect(await simContainers(rig)).toEqual([])
    const nets = (await rig.docker('network', 'ls', '--format', '{{.Name}}')).stdout
    expect(nets).not.toContain('proj_')
  })
})
