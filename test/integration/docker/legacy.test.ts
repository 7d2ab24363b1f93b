// A container made before rename existed (VIC's data-version-1 golden vector, placed in a VM with raw SOAP) refuses
// `docker rename` with docker's 409 and a message saying why; when docker-compose recreates such a container (its
// config hash changed), compose's rename to `<shortid>_<name>` is refused the same way and compose reports it. The
// VM is untouched either way: same display name, same changeVersion.
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { annotationKey, containerKeys } from '../../../src/extraconfig/index.js'
import { eventually } from '../../helpers/eventually.js'
import { createTestVM, type MoRef } from '../../helpers/raw-soap.js'
import { readVm } from '../../helpers/sim-reads.js'
import { fixture } from '../../helpers/vic-fixtures.js'
import { makeImageArchive, useDockerRig } from './support.js'

const id = '7'.repeat(64)
const composeLabels = {
  'com.docker.compose.project': 'legacy',
  'com.docker.compose.service': 'web',
  'com.docker.compose.oneoff': 'False',
  'com.docker.compose.container-number': '1',
  'com.docker.compose.config-hash': 'made-by-an-older-release',
  'com.docker.compose.version': '1.29.2',
}

describe('a legacy container and docker rename', () => {
  const rig = useDockerRig()
  let vm: MoRef
  let before: { name: string; changeVersion: string }

  beforeAll(async () => {
    const f = fixture('legacy-v1-bridge')
    const extraConfig: Array<[string, string]> = Object.entries(f.extraConfig).map(([k, v]) => [
      k.replaceAll(f.expect.id, id),
      v.replaceAll(f.expect.id, id),
    ])
    extraConfig.push([containerKeys.annotations, 'docker.labels'])
    extraConfig.push([annotationKey('docker.labels'), Buffer.from(JSON.stringify(composeLabels)).toString('base64')])
    const dc = rig.sim.inventory.datacenters[0]!
    const outcome = await createTestVM(rig.soap, dc, `${f.expect.name}-${id.slice(0, 12)}`, { guestId: 'otherGuest64', extraConfig })
    expect(outcome.state, outcome.xml).toBe('success')
    vm = outcome.result!
    const facts = await readVm(rig.soap, vm)
    before = { name: facts.name, changeVersion: facts.changeVersion }
    await eventually(async () => expect((await rig.docker('inspect', '--type', 'container', id)).code).toBe(0))
  })

  it('docker rename answers 409 saying the container predates rename; the VM is untouched', async () => {
    const res = await rig.docker('rename', 'vch-restart-test1', 'renamed')
    expect(res.code).not.toBe(0)
    expect(res.stderr).toContain('Error response from daemon: Renaming container vch-restart-test1 is not supported')
    const facts = await readVm(rig.soap, vm)
    expect({ name: facts.name, changeVersion: facts.changeVersion }).toEqual(before)
  })

  it('docker-compose recreating it reports the refusal and leaves it as it was', async () => {
    await rig.docker('load', '-i', makeImageArchive(rig.dir, 'busybox:latest').file)
    mkdirSync(path.join(rig.dir, 'legacy'), { recursive: true })
    writeFileSync(path.join(rig.dir, 'legacy', 'docker-compose.yml'), 'version: "2.4"\nservices:\n  web:\n    image: busybox\n')
    const up = await rig.compose('legacy', 'up', '-d')
    expect(up.code).not.toBe(0)
    expect(up.stderr).toContain('is not supported: it was created before rename support')
    const facts = await readVm(rig.soap, vm)
    expect(facts.name).toBe(before.name)
    expect(facts.extraConfig.get(containerKeys.legacyName)).toBe('vch-restart-test1')
  })
})
