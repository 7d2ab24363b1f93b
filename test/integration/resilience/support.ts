// What the resilience tests share: portlayer composed on a govcsim reached through the fault proxy (the
// simulator itself is read directly, past the proxy), the check that an answer is definite, and the invariants
// read from the simulator on its own: no orphan VM, no two VMs for one container ID, no half rename.
import { afterAll, beforeAll, expect } from 'vitest'
import { containerKeys } from '../../../src/extraconfig/index.js'
import { displayName } from '../../../src/container/naming.js'
import type { ContainerView } from '../../../src/container/types.js'
import { discoverPlugins } from '../../../src/migration/discover.js'
import { resolveScope, type JobScope } from '../../../src/migration/job-scope.js'
import type { PluginRegistry } from '../../../src/migration/registry.js'
import type { Govcsim, GovcsimOptions } from '../../../src/sim/launcher.js'
import { connect, type VimClient } from '../../../src/vim/index.js'
import type { ApiReply } from '../../helpers/containers-api.js'
import { FaultProxy, type FaultProxyOptions } from '../../helpers/fault-proxy.js'
import { startSim } from '../../helpers/govcsim.js'
import { startPortlayer, type Portlayer } from '../../helpers/portlayer.js'
import { RawSoap } from '../../helpers/raw-soap.js'
import { simContainers, type SimContainer } from '../rename/support.js'

export interface ProxiedPortlayer {
  readonly sim: Govcsim
  readonly proxy: FaultProxy
  readonly pl: Portlayer
  /** a SOAP client of the simulator itself, past the proxy */
  readonly soap: RawSoap
}

export async function startProxiedPortlayer(
  options: { sim?: GovcsimOptions; proxy?: FaultProxyOptions } = {},
): Promise<ProxiedPortlayer> {
  const sim = await startSim(options.sim)
  try {
    const proxy = await FaultProxy.start(sim.url, options.proxy)
    // the same simulator under the proxy's address: portlayer reaches it only through the proxy
    const pl = await startPortlayer({ existingSim: { ...sim, url: proxy.url } })
    const soap = await RawSoap.connect(sim.url, sim.username, sim.password)
    return { sim, proxy, pl, soap }
  } catch (err) {
    await sim.stop()
    throw err
  }
}

export async function stopProxiedPortlayer(p: ProxiedPortlayer | undefined): Promise<void> {
  if (!p) return
  p.proxy.clear()
  p.proxy.up()
  await p.pl.close()
  p.soap.close()
  await p.proxy.stop()
  await p.sim.stop()
}

/** Registers beforeAll/afterAll for a proxied portlayer and returns its accessor. */
export function useProxiedPortlayer(options: Parameters<typeof startProxiedPortlayer>[0] = {}): () => ProxiedPortlayer {
  let p: ProxiedPortlayer | undefined
  beforeAll(async () => {
    p = await startProxiedPortlayer(options)
  })
  afterAll(async () => {
    await stopProxiedPortlayer(p)
    p = undefined
  })
  return () => {
    if (!p) throw new Error('only available inside tests and hooks')
    return p
  }
}

/** What the migration job runs with. */
export interface MigrationJobDeps {
  readonly client: VimClient
  readonly registry: PluginRegistry
  readonly scope: JobScope
}

/**
 * A migration job's client connected through the proxy at `url`, with short timeouts and quick retries, so a
 * broken call costs the job little time; the caller closes the client.
 */
export async function migrationJobThrough(url: string, sim: Govcsim): Promise<MigrationJobDeps> {
  const client = await connect({
    url,
    username: sim.username,
    password: sim.password,
    keepAliveMs: 0,
    timeoutMs: 2_000,
    retry: { minTimeoutMs: 10, maxTimeoutMs: 50 },
  })
  return { client, registry: await discoverPlugins(), scope: await resolveScope(client, {}) }
}

/** An answer a client can act on: success, or a 4xx/503 with a code (and Retry-After on a 503). */
export function expectDefinite(res: ApiReply<unknown>, what: string): void {
  const ok = res.status >= 200 && res.status < 300
  if (ok) return
  const code = (res.body as { code?: unknown } | undefined)?.code
  expect(res.status === 503 || (res.status >= 400 && res.status < 500), `${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`).toBe(
    true,
  )
  expect(typeof code, `${what}: HTTP ${res.status} without a code`).toBe('string')
  if (res.status === 503) {
    expect(code, what).toBe('vsphere_unavailable')
    expect(Number(res.headers['retry-after']), `${what}: 503 without Retry-After`).toBeGreaterThan(0)
  }
}

/** The links (`name:alias`) a container VM holds, read from its ExtraConfig slice. */
export function simLinks(c: SimContainer): string[] {
  // VIC's slice of primitives: the key holds the last index, `key~` the values joined by `|`
  const value = c.extraConfig.get(containerKeys.linksValues) ?? ''
  if (value === '' || value === '<nil>') return []
  return value.split('|').filter((l) => l !== '')
}

/**
 * What must hold whatever failed: every container VM in the simulator is a container the API lists (no orphan),
 * one VM per container ID, every display name is `name-shortID` of its `common/name`, names are unique, and every
 * link names a container that exists. Returns the simulator's containers.
 */
export async function expectConsistent(p: ProxiedPortlayer, listed: readonly ContainerView[]): Promise<SimContainer[]> {
  // a reader of its own, logged in now: a session left idle may have been expired by the simulator
  const soap = await RawSoap.connect(p.sim.url, p.sim.username, p.sim.password)
  const inSim = await simContainers(soap, p.pl).finally(() => soap.close())
  const ids = inSim.map((c) => c.id)
  expect(ids.length, 'two VMs carry one container ID').toBe(new Set(ids).size)
  const unlisted = inSim.filter((c) => !listed.some((l) => l.id === c.id)).map((c) => `${c.moref} ${c.name}`)
  const missing = listed.filter((l) => !inSim.some((c) => c.id === l.id)).map((l) => `${l.vm.moref} ${l.displayName}`)
  expect({ unlisted, missing }, 'the API lists exactly the container VMs of the simulator').toEqual({ unlisted: [], missing: [] })
  for (const c of inSim) expect(c.name, `display name of ${c.id}`).toBe(displayName(c.containerName, c.id))
  const names = inSim.map((c) => c.containerName)
  expect(names.length, 'two containers share a name').toBe(new Set(names).size)
  const known = new Set(names)
  for (const c of inSim) {
    for (const link of simLinks(c)) {
      const target = link.slice(0, link.indexOf(':'))
      expect(known.has(target), `${c.containerName} links to ${link}, but no container is named ${target}`).toBe(true)
    }
  }
  for (const view of listed) {
    const vm = inSim.find((c) => c.id === view.id)
    expect(view.name, `the API's name of ${view.id}`).toBe(vm?.containerName)
  }
  return inSim
}
