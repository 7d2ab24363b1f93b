// moby's own `docker rename` cases (integration-cli docker_cli_rename_test.go), run with the real docker CLI against
// portlayer, each checked in the simulator: the VM's display name is `new-shortID` and its `common/name` the new
// name, and links stored on other VMs name the renamed container by its new name.
import { describe, expect, it } from 'vitest'
import { makeImageArchive, simAliases, simContainer, simLinks, useDockerRig, type DockerRig } from './support.js'

async function expectRenamedInSim(rig: DockerRig, id: string, oldName: string, newName: string): Promise<void> {
  const vm = await simContainer(rig, newName)
  expect(vm?.id).toBe(id)
  expect(vm?.name).toBe(`${newName}-${id.slice(0, 12)}`)
  expect(await simContainer(rig, oldName)).toBeUndefined()
}

describe("moby's docker rename cases", () => {
  const rig = useDockerRig()

  it('renames a stopped container', async () => {
    await rig.docker('load', '-i', makeImageArchive(rig.dir, 'busybox:latest').file)
    const id = (await rig.docker('run', '-d', '--name', 'first_name', 'busybox')).stdout.trim()
    await rig.docker('stop', '-t', '0', 'first_name')
    expect((await rig.docker('rename', 'first_name', 'new_name')).code).toBe(0)
    expect((await rig.inspect(id)).Name).toBe('/new_name')
    await expectRenamedInSim(rig, id, 'first_name', 'new_name')
  })

  it('renames a running container, and renames it twice', async () => {
    const id = (await rig.docker('run', '-d', '--name', 'running1', 'busybox')).stdout.trim()
    expect((await rig.docker('rename', 'running1', 'running2')).code).toBe(0)
    expect((await rig.inspect(id)).State.Running).toBe(true)
    await expectRenamedInSim(rig, id, 'running1', 'running2')
    expect((await rig.docker('rename', 'running2', 'running3')).code).toBe(0)
    await expectRenamedInSim(rig, id, 'running2', 'running3')
    expect((await simContainer(rig, 'running3'))?.powerState).toBe('poweredOn')
  })

  it('frees the old name at once: a new container can take it', async () => {
    const id = (await rig.docker('run', '-d', '--name', 'reuse_me', 'busybox')).stdout.trim()
    expect((await rig.docker('rename', 'reuse_me', 'reused')).code).toBe(0)
    const second = await rig.docker('run', '-d', '--name', 'reuse_me', 'busybox')
    expect(second.code).toBe(0)
    expect((await simContainer(rig, 'reuse_me'))?.id).toBe(second.stdout.trim())
    expect((await simContainer(rig, 'reused'))?.id).toBe(id)
  })

  it('refuses a name taken by another container with docker\'s conflict text', async () => {
    const holder = (await rig.docker('create', '--name', 'taken', 'busybox')).stdout.trim()
    await rig.docker('create', '--name', 'wants_it', 'busybox')
    const res = await rig.docker('rename', 'wants_it', 'taken')
    expect(res.code).not.toBe(0)
    expect(res.stderr).toContain(`Conflict. The container name "/taken" is already in use by container "${holder}"`)
    expect((await rig.inspect('wants_it')).Name).toBe('/wants_it')
  })

  it('an invalid name fails and the container keeps its old name', async () => {
    const id = (await rig.docker('create', '--name', 'myname', 'busybox')).stdout.trim()
    for (const bad of ['new:invalid', 'x', '_under']) {
      const res = await rig.docker('rename', 'myname', bad)
      expect(res.code).not.toBe(0)
      expect(res.stderr).toContain('Invalid container name')
    }
    expect((await rig.inspect(id)).Name).toBe('/myname')
    expect((await simContainer(rig, 'myname'))?.id).toBe(id)
    const empty = await rig.docker('rename', 'myname', '')
    expect(empty.code).not.toBe(0)
  })

  it('the same name fails, by name and by ID', async () => {
    const id = (await rig.docker('create', '--name', 'same', 'busybox')).stdout.trim()
    for (const ref of ['same', id]) {
      const res = await rig.docker('rename', ref, 'same')
      expect(res.stderr).toContain('Renaming a container with the same name as its current name')
    }
    const missing = await rig.docker('rename', 'nosuch', 'other')
    expect(missing.stderr).toContain('No such container: nosuch')
  })

  it('a linked container keeps resolving after either side is renamed', async () => {
    await rig.docker('run', '-d', '--name', 'db1', 'busybox')
    await rig.docker('run', '-d', '--name', 'app1', '--link', 'db1:/mysql', 'busybox')
    expect((await rig.inspect('app1')).HostConfig.Links).toEqual(['/db1:/app1/mysql'])
    expect((await rig.docker('rename', 'app1', 'app2')).code).toBe(0)
    expect((await rig.inspect('app2')).HostConfig.Links).toEqual(['/db1:/app2/mysql'])
    expect((await rig.docker('rename', 'db1', 'db2')).code).toBe(0)
    expect((await rig.inspect('app2')).HostConfig.Links).toEqual(['/db2:/app2/mysql'])
    const app = (await simContainer(rig, 'app2'))!
    expect(simLinks(app)).toEqual(['db2:mysql'])
    expect(simAliases(app, 'bridge')).toEqual(['db2:mysql'])
  })

  it('a container with no given name on a user-defined network, renamed, is found by its new name there', async () => {
    await rig.docker('network', 'create', 'network1')
    const id = (await rig.docker('create', '--network', 'network1', 'busybox')).stdout.trim()
    const generated = (await rig.inspect(id)).Name.slice(1)
    expect((await rig.docker('rename', id, 'container1')).code).toBe(0)
    await rig.docker('start', 'container1')
    await expectRenamedInSim(rig, id, generated, 'container1')
    const net = JSON.parse((await rig.docker('network', 'inspect', 'network1')).stdout)[0]
    expect(net.Containers[id].Name).toBe('container1')
  })
})
