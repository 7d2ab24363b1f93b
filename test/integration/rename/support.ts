// What the rename tests share: two services on one simulator, the rename and network routes as plain calls, name
// resolution read from `GET /v1/networks/{net}`, the event stream over a real socket, and every container VM as the
// simulator holds it (read with the raw SOAP client, not through portlayer).
import { request as httpRequest, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { containerKeys } from '../../../src/extraconfig/index.js'
import { resolve, type NetworkView } from '../../../src/network/resolution.js'
import type { ContainerEvent } from '../../../src/container/types.js'
import type { ApiReply, ApiError } from '../../helpers/containers-api.js'
import { afterAll, beforeAll } from 'vitest'
import type { Govcsim } from '../../../src/sim/launcher.js'
import { startSim } from '../../helpers/govcsim.js'
import { startPortlayer, type Portlayer } from '../../helpers/portlayer.js'
import { RawSoap } from '../../helpers/raw-soap.js'
import { readVm, simVms, type VmFacts } from '../../helpers/sim-reads.js'

export async function rename(pl: Portlayer, ref: string, name: string): Promise<ApiReply<ApiError | undefined>> {
  const res = await pl.inject({
    method: 'POST',
    url: `/v1/containers/${encodeURIComponent(ref)}/rename?name=${encodeURIComponent(name)}`,
  })
  return { status: res.statusCode, body: (res.body === '' ? undefined : res.json()) as ApiError | undefined, headers: res.headers }
}

export async function network(pl: Portlayer, net: string): Promise<NetworkView> {
  const res = await pl.inject({ method: 'GET', url: `/v1/networks/${encodeURIComponent(net)}` })
  if (res.statusCode !== 200) throw new Error(`GET /v1/networks/${net}: HTTP ${res.statusCode} ${res.body}`)
  return res.json() as NetworkView
}

/** The container `name` resolves to from container `from` on network `net`, as the network route shows it. */
export async function resolvesTo(pl: Portlayer, net: string, from: string, name: string): Promise<string | undefined> {
  return resolve(await network(pl, net), from, name)
}

export interface EventStream {
  readonly events: ContainerEvent[]
  close(): void
}

/** Subscribes to `GET /v1/events` over a real socket (the app is made to listen on a free port). */
export async function eventStream(pl: Portlayer): Promise<EventStream> {
  if (!pl.app.server.listening) await pl.app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = pl.app.server.address() as AddressInfo
  const events: ContainerEvent[] = []
  const req = httpRequest({ host: '127.0.0.1', port, path: '/v1/events' })
  const res = await new Promise<IncomingMessage>((ok, fail) => req.on('response', ok).on('error', fail).end())
  let buffered = ''
  res.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) events.push(JSON.parse(line) as ContainerEvent)
  })
  res.on('error', () => {})
  return { events, close: () => req.destroy() }
}

/** A container VM as the simulator holds it. */
export interface SimContainer extends VmFacts {
  readonly moref: string
  readonly id: string
  /** `common/name` */
  readonly containerName: string
}

/** Every container VM in the simulator (VMs without a container ID are left out). */
export async function simContainers(soap: RawSoap, pl: Portlayer): Promise<SimContainer[]> {
  const out: SimContainer[] = []
  for (const vm of await simVms(pl.sim)) {
    const facts = await readVm(soap, { type: 'VirtualMachine', value: vm.moref })
    const id = facts.extraConfig.get(containerKeys.id)
    if (id === undefined) continue
    out.push({ ...facts, moref: vm.moref, id, containerName: facts.extraConfig.get(containerKeys.name) ?? '' })
  }
  return out
}

/** Names given to more than one container VM. */
export function duplicateNames(containers: readonly SimContainer[]): string[] {
  const seen = new Map<string, number>()
  for (const c of containers) seen.set(c.containerName, (seen.get(c.containerName) ?? 0) + 1)
  return [...seen].filter(([, n]) => n > 1).map(([name]) => name)
}

export interface TwoProcesses {
  sim: Govcsim
  soap: RawSoap
  one: Portlayer
  two: Portlayer
}

/**
 * Two portlayer services on one simulator, each with its own cache, plus a raw SOAP client to read the simulator on
 * its own; started in beforeAll, stopped in afterAll. The fields are valid inside tests and hooks.
 */
export function useTwoProcesses(): TwoProcesses {
  const world = {} as TwoProcesses
  beforeAll(async () => {
    world.sim = await startSim()
    world.soap = await RawSoap.connect(world.sim.url, world.sim.username, world.sim.password)
    world.one = await startPortlayer({ existingSim: world.sim })
    world.two = await startPortlayer({ existingSim: world.sim })
  })
  afterAll(async () => {
    await world.one?.close()
    await world.two?.close()
    world.soap?.close()
    await world.sim?.stop()
  })
  return world
}
