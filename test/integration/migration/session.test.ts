// The migration job's listing when vCenter ends the job's session (an administrator, or the idle timeout): the
// listing's pages are read past the client's session layer (object by object, src/vim/property-stream.ts), so it
// renews the session itself. A first page is asked again in the new session; a continuation cannot be (its token
// died with the old session), so the job stops with a message saying so, and the next run finishes the work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { discoverPlugins } from '../../../src/migration/discover.js'
import { JobInventory, listingKeys } from '../../../src/migration/job-inventory.js'
import { plannedVm } from '../../../src/migration/job-plan.js'
import { resolveScope } from '../../../src/migration/job-scope.js'
import { migrationRecordKey } from '../../../src/migration/migration-record.js'
import type { PluginRegistry } from '../../../src/migration/registry.js'
import { connect, objectsFilterSpec, moref, type VimClient } from '../../../src/vim/index.js'
import { useSim } from '../../helpers/govcsim.js'
import { sessionManager, useRawSoap } from '../../helpers/raw-soap.js'
import { migrateJson, sdkUrl } from './cli.js'
import { createFleet, type FleetVm } from './fleet.js'

const sim = useSim()
const soap = useRawSoap(sim)
let client: VimClient
let registry: PluginRegistry
let fleet: FleetVm[]

beforeAll(async () => {
  fleet = await createFleet(soap(), sim().inventory.datacenters[0]!, { count: 12, kind: () => 'legacy-v1' })
  client = await connect({ url: sim().url, username: sim().username, password: sim().password, keepAliveMs: 0 })
  registry = await discoverPlugins()
})
afterAll(async () => {
  await client?.close()
})

/** Ends every session but the test's own raw one, as an administrator would. */
async function endJobSession(): Promise<void> {
  const listing = await soap().property(sessionManager, 'sessionList')
  const others = [...(listing ?? '').matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1]!).filter((k) => k !== soap().sessionKey)
  expect(others.length).toBeGreaterThan(0)
  const ended = await soap().call('TerminateSession', sessionManager, others.map((k) => `<sessionId>${k}</sessionId>`).join(''))
  expect(ended.status).toBe(200)
}

const logins = async (): Promise<number> => (await sim().stats())['Login'] ?? 0

describe('the listing when vCenter ends the session', () => {
  it('logs in again and asks for the first page again: every VM is read', async () => {
    const vms = fleet.map((vm) => moref('VirtualMachine', vm.moref.value))
    await endJobSession()
    const before = await logins()

    const names: string[] = []
    const pages = client.retrievePagesEach([objectsFilterSpec(vms, ['name'])], (o) => o.propSet[0]?.val as string, {
      maxObjects: 5,
    })
    for await (const page of pages) names.push(...page)

    expect(names.sort()).toEqual(fleet.map((vm) => vm.displayName).sort())
    expect((await logins()) - before).toBe(1)
  })

  it('stops between pages with a message to start again, and the next run finishes', async () => {
    const inventory = new JobInventory(client, listingKeys(registry))
    const scope = await resolveScope(client, {})
    const pages = inventory.pages(scope, (vm) => plannedVm(registry, vm), { pageSize: 5 })
    const first = await pages.next()
    expect(first.value).toHaveLength(5)
    await endJobSession()

    await expect(pages.next()).rejects.toThrow(/session had expired and has been renewed.*start the retrieval again/)

    const run = await migrateJson(['--url', sdkUrl(sim())])
    expect(run.code).toBe(0)
    expect(run.report.totals).toMatchObject({ examined: 12, migrated: 12, failed: 0 })
    for (const vm of fleet) expect(new Map(await soap().extraConfig(vm.moref)).get(migrationRecordKey)).toBe('9')
  })
})
