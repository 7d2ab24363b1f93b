/**
 * The container service a face talks to: reads are answered from this process's own store; writes are made here
 * when this process is the namespace's writer, and forwarded to the writer (remote-writer.ts) when it is a
 * standby. A standby whose store has not heard of a container yet asks the writer before it answers 404; its
 * events are the writer's, relayed (event-relay.ts).
 */
import { ContainerError } from '../errors.js'
import type { VsphereContainerService } from '../service.js'
import type {
  AttachRequest,
  ContainerEvent,
  ContainerLogs,
  ContainerService,
  ContainerView,
  CreateRequest,
  LogsRequest,
  NetworkInfo,
  OpContext,
  RemoveOptions,
  StopOptions,
} from '../types.js'
import type { WriterLease } from './lease.js'
import { EventRelay } from './event-relay.js'
import { RemoteWriter } from './remote-writer.js'
import { noWriter } from './unavailable.js'

type Writes = Pick<ContainerService, 'create' | 'start' | 'stop' | 'remove' | 'rename' | 'attach' | 'detach'>

export class RoutingService implements ContainerService {
  #remote: RemoteWriter | undefined
  readonly #events: EventRelay

  constructor(
    private readonly local: VsphereContainerService,
    private readonly lease: WriterLease,
    private readonly token: string | undefined,
  ) {
    this.#events = new EventRelay(lease, local, token)
  }

  create(req: CreateRequest, op: OpContext): Promise<ContainerView> {
    return this.#write((w) => w.create(req, op))
  }
  start(ref: string, op: OpContext): Promise<void> {
    return this.#write((w) => w.start(ref, op))
  }
  stop(ref: string, options: StopOptions, op: OpContext): Promise<void> {
    return this.#write((w) => w.stop(ref, options, op))
  }
  remove(ref: string, options: RemoveOptions, op: OpContext): Promise<void> {
    return this.#write((w) => w.remove(ref, options, op))
  }
  rename(ref: string, newName: string, op: OpContext): Promise<void> {
    return this.#write((w) => w.rename(ref, newName, op))
  }
  attach(ref: string, request: AttachRequest, op: OpContext): Promise<void> {
    return this.#write((w) => w.attach(ref, request, op))
  }
  detach(ref: string, op: OpContext): Promise<void> {
    return this.#write((w) => w.detach(ref, op))
  }

  list(all: boolean, op: OpContext): Promise<ContainerView[]> {
    return this.local.list(all, op)
  }

  async inspect(ref: string, op: OpContext): Promise<ContainerView> {
    try {
      return await this.local.inspect(ref, op)
    } catch (err) {
      const writer = this.lease.role === 'standby' && ContainerError.is(err, 'not_found') ? this.#writer() : undefined
      if (!writer) throw err
      return writer.inspect(ref, op)
    }
  }

  network(name: string, op: OpContext): Promise<NetworkInfo> {
    return this.local.network(name, op)
  }

  logs(ref: string, request: LogsRequest, op: OpContext): Promise<ContainerLogs> {
    return this.local.logs(ref, request, op)
  }

  onEvent(listener: (event: ContainerEvent) => void): () => void {
    return this.#events.on(listener)
  }

  /** Stops relaying the writer's events. */
  close(): void {
    this.#events.close()
  }

  ready(): Promise<boolean> {
    return this.local.ready()
  }

  async #write<T>(write: (to: Writes) => Promise<T>): Promise<T> {
    // joining and taking over are short (one round; the store catches up, open journals are settled): a write waits
    const passing = (role: string) => role === 'joining' || role === 'taking-over'
    for (let pass = 1; pass <= 2; pass++) {
      if (passing(this.lease.role) && !(await this.lease.settled(this.lease.timings.durationMs * 2)))
        throw noWriter('this process is still joining the namespace')
      if (this.lease.role !== 'writer') break
      // renewals that failed for a while (a network that just healed): the next one may get through
      if (this.lease.holds() || (await this.lease.held(this.lease.timings.durationMs))) return write(this.local)
      // still the writer without the lease: the write guard answers; else the role moved on (its lease lapsed)
      if (this.lease.role === 'writer') return write(this.local)
    }
    const writer = this.#writer()
    if (!writer) throw noWriter("no process holds the namespace's writer lease now")
    return write(writer)
  }

  /** The writer as the lease names it, or undefined when none holds it. */
  #writer(): RemoteWriter | undefined {
    const record = this.lease.writer()
    if (!record) return undefined
    if (this.#remote?.address !== record.address) this.#remote = new RemoteWriter(record.address, this.token)
    return this.#remote
  }
}
