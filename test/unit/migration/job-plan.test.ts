import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { discoverPlugins } from '../../../src/migration/discover.js'
import { planVm, vmTarget, type VmPlan, type VmSnapshot } from '../../../src/migration/job-plan.js'
import { migrationRecordKey } from '../../../src/migration/migration-record.js'
import type { ExtraConfigEntry } from '../../../src/migration/persist.js'
import { PluginRegistry } from '../../../src/migration/registry.js'
import { moref, type VirtualMachinePowerState } from '../../../src/vim/index.js'
import { extraConfigMap } from './arbitraries.js'
import { asAppliance, currentFixtures, legacyFixtures, vicFixtures } from './fixtures.js'
import { stubPlugin } from './plugin-stub.js'

const registry = await discoverPlugins()

function vm(extraConfig: ReadonlyMap<string, string>, powerState: VirtualMachinePowerState = 'poweredOff'): VmSnapshot {
  return { vm: moref('VirtualMachine', 'vm-1'), name: 'web-0123456789ab', changeVersion: 'cv-1', powerState, extraConfig }
}

/** The ExtraConfig vSphere holds after the plan's reconfigure: '' deletes a key. */
function applied(config: ReadonlyMap<string, string>, writes: readonly ExtraConfigEntry[]): Map<string, string> {
  const out = new Map(config)
  for (const { key, value } of writes) {
    if (value === '') out.delete(key)
    else out.set(key, value)
  }
  return out
}

function writesOf(plan: VmPlan): readonly ExtraConfigEntry[] {
  return plan.kind === 'migrate' ? plan.writes : []
}

const containerId = 'a'.repeat(64)

