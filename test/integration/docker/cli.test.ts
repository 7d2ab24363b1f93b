// The docker CLI against `portlayer serve` on govcsim: load, create, ps with filters, inspect, start/stop/rm, logs,
// networks and events, each checked through an independent read of the simulator (display name `name-shortID`,
// `common/name`, the endpoint's alias slice) as well as through what the CLI prints.
import { describe, expect, it } from 'vitest'
import { makeImageArchive, simAliases, simContainer, simContainers, useDockerRig } from './support.js'

describe('the docker CLI drives portlayer', () => {
  const rig = useDockerRig()

  it('loads an image archive, lists, inspects and tags it; an unknown image is docker\'s "No such image"', async () => {
    const img = makeImageArchive(rig.dir, 'busybox:latest')
    const loaded = await rig.docker('load', '-i', img.file)
    expect(loaded.stdout).toContain('Loaded image: busybox:latest')
    const images = await rig.docker('images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}')
    expect(images.stdout).toContain(`busybox:latest ${img.id.slice(7, 19)}`)
    const inspected = JSON.parse((await rig.docker('image', 'inspect', 'busybox')).stdout)[0]
    expect(inspected).toMatchObject({ Id: img.id, RepoTags: ['busybox:latest'], Config: { Cmd: ['sh'] }, ContainerConfig: { Cmd: ['sh'] } })
    expect((await rig.docker('tag', 'busybox', 'mybox:1')).code).toBe(0)
    expect((await rig.docker('image', 'inspect', 'mybox:1')).code).toBe(0)
    const untag = await rig.docker('rmi', 'mybox:1')
    expect(untag.stdout).toContain('Untagged: mybox:1')
    const missing = await rig.docker('create', 'nosuch')
    expect(missing.code).not.toBe(0)
    expect(missing.stderr).toContain('No such image: nosuch:latest')
  })

  it('creates a container with labels, env and command kept in its VM; ps filters by label, name, status and id', async () => {
    const created = await rig.docker('create', '--name', 'web', '--label', 'tier=front', '-e', 'MODE=prod', 'busybox', 'echo', 'hi')
    expect(created.code).toBe(0)
    const id = created.stdout.trim()
    const vm = await simContainer(rig, 'web')
    expect(vm?.name).toBe(`web-${id.slice(0, 12)}`)
    expect(vm?.powerState).toBe('poweredOff')
    await rig.docker('create', '--name', 'other', 'busybox')

    const names = async (...filters: string[]) =>
      (await rig.docker('ps', '-a', '--format', '{{.Names}}', ...filters.flatMap((f) => ['--filter', f]))).stdout.trim().split('\n').filter(Boolean).sort()
    expect(await names('label=tier=front')).toEqual(['web'])
    expect(await names('label=tier')).toEqual(['web'])
    expect(await names('name=oth')).toEqual(['other'])
    expect(await names(`id=${id.slice(0, 8)}`)).toEqual(['web'])
    expect(await names('status=created')).toEqual(['other', 'web'])
    expect(await names('status=running')).toEqual([])

    const c = await rig.inspect('web')
    expect(c).toMatchObject({
      Id: id,
      Name: '/web',
      Path: 'echo',
      Args: ['hi'],
      State: { Status: 'created', Running: false },
      Config: { Labels: { tier: 'front' }, Env: ['MODE=prod'], Cmd: ['echo', 'hi'], Image: 'busybox' },
    })
  })

  it('starts, stops and removes; the VM powers on and off and is gone after rm', async () => {
    expect((await rig.docker('start', 'web')).code).toBe(0)
    expect((await simContainer(rig, 'web'))?.powerState).toBe('poweredOn')
    expect((await rig.docker('ps', '--format', '{{.Names}} {{.State}}')).stdout).toContain('web running')
    const refused = await rig.docker('rm', 'web')
    expect(refused.stderr).toContain('You cannot remove a running container')
    expect((await rig.docker('stop', '-t', '0', 'web')).code).toBe(0)
    expect((await simContainer(rig, 'web'))?.powerState).toBe('poweredOff')
    expect((await rig.inspect('web')).State.Status).toBe('exited')
    expect((await rig.docker('rm', 'web')).code).toBe(0)
    expect(await simContainer(rig, 'web')).toBeUndefined()
    const gone = await rig.docker('inspect', '--type', 'container', 'web')
    expect(gone.stderr).toContain('No such container: web')
    await rig.docker('rm', '-f', 'other')
  })

  it('kill powers the VM off, restart on again, wait answers once the container is not running; info counts them', async () => {
    const id = (await rig.docker('run', '-d', '--name', 'cycle', 'busybox')).stdout.trim()
    expect((await rig.docker('kill', 'cycle')).code).toBe(0)
    expect((await simContainer(rig, 'cycle'))?.powerState).toBe('poweredOff')
    const again = await rig.docker('kill', 'cycle')
    expect(again.stderr).toContain(`Container ${id} is not running`)
    expect((await rig.docker('wait', 'cycle')).stdout.trim()).toBe('0')
    expect((await rig.docker('restart', '-t', '0', 'cycle')).code).toBe(0)
    expect((await simContainer(rig, 'cycle'))?.powerState).toBe('poweredOn')
    const waiting = rig.docker('wait', 'cycle')
    await new Promise((resolve) => setTimeout(resolve, 500))
    await rig.docker('stop', '-t', '0', 'cycle')
    expect((await waiting).stdout.trim()).toBe('0')
    const info = JSON.parse((await rig.docker('info', '--format', '{{json .}}')).stdout)
    expect(info).toMatchObject({ ServerVersion: '20.10.0', OSType: 'linux', Driver: 'vsphere' })
    expect(info.Containers).toBe((await simContainers(rig)).length)
    await rig.docker('rm', 'cycle')
  })

  it('logs: a container that wrote nothing has empty output, stdout and stderr both asked', async () => {
    const id = (await rig.docker('run', '-d', '--name', 'quiet', 'busybox')).stdout.trim()
    expect(id).toMatch(/^[0-9a-f]{64}$/)
    const logs = await rig.docker('logs', '--timestamps', '--tail', '5', 'quiet')
    expect(logs).toMatchObject({ code: 0, stdout: '', stderr: '' })
    await rig.docker('rm', '-f', 'quiet')
  })

  it('networks: create, run on it with an alias, connect a created container with an alias and a link, inspect', async () => {
    expect((await rig.docker('network', 'create', 'backend')).code).toBe(0)
    const dup = await rig.docker('network', 'create', 'backend')
    expect(dup.stderr).toContain('network with name backend already exists')
    const db = (await rig.docker('run', '-d', '--name', 'db', '--network', 'backend', '--network-alias', 'database', 'busybox')).stdout.trim()
    const app = (await rig.docker('create', '--name', 'app', 'busybox')).stdout.trim()
    const connected = await rig.docker('network', 'connect', '--alias', 'api', '--link', 'db:store', 'backend', 'app')
    expect(connected.code).toBe(0)
    const net = JSON.parse((await rig.docker('network', 'inspect', 'backend')).stdout)[0]
    expect(Object.fromEntries(Object.entries(net.Containers as Record<string, { Name: string }>).map(([k, v]) => [k, v.Name]))).toEqual({
      [db]: 'db',
      [app]: 'app',
    })
    const appJson = await rig.inspect('app')
    expect(appJson.NetworkSettings.Networks.backend).toMatchObject({ Aliases: ['api', app.slice(0, 12)], Links: ['db:store'] })
    expect(simAliases((await simContainer(rig, 'app'))!, 'backend').sort()).toEqual([':api', 'db:store'])
    expect(simAliases((await simContainer(rig, 'db'))!, 'backend')).toEqual([':database'])
    const busy = await rig.docker('network', 'rm', 'backend')
    expect(busy.stderr).toContain('has active endpoints')
    expect((await rig.docker('network', 'disconnect', 'backend', 'app')).code).toBe(0)
    expect(simAliases((await simContainer(rig, 'app'))!, 'backend')).toEqual([])
    await rig.docker('rm', '-f', 'db', 'app')
    expect((await rig.docker('network', 'rm', 'backend')).code).toBe(0)
    expect((await rig.docker('network', 'ls', '--format', '{{.Name}}')).stdout.split('\n')).not.toContain('backend')
  })

  it('events: create, start, rename (with oldName) and destroy stream as docker events', async () => {
    const since = Math.floor(Date.now() / 1000) - 1
    const id = (await rig.docker('create', '--name', 'ev1', 'busybox')).stdout.trim()
    await rig.docker('start', 'ev1')
    await rig.docker('rename', 'ev1', 'ev2')
    await rig.docker('rm', '-f', 'ev2')
    const until = Math.ceil(Date.now() / 1000) + 2
    const out = await rig.docker('events', '--since', String(since), '--until', String(until), '--filter', `container=${id}`, '--format', '{{json .}}')
    const events = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as { Action: string; Actor: { Attributes: Record<string, string> } })
    const actions = events.map((e) => e.Action)
    expect(actions).toEqual(expect.arrayContaining(['create', 'start', 'rename', 'destroy']))
    expect(events.find((e) => e.Action === 'rename')?.Actor.Attributes).toMatchObject({ name: 'ev2', oldName: '/ev1' })
    expect((await simContainers(rig)).map((c) => c.containerName)).not.toContain('ev2')
  })
})
