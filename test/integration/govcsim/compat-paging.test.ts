// Compat: RetrievePropertiesEx honours options.maxObjects with a token, ContinueRetrievePropertiesEx hands out
// the following pages and CancelRetrievePropertiesEx drops the rest, as on vCenter. Pure vcsim ignores
// maxObjects and does not know ContinueRetrievePropertiesEx. A retrieval without a session is refused with
// NotAuthenticated, as vCenter does (vcsim answers it with every property missing).
import { beforeAll, describe, expect, it } from 'vitest'
import { useSim } from '../../helpers/govcsim.js'
import {
  allTextOf,
  createTestVM,
  el,
  expectOk,
  faultType,
  propertyCollector,
  RawSoap,
  textOf,
  useRawSoap,
  type MoRef,
} from '../../helpers/raw-soap.js'

const vmCount = 5

function vmFolderOf(sim: () => { inventory: { datacenters: Array<{ vmFolder: string }> } }): MoRef {
  return { type: 'Folder', value: sim().inventory.datacenters[0]!.vmFolder }
}

describe('paged retrieval with compat', () => {
  const sim = useSim()
  const soap = useRawSoap(sim)
  const created: string[] = []

  beforeAll(async () => {
    for (let i = 0; i < vmCount; i++) {
      const name = `page-${i}`
      expect((await createTestVM(soap(), sim().inventory.datacenters[0]!, name)).state).toBe('success')
      created.push(name)
    }
  })

  const next = (token: string) => soap().call('ContinueRetrievePropertiesEx', propertyCollector, el('token', token))

  it('returns maxObjects objects and a token, then the rest page by page', async () => {
    const first = await soap().listVMs(vmFolderOf(sim), ['name'], 2)
    expectOk(first)
    const names = allTextOf(first.text, 'val')
    expect(names).toHaveLength(2)
    let token = textOf(first.text, 'token')
    expect(token).toBeTruthy()

    const pageSizes = [names.length]
    while (token) {
      const page = await next(token)
      expectOk(page)
      const more = allTextOf(page.text, 'val')
      pageSizes.push(more.length)
      names.push(...more)
      token = textOf(page.text, 'token')
    }
    expect(pageSizes).toEqual([2, 2, 1])
    expect(names.sort()).toEqual(created)
  })

  it('answers in one page without a token when everything fits', async () => {
    const all = await soap().listVMs(vmFolderOf(sim), ['name'], 100)
    expectOk(all)
    expect(allTextOf(all.text, 'val')).toHaveLength(vmCount)
    expect(textOf(all.text, 'token')).toBeUndefined()
  })

  it('forgets the remaining pages on CancelRetrievePropertiesEx', async () => {
    const first = await soap().listVMs(vmFolderOf(sim), ['name'], 2)
    const token = textOf(first.text, 'token')!
    expectOk(await soap().call('CancelRetrievePropertiesEx', propertyCollector, el('token', token)))
    const after = await next(token)
    expect([after.status, faultType(after.text)]).toEqual([500, 'InvalidArgument'])
  })

  it('does not hand one session’s pages to another session', async () => {
    const first = await soap().listVMs(vmFolderOf(sim), ['name'], 2)
    const token = textOf(first.text, 'token')!
    const other = await RawSoap.connect(sim().url, sim().username, sim().password)
    try {
      const stolen = await other.call('ContinueRetrievePropertiesEx', propertyCollector, el('token', token))
      expect([stolen.status, faultType(stolen.text)]).toEqual([500, 'InvalidArgument'])
    } finally {
      other.close()
    }
    expectOk(await next(token))
  })

  it('refuses a retrieval without a session with NotAuthenticated, paged or not', async () => {
    const anonymous = new RawSoap(sim().url)
    try {
      for (const maxObjects of [undefined, 2]) {
        const reply = await anonymous.listVMs(vmFolderOf(sim), ['name'], maxObjects)
        expect([reply.status, faultType(reply.text)]).toEqual([500, 'NotAuthenticated'])
      }
    } finally {
      anonymous.close()
    }
  })

  it('requires a session to continue', async () => {
    const first = await soap().listVMs(vmFolderOf(sim), ['name'], 2)
    const token = textOf(first.text, 'token')!
    const anonymous = new RawSoap(sim().url)
    try {
      const reply = await anonymous.call('ContinueRetrievePropertiesEx', propertyCollector, el('token', token))
      expect([reply.status, faultType(reply.text)]).toEqual([500, 'NotAuthenticated'])
    } finally {
      anonymous.close()
    }
  })
})

describe('paged retrieval without compat (pure vcsim 0.24.2)', () => {
  const sim = useSim({ compat: false })
  const soap = useRawSoap(sim)

  it('ignores maxObjects and has no ContinueRetrievePropertiesEx', async () => {
    for (let i = 0; i < 3; i++) await createTestVM(soap(), sim().inventory.datacenters[0]!, `raw-page-${i}`)
    const all = await soap().listVMs(vmFolderOf(sim), ['name'], 1)
    expectOk(all)
    expect(allTextOf(all.text, 'val')).toHaveLength(3)
    expect(textOf(all.text, 'token')).toBeUndefined()

    const reply = await soap().call('ContinueRetrievePropertiesEx', propertyCollector, el('token', '1'))
    expect([reply.status, faultType(reply.text)]).toEqual([500, 'MethodNotFound'])
  })
})