describe('the migration plan of one VM', () => {
  it('leaves VMs that are not VIC containers nor the appliance alone', () => {
    expect(planVm(registry, vm(new Map()))).toEqual({ kind: 'ignored' })
    expect(planVm(registry, vm(new Map([['guestinfo.vice./common/id', '<nil>']])))).toEqual({ kind: 'ignored' })
    expect(planVm(registry, vm(new Map([['govcsim', 'TRUE']])))).toEqual({ kind: 'ignored' })
  })

  it.each(legacyFixtures.map((f) => [f.file, f] as const))(
    'writes the hidden name and the record of a legacy container (%s), nothing the guest reads',
    (_, fixture) => {
      const plan = planVm(registry, vm(fixture.config))
      expect(plan).toMatchObject({ kind: 'migrate', target: 'container', fromVersion: fixture.expect.pluginVersion, applied: [2, 9] })
      expect(writesOf(plan)).toEqual([
        { key: 'common/name', value: fixture.expect.name },
        { key: migrationRecordKey, value: '9' },
      ])
      expect(plan.kind === 'migrate' && plan.diff).toEqual([
        { key: 'common/name', to: fixture.expect.name },
        { key: migrationRecordKey, to: '9' },
      ])
      // the creation time in nanoseconds is for reads only: the old tether reads seconds
      expect(plan.kind === 'migrate' && plan.inMemoryOnly).toEqual(['guestinfo.vice..createtime'])
    },
  )

  it('writes the same to a running legacy container: hidden keys may change while the VM runs', () => {
    const [fixture] = legacyFixtures
    expect(writesOf(planVm(registry, vm(fixture!.config, 'poweredOn')))).toEqual(writesOf(planVm(registry, vm(fixture!.config))))
  })

  it('has nothing to do for containers whose keys are in the latest layout', () => {
    for (const fixture of currentFixtures.filter((f) => f.expect.pluginVersion >= 9)) {
      expect(planVm(registry, vm(fixture.config))).toEqual({ kind: 'current', target: 'container', fromVersion: 10 })
    }
  })

  it('migrates a container by what it holds, whatever its stamp: stamped 3 with only the old name key', () => {
    const config = new Map(legacyFixtures[1]!.config).set('guestinfo.vice./version/PluginVersion', '3')
    const plan = planVm(registry, vm(config))
    expect(plan).toMatchObject({ kind: 'migrate', fromVersion: 3, applied: [2, 9] })
    expect(writesOf(plan).map((e) => e.key)).toEqual(['common/name', migrationRecordKey])
    // the stamp stays: rename is still refused below 4
    expect(writesOf(plan).some((e) => e.key.includes('PluginVersion'))).toBe(false)
  })

  it('leaves a container with two different names as it is, saying why', () => {
    const config = new Map(legacyFixtures[1]!.config).set('common/name', 'someone-else')
    const plan = planVm(registry, vm(config))
    expect(plan).toMatchObject({ kind: 'inconsistent', target: 'container', fromVersion: 1 })
    expect(plan.kind === 'inconsistent' && plan.reason).toBe(
      `common/name holds "someone-else" but guestinfo.vice./common/name holds "${legacyFixtures[1]!.expect.name}": ` +
        'the job cannot tell which is the name, so it leaves the VM as it is; set common/name to the right name ' +
        '(the service reads that key) and run the job again',
    )
  })

  it('writes nothing when every change is guest-visible, and says so', () => {
    const v4 = currentFixtures.find((f) => f.expect.pluginVersion === 4)!
    const plan = planVm(registry, vm(v4.config))
    expect(plan).toMatchObject({ kind: 'migrate', applied: [9], writes: [], diff: [], inMemoryOnly: ['guestinfo.vice..createtime'] })
  })

  it('finds a written container current: a resumed run applies nothing twice', () => {
    for (const fixture of legacyFixtures) {
      const written = applied(fixture.config, writesOf(planVm(registry, vm(fixture.config))))
      expect(planVm(registry, vm(written))).toMatchObject({ kind: 'current' })
    }
  })

  it('never writes a guest-visible key of a container, and a second plan never writes again', () => {
    fc.assert(
      fc.property(extraConfigMap, fc.constantFrom<VirtualMachinePowerState>('poweredOn', 'poweredOff'), (map, power) => {
        const config = new Map(map).set('guestinfo.vice./common/id', containerId)
        const plan = planVm(registry, vm(config, power))
        if (plan.kind === 'refused') return // an unreadable version stamp; the job reports it
        for (const { key } of writesOf(plan)) expect(key.startsWith('guestinfo.')).toBe(false)
        const again = planVm(registry, vm(applied(config, writesOf(plan)), power))
        expect(writesOf(again)).toEqual([])
      }),
    )
  })

  describe('the VCH appliance', () => {
    const appliance = asAppliance(legacyFixtures[0]!.config)

    it('is told apart from a container by its init keys', () => {
      expect(vmTarget(appliance)).toBe('appliance')
      expect(vicFixtures.map((f) => vmTarget(f.config))).toEqual(vicFixtures.map(() => 'container'))
    })

    it('persists its hidden name and never rewrites its version stamp', () => {
      for (const power of ['poweredOff', 'poweredOn'] as const) {
        const plan = planVm(registry, vm(appliance, power))
        expect(plan).toMatchObject({ kind: 'migrate', target: 'appliance', inMemoryOnly: [] })
        expect(writesOf(plan)).toEqual([
          { key: 'init/common/name', value: legacyFixtures[0]!.expect.name },
          { key: migrationRecordKey, value: '1' },
        ])
      }
    })

    it('is refused while running when a guest-visible key must change, rather than half written', () => {
      const noId = new Map(appliance)
      noId.delete('guestinfo.vice./init/common/id')
      expect(writesOf(planVm(registry, vm(noId)))).toContainEqual({ key: 'guestinfo.vice./init/common/id', value: '<nil>' })
      const plan = planVm(registry, vm(noId, 'poweredOn'))
      expect(plan).toMatchObject({ kind: 'refused', target: 'appliance' })
      expect(plan.kind === 'refused' && plan.reason).toMatch(/power it off and run the job again/)
    })
  })

  it('refuses a VM whose version stamp is unreadable, naming the key', () => {
    const config = new Map(legacyFixtures[1]!.config).set('guestinfo.vice./version/PluginVersion', 'v1')
    const plan = planVm(registry, vm(config))
    expect(plan).toMatchObject({ kind: 'refused', target: 'container' })
    expect(plan.kind === 'refused' && plan.reason).toContain('guestinfo.vice./version/PluginVersion')
  })

  it('refuses a VM a plugin fails on, naming the plugin, and writes nothing of the plugins before it', () => {
    const failing = PluginRegistry.of([
      { source: 'two', plugin: stubPlugin(2) },
      { source: 'three', plugin: stubPlugin(3, 'container', { fails: true }) },
    ])
    const plan = planVm(failing, vm(legacyFixtures[0]!.config))
    expect(plan).toMatchObject({ kind: 'refused', fromVersion: 0 })
    expect(plan.kind === 'refused' && plan.reason).toContain('plugin 3 (stub-3) failed')
  })
})
