// Compat: a completed task goes some time after it finished, as on vCenter, where a client reading it later gets
// ManagedObjectNotFound. vcsim keeps every task (and the request it ran) for ever, which is most of its memory
// growth in a long run. -task-lifetime sets the time; the default is 10 minutes.
import { describe, expect, it } from 'vitest'
import { useSim } from '../../helpers/govcsim.js'
import { eventually } from '../../helpers/eventually.js'
import { createTestVM, expectOk, faultType, useRawSoap, type MoRef, type RawSoap } from '../../helpers/raw-soap.js'
import type { Govcsim } from '../../../src/sim/launcher.js'

async function completedTask(sim: () => Govcsim, soap: RawSoap, name: string): Promise<MoRef> {
  const created = await createTestVM(soap, sim().inventory.datacenters[0]!, name)
  expect(created.state).toBe('success')
  return created.task
}

describe('completed tasks with a task lifetime', () => {
  const sim = useSim({ taskLifetime: 300 })
  const soap = useRawSoap(sim)

  it('answers ManagedObjectNotFound for a task some time after it completed', async () => {
    const task = await completedTask(sim, soap(), 'expiring')
    await eventually(async () => expect(faultType((await soap().retrieve(task, ['info.state'])).text)).toBe('ManagedObjectNotFound'))
  })
})

describe('completed tasks without compat (pure vcsim 0.24.2)', () => {
  const sim = useSim({ compat: false, taskLifetime: 300 })
  const soap = useRawSoap(sim)

  it('keeps every task', async () => {
    const task = await completedTask(sim, soap(), 'kept')
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    const reply = await soap().retrieve(task, ['info.state'])
    expectOk(reply)
    expect(reply.text).toContain('success')
  })
})
