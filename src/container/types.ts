import type { Readable } from 'node:stream'

/**
 * The container service's contract with the faces (REST API, CLI): the request and view shapes of DESIGN's REST
 * contract and the operations on them. Implementations live beside this file; the faces hold no business rules.
 */

export type ContainerState = 'created' | 'running' | 'stopped'

export interface EndpointRequest {
  /** network aliases of this container on the network */
  aliases?: string[]
}

export interface CreateRequest {
  name?: string
  /** 64 lowercase hex; generated when absent */
  id?: string
  image?: string
  cpus?: number
  memoryMB?: number
  networks?: Record<string, EndpointRequest>
  /** docker HostConfig.Links, `name:alias` */
  links?: string[]
  annotations?: Record<string, string>
  hostname?: string
}

export interface ContainerView {
  id: string
  shortId: string
  name: string
  displayName: string
  state: ContainerState
  image: string
  /** RFC 3339 */
  createdAt: string
  dataVersion: number
  renameSupported: boolean
  /** per network: the container's own aliases, and its links (`name:alias`) */
  networks: Record<string, { aliases: string[]; links: string[] }>
  links: string[]
  annotations: Record<string, string>
  vm: { moref: string; vmPathName: string; datastore: string; folder: string }
}

export interface StopOptions {
  /**
   * seconds the guest gets to shut down cleanly before the VM is powered off (docker's default: 10); 0 powers off
   * at once
   */
  timeout?: number
}

export interface RemoveOptions {
  force?: boolean
}

/** Who answers to which name on one network (DESIGN: `GET /v1/networks/{net}`). */
export interface NetworkInfo {
  name: string
  endpoints: Array<{ container: string; id: string; names: string[]; links: Record<string, string> }>
}

export type ContainerEvent =
  | { type: 'create' | 'start' | 'stop' | 'remove'; id: string; name: string; time: string }
  | { type: 'rename'; id: string; name: string; oldName: string; time: string }

/** `GET /v1/containers/{ref}/logs`: which of the container's output to read, and how to write it. */
export interface LogsRequest {
  /** only entries written after this: unix seconds (fraction allowed) or RFC 3339 */
  since?: string
  /** only entries written up to this: unix seconds (fraction allowed) or RFC 3339 */
  until?: string
  /** only the last N entries */
  tail?: number
  /** keep streaming new output until the client leaves or the container stops */
  follow?: boolean
  /** default true */
  stdout?: boolean
  /** default true */
  stderr?: boolean
  /** output format (a registered log driver): `raw` (default) or `json-file` */
  format?: string
  /** the format's own options, e.g. raw's `timestamps` */
  options?: Record<string, string>
}

export interface ContainerLogs {
  contentType: string
  /** the output; destroying it ends the read (and a follow) */
  stream: Readable
}

/** `POST /v1/containers/{ref}/attach`: where the container's network serial port connects to. */
export interface AttachRequest {
  /** `host:port` of a listener (e.g. a virtual serial port concentrator) */
  address: string
}

/** Operation context: the caller's operation ID travels to vSphere as `operationID` and into every log line. */
export interface OpContext {
  opId: string
  signal?: AbortSignal
}

export interface ContainerService {
  create(req: CreateRequest, op: OpContext): Promise<ContainerView>
  list(all: boolean, op: OpContext): Promise<ContainerView[]>
  inspect(ref: string, op: OpContext): Promise<ContainerView>
  start(ref: string, op: OpContext): Promise<void>
  stop(ref: string, options: StopOptions, op: OpContext): Promise<void>
  remove(ref: string, options: RemoveOptions, op: OpContext): Promise<void>
  rename(ref: string, newName: string, op: OpContext): Promise<void>
  network(name: string, op: OpContext): Promise<NetworkInfo>
  /** The container's output (its `output.log`), as a stream; follows it when asked and the container runs. */
  logs(ref: string, request: LogsRequest, op: OpContext): Promise<ContainerLogs>
  /** Points the container's network serial port at `address` and connects it (now, or at the next power-on). */
  attach(ref: string, request: AttachRequest, op: OpContext): Promise<void>
  /** Disconnects the container's network serial port; nothing to do when none is connected. */
  detach(ref: string, op: OpContext): Promise<void>
  /** Subscribe to container events; returns the unsubscribe function. */
  onEvent(listener: (event: ContainerEvent) => void): () => void
  /** Whether vSphere answered recently; readyz reports it. */
  ready(): Promise<boolean>
}

/** `POST /networks/{net}/connect` of the Docker API front: the endpoint a container gets on a network. */
export interface ConnectRequest {
  /** network aliases of this container on the network */
  aliases?: string[]
  /** links from this container on the network, `name:alias` */
  links?: string[]
}

/** A network definition (the Docker API front's `docker network create`), kept in vSphere (networks.ts). */
export interface NetworkDefinition {
  /** 64 lowercase hex */
  id: string
  name: string
  driver: string
  labels: Record<string, string>
  internal: boolean
  attachable: boolean
  /** RFC 3339 */
  createdAt: string
}

export interface NetworkCreateRequest {
  name: string
  driver?: string
  labels?: Record<string, string>
  internal?: boolean
  attachable?: boolean
}

/** An image made known by `docker load` (images.ts): its archive is kept on the datastore. */
export interface ImageRecord {
  /** `sha256:<64 hex>`, the digest of its config, as docker names images */
  id: string
  repoTags: string[]
  /** the image's config document (docker's `Config`, `ContainerConfig`, `Created`, `Architecture`, …) */
  config: Record<string, unknown>
  /** bytes of the archive */
  size: number
  /** RFC 3339 */
  createdAt: string
}

/**
 * What the Docker API front needs beyond the REST contract: connecting containers to networks, the network
 * definitions, and images. Like everything else, kept in vSphere.
 */
export interface DockerBackend {
  connect(ref: string, network: string, request: ConnectRequest, op: OpContext): Promise<void>
  disconnect(ref: string, network: string, op: OpContext): Promise<void>
  networks(op: OpContext): Promise<NetworkDefinition[]>
  createNetwork(request: NetworkCreateRequest, op: OpContext): Promise<NetworkDefinition>
  removeNetwork(id: string, op: OpContext): Promise<void>
  images(op: OpContext): Promise<ImageRecord[]>
  /** the image a tag or an ID names; `not_found` with docker's `No such image: …` otherwise */
  image(ref: string, op: OpContext): Promise<ImageRecord>
  /** stores a docker-archive (`docker save` output) and makes its images known; resolves with what was loaded */
  loadImages(archive: Buffer, op: OpContext): Promise<ImageRecord[]>
  tagImage(ref: string, tag: string, op: OpContext): Promise<void>
  /** untags `ref` (a tag) or removes the image (an ID, or its last tag); resolves with what was untagged/deleted */
  removeImage(ref: string, op: OpContext): Promise<{ untagged: string[]; deleted: string[] }>
}

export type DockerService = ContainerService & DockerBackend
