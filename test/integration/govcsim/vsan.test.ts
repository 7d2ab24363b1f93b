// -vsan: every datacenter gets a vsanDatastore (summary.type "vsan", no top-level directory creation) mounted
// on every host. Creating a VM with the bare "[vsanDatastore]" path names its folder after the display name,
// as vSAN does; an explicit folder path is kept.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useSim } from '../../helpers/govcsim.js'
import { createTestVM, textOf, useRawSoap, type MoRef } from '../../helpers/raw-soap.js'

describe('vsanDatastore', () => {
  const sim = useSim({ vsan: true, datacenters: 2 })
  const soap = useRawSoap(sim)
  const vsanOf = (dcIndex: number) => sim().inventory.datacenters[dcIndex]!.datastores.find((d) => d.name === 'vsanDatastore')!

  it('appears in every datacenter next to the local datastore', () => {
    for (const dc of sim().inventory.datacenters) {
      expect(dc.datastores.map((d) => [d.name, d.type])).toEqual([
        ['LocalDS_0', 'OTHER'],
        ['vsanDatastore', 'vsan'],
      ])
    }
    expect(vsanOf(0).path).not.toBe(vsanOf(1).path)
  })

  it('reads as vSAN through the API and is mounted on every host', async () => {
    const ds: MoRef = { type: 'Datastore', value: vsanOf(0).moref }
    expect(await soap().property(ds, 'summary.type')).toBe('vsan')
    expect(await soap().property(ds, 'capability.topLevelDirectoryCreateSupported')).toBe('false')
    expect(await soap().property(ds, 'summary.url')).toMatch(/^ds:\/\/\/vmfs\/volumes\/vsan:[0-9a-f]{32}\/$/)
    const info = (await soap().retrieve(ds, ['info'])).text
    expect(info).toMatch(/type="VsanDatastoreInfo"/)
    expect(textOf(info, 'membershipUuid')).toMatch(/^[0-9a-f-]{36}$/)
    const hosts = (await soap().property(ds, 'host')) ?? ''
    expect(hosts.match(/<key /g)).toHaveLength(sim().inventory.datacenters[0]!.hosts.length)
  })

  it('names the VM folder after the display name for a bare [vsanDatastore] path', async () => {
    const created = await createTestVM(soap(), sim().inventory.datacenters[0]!, 'web-0123456789ab', { vmPathName: '[vsanDatastore]' })
    expect(created.state).toBe('success')
    expect(await soap().property(created.result!, 'config.files.vmPathName')).toBe('[vsanDatastore] web-0123456789ab/web-0123456789ab.vmx')
    expect(existsSync(path.join(vsanOf(0).path, 'web-0123456789ab', 'web-0123456789ab.vmx'))).toBe(true)
  })

  it('keeps an explicit folder path', async () => {
    const created = await createTestVM(soap(), sim().inventory.datacenters[0]!, 'api-0123456789ab', { vmPathName: '[vsanDatastore] abc123/abc123.vmx' })
    expect(created.state).toBe('success')
    expect(await soap().property(created.result!, 'config.files.vmPathName')).toBe('[vsanDatastore] abc123/abc123.vmx')
    expect(existsSync(path.join(vsanOf(0).path, 'abc123', 'abc123.vmx'))).toBe(true)
  })
})
