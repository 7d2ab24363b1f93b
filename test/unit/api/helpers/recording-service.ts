/**
 * A ContainerService that records every call and answers with plain fixtures: the REST face is tested on its own
 * (parsing, validation, status codes), while the real service is tested against the simulator elsewhere.
 */
import { Readable } from 'node:stream'
import type {
  ContainerEvent,
  ContainerService,
  ContainerView,
  CreateRequest,
  NetworkInfo,
} from '../../../../src/container/types.js'

export interface Call {
  method: keyof ContainerService
  args: unknown[]
}

export function sampleView(overrides: Partial<ContainerView> = {}): ContainerView {
  const id = overrides.id ?? '4a1b'.padEnd(64, '0')
  const name = overrides.name ?? 'web'
  return {
    id,
    shortId: id.slice(0, 12),
    name,
    displayName: `${name}-${id.slice(0, 12)}`,
    state: 'created',
    image: 'busybox',
    createdAt: '2026-11-22T12:00:00.000Z',
    dataVersion: 10,
    renameSupported: true,
    networks: { bridge: { aliases: ['webalias'], links: ['db:database'] } },
    links: ['db:database'],
    annotations: { 'docker.stdinOnce': 'false' },
    vm: {
      moref: 'vm-42',
      vmPathName: `[LocalDS_0] ${id}/${id}.vmx`,
      datastore: 'LocalDS_0',
      folder: `[LocalDS_0] ${id}`,
    },
    ...overrides,
  }
}

export const sampleNetwork: NetworkInfo = {
  name: 'bridge',
  endpoints: [
    {
      container: 'web',
      id: '4a1b'.padEnd(64, '0'),
      names: ['web', '4a1b00000000', 'webalias'],
      links: { database: 'db' },
    },
  ],
}

export interface RecordingService {
  service: ContainerService
  calls: Call[]
  /** every later call fails with this error */
  failWith(err: unknown): void
  setReady(ready: boolean | Error): void
  emit(event: ContainerEvent): void
  listenerCount(): number
}

export function recordingService(): RecordingService {
  const calls: Call[] = []
  const listeners = new Set<(event: ContainerEvent) => void>()
  let failure: { err: unknown } | undefined
  let ready: boolean | Error = true

  const record = (method: keyof ContainerService, args: unknown[]) => {
    calls.push({ method, args })
    if (failure) throw failure.err
  }

  const service: ContainerService = {
    async create(req: CreateRequest, op) {
      record('create', [req, op])
      return sampleView({ name: req.name ?? 'jolly_turing', ...(req.id ? { id: req.id } : {}) })
    },
    async list(all, op) {
      record('list', [all, op])
      return [sampleView(), sampleView({ id: 'b'.repeat(64), name: 'db', state: 'running' })]
    },
    async inspect(ref, op) {
      record('inspect', [ref, op])
      return sampleView()
    },
    async start(ref, op) {
      record('start', [ref, op])
    },
    async stop(ref, options, op) {
      record('stop', [ref, options, op])
    },
    async remove(ref, options, op) {
      record('remove', [ref, options, op])
    },
    async rename(ref, newName, op) {
      record('rename', [ref, newName, op])
    },
    async network(name, op) {
      record('network', [name, op])
      return sampleNetwork
    },
    async logs(ref, request, op) {
      record('logs', [ref, request, op])
      return { contentType: 'application/octet-stream', stream: Readable.from([Buffer.from('hello\n')]) }
    },
    async attach(ref, request, op) {
      record('attach', [ref, request, op])
    },
    async detach(ref, op) {
      record('detach', [ref, op])
    },
    onEvent(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
    async ready() {
      if (ready instanceof Error) throw ready
      return ready
    },
  }

  return {
    service,
    calls,
    failWith: (err) => {
      failure = { err }
    },
    setReady: (value) => {
      ready = value
    },
    emit: (event) => {
      for (const listener of [...listeners]) listener(event)
    },
    listenerCount: () => listeners.size,
  }
}
