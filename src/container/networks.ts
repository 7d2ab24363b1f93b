/**
 * Network definitions (`docker network create`): kept in a document on the datastore (datastore-document.ts), so
 * every portlayer process on the namespace knows the same networks. Docker's three built-in networks always exist:
 * `bridge` (where a container goes by default), `host` and `none`. A network that a container is still on cannot
 * be removed.
 */
import { createHash, randomBytes } from 'node:crypto'
import { isValidName } from './naming.js'
import { ContainerError } from './errors.js'
import { DatastoreDocument, documentFolder, type DocumentDeps } from './datastore-document.js'
import type { ContainerStore } from './store.js'
import type { NetworkCreateRequest, NetworkDefinition } from './types.js'

interface NetworksDocument {
  networks: NetworkDefinition[]
}

export const builtinNetworks: readonly string[] = ['bridge', 'host', 'none']

/** A built-in network's ID: the same in every process and every run. */
function builtinId(name: string): string {
  return createHash('sha256').update(`portlayer/network/${name}`).digest('hex')
}

const builtins: readonly NetworkDefinition[] = builtinNetworks.map((name) => ({
  id: builtinId(name),
  name,
  driver: name === 'bridge' ? 'bridge' : name === 'host' ? 'host' : 'null',
  labels: {},
  internal: false,
  attachable: false,
  createdAt: new Date(0).toISOString(),
}))

/** Drivers a definition may name: portlayer's networks are all of one kind, which docker calls `bridge`. */
export const networkDrivers: readonly string[] = ['bridge']

export class NetworkDefinitions {
  readonly #doc: DatastoreDocument<NetworksDocument>

  constructor(
    deps: DocumentDeps,
    private readonly store: Pick<ContainerStore, 'list'>,
  ) {
    this.#doc = new DatastoreDocument(deps, `${documentFolder}/networks.json`, () => ({ networks: [] }))
  }

  async list(opId: string): Promise<NetworkDefinition[]> {
    const { networks } = await this.#doc.read(opId)
    return [...builtins, ...networks]
  }

  /** The network named or identified (full ID or unique ID prefix) by `ref`. */
  async find(ref: string, opId: string): Promise<NetworkDefinition> {
    return pick(await this.list(opId), ref)
  }

  create(request: NetworkCreateRequest, opId: string): Promise<NetworkDefinition> {
    const { name } = request
    if (!isValidName(name) && !/^[a-zA-Z0-9]$/.test(name))
      throw new ContainerError('invalid_request', `invalid network name (${name}): use only [a-zA-Z0-9][a-zA-Z0-9_.-]`)
    const driver = request.driver === undefined || request.driver === '' ? 'bridge' : request.driver
    if (!networkDrivers.includes(driver))
      throw new ContainerError('invalid_request', `network driver ${driver} is not available: portlayer offers bridge`)
    if (builtinNetworks.includes(name))
      throw new ContainerError('name_conflict', `network with name ${name} already exists`)
    return this.#doc.update(opId, (doc) => {
      if (doc.networks.some((n) => n.name === name))
        throw new ContainerError('name_conflict', `network with name ${name} already exists`)
      const network: NetworkDefinition = {
        id: randomBytes(32).toString('hex'),
        name,
        driver,
        labels: { ...request.labels },
        internal: request.internal ?? false,
        attachable: request.attachable ?? false,
        createdAt: new Date().toISOString(),
      }
      doc.networks.push(network)
      return network
    })
  }

  async remove(ref: string, opId: string): Promise<void> {
    const network = await this.find(ref, opId)
    if (builtinNetworks.includes(network.name))
      throw new ContainerError('invalid_request', `${network.name} is a pre-defined network and cannot be removed`)
    const users = this.store.list().filter((c) => Object.hasOwn(c.networks, network.name))
    if (users.length > 0)
      throw new ContainerError(
        'conflict',
        `error while removing network: network ${network.name} id ${network.id} has active endpoints (${users
          .map((c) => c.name)
          .join(', ')})`,
      )
    await this.#doc.update(opId, (doc) => {
      doc.networks = doc.networks.filter((n) => n.id !== network.id)
    })
  }
}

function pick(networks: readonly NetworkDefinition[], ref: string): NetworkDefinition {
  const exact = networks.find((n) => n.id === ref) ?? networks.find((n) => n.name === ref)
  if (exact) return exact
  const prefixed = /^[0-9a-f]+$/.test(ref) ? networks.filter((n) => n.id.startsWith(ref)) : []
  if (prefixed.length === 1) return prefixed[0]!
  if (prefixed.length > 1)
    throw new ContainerError('ambiguous_ref', `network ${ref} is ambiguous (${prefixed.length} matches found)`)
  throw new ContainerError('not_found', `network ${ref} not found`)
}
