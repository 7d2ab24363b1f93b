// Every layout a VIC release left on its VMs (test/fixtures/vic-releases/, facts in migrations/README.md) through
// the project's plugins: the in-memory migration yields the name, the job persists exactly the hidden keys that were
// missing (beside its record), leaves the version stamp alone, needs no key beyond those it lists, and has nothing
// to write the second time. A VM whose names disagree is left as it is.
import { describe, expect, it } from 'vitest'
import { readDataVersion } from '../../../src/migration/data-version.js'
import { discoverPlugins } from '../../../src/migration/discover.js'
import { listingKeys } from '../../../src/migration/job-inventory.js'
import { planVm, type VmPlan, type VmSnapshot } from '../../../src/migration/job-plan.js'
import { migrateInMemory } from '../../../src/migration/migrate.js'
import { migrationRecordKey } from '../../../src/migration/migration-record.js'
import { isHiddenKey, persistPlan } from '../../../src/migration/persist.js'
import { moref } from '../../../src/vim/index.js'
import { releaseFixtures, type ShapeOutcome } from '../../helpers/vic-release-fixtures.js'

const registry = await discoverPlugins()
const keys = listingKeys(registry)!
const nameKey = { container: 'common/name', appliance: 'init/common/name' } as const
const stampKey = { container: 'guestinfo.vice./version/PluginVersion', appliance: 'guestinfo.vice./init/version/PluginVersion' }

function snapshot(extraConfig: ReadonlyMap<string, string>, running = false): VmSnapshot {
  return {
    vm: moref('VirtualMachine', 'vm-1'),
    name: 'shape-0123456789ab',
    changeVersion: 'cv-1',
    powerState: running ? 'poweredOn' : 'poweredOff',
    extraConfig,
  }
}

function outcomeOf(plan: VmPlan): ShapeOutcome | VmPlan['kind'] {
  if (plan.kind !== 'migrate') return plan.kind
  return plan.writes.length > 0 ? 'migrated' : 'in-memory'
}

/** Only the keys the job lists of a VM, as vCenter answers the indexed paths. */
function listed(config: ReadonlyMap<string, string>): Map<string, string> {
  return new Map([...config].filter(([key]) => keys.includes(key)))
}

function written(config: ReadonlyMap<string, string>, plan: VmPlan): Map<string, string> {
  const out = new Map(config)
  if (plan.kind === 'migrate') for (const { key, value } of plan.writes) out.set(key, value)
  return out
}

describe.each(releaseFixtures.map((f) => [f.name, f] as const))('%s', (_, fixture) => {
  const { target } = fixture.expect

  it('is read with its name, and its version stamp as its creator wrote it', () => {
    const { map } = migrateInMemory(registry, target, fixture.config)
    expect(map.get(nameKey[target])).toBe(fixture.expect.name)
    expect(map.get(stampKey[target])).toBe(fixture.config.get(stampKey[target]))
    expect(readDataVersion(target, map)).toBe(fixture.expect.dataVersion)
  })

  it('persists exactly the hidden keys that were missing, and keeps the guest-visible changes in memory', () => {
    const { map } = migrateInMemory(registry, target, fixture.config)
    const plan = persistPlan(target, fixture.config, map)
    const persisted = Object.fromEntries(plan.persist.map((e) => [e.key, e.value]))
    if (fixture.expect.outcome === 'inconsistent') {
      // the plugins' in-memory view is the service's; the job writes none of it (below)
      expect(planVm(registry, snapshot(fixture.config)).kind).toBe('inconsistent')
      return
    }
    expect(persisted).toEqual(fixture.expect.persisted)
    for (const key of Object.keys(persisted)) {
      expect(fixture.config.has(key), `${key} was there already`).toBe(false)
      expect(isHiddenKey(key), `${key} is guest-visible`).toBe(true)
    }
    expect(plan.inMemoryOnly).toEqual(fixture.expect.inMemoryOnly)
  })

  it('gives the job the outcome it expects, writing the same whether the VM runs or not', () => {
    const plan = planVm(registry, snapshot(fixture.config))
    expect(outcomeOf(plan)).toBe(fixture.expect.outcome)
    const record = Object.keys(fixture.expect.persisted).length > 0 ? { [migrationRecordKey]: String(registry.latestVersion(target)) } : {}
    const writes = plan.kind === 'migrate' ? Object.fromEntries(plan.writes.map((e) => [e.key, e.value])) : {}
    expect(writes).toEqual({ ...fixture.expect.persisted, ...record })
    expect(planVm(registry, snapshot(fixture.config, true))).toEqual(plan)
  })

  it('is planned the same from the keys the job lists as from its whole ExtraConfig', () => {
    expect(planVm(registry, snapshot(listed(fixture.config)))).toEqual(planVm(registry, snapshot(fixture.config)))
  })

  it('has nothing to write once written', () => {
    const once = written(fixture.config, planVm(registry, snapshot(fixture.config)))
    const again = planVm(registry, snapshot(once))
    expect(again.kind === 'migrate' ? again.writes : []).toEqual([])
  })
})

describe('the release shapes', () => {
  it('cover a container of every release line and the three appliance layouts', () => {
    const containers = releaseFixtures.filter((f) => f.expect.target === 'container')
    expect(new Set(containers.map((f) => f.expect.dataVersion))).toEqual(new Set([0, 3, 5, 8, 9, 10]))
    expect(releaseFixtures.filter((f) => f.expect.target === 'appliance')).toHaveLength(3)
    for (const f of releaseFixtures) expect(f.sources.length, f.name).toBeGreaterThan(0)
  })
})
