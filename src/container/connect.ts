/**
 * Connecting a container to a network and disconnecting it (`docker network connect` / `disconnect`): one handle
 * commit that adds or removes the container's endpoint on that network in its ExtraConfig, VIC's layout (the
 * endpoint's hidden alias slice holds `:alias` for the container's own aliases and `name:alias` for its links).
 * A running VM may only be sent hidden keys (DESIGN "The container in vSphere"), so a running container can have
 * the aliases and links of a network it is on changed, but cannot join or leave a network: it is refused, saying so.
 */
import { decodeContainer, encodeContainer, newNetworkEndpoint, withNetworkAliases } from '../extraconfig/index.js'
import { isValidName } from './naming.js'
import { commit, type CommitDeps } from './commit.js'
import type { Container } from './container.js'
import { ContainerError } from './errors.js'
import type { ConnectRequest, OpContext } from './types.js'

/** The endpoint's stored entries for a request: own aliases as `:alias`, links as given (`name:alias`). */
export function endpointEntries(request: ConnectRequest): string[] {
  for (const alias of request.aliases ?? [])
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(alias))
      throw new ContainerError('invalid_request', `invalid network alias ${JSON.stringify(alias)}`)
  for (const link of request.links ?? []) {
    const [name = '', alias = ''] = link.split(':')
    if (!isValidName(name.replace(/^\//, '')) || alias === '' || link.split(':').length !== 2)
      throw new ContainerError('invalid_request', `invalid link ${JSON.stringify(link)}: expected name:alias`)
  }
  return [...new Set([...(request.aliases ?? []).map((a) => `:${a}`), ...(request.links ?? [])])]
}

export async function connectContainer(
  deps: CommitDeps,
  ref: string,
  network: string,
  request: ConnectRequest,
  op: OpContext,
): Promise<void> {
  const entries = endpointEntries(request)
  const target = deps.store.resolve(ref)
  await commit(
    deps,
    target.id,
    (c: Container) => {
      const config = decodeContainer(c.vm.extraConfig)
      if (Object.hasOwn(config.networks, network)) {
        const current = config.networks[network]!.network.aliases
        const merged = [...new Set([...current, ...entries])]
        if (merged.length === current.length) return undefined
        return { extraConfig: new Map(Object.entries(encodeContainer(withNetworkAliases(config, network, merged)))) }
      }
      if (c.state === 'running')
        throw new ContainerError(
          'invalid_state',
          `container ${c.name} is running: portlayer connects a network to a container that is not running (stop it first)`,
        )
      const joined = { ...config, networks: { ...config.networks, [network]: newNetworkEndpoint(network, { aliases: entries }) } }
      return { extraConfig: new Map(Object.entries(encodeContainer(joined))) }
    },
    op.opId,
  )
}

export async function disconnectContainer(deps: CommitDeps, ref: string, network: string, op: OpContext): Promise<void> {
  const target = deps.store.resolve(ref)
  if (!Object.hasOwn(target.networks, network))
    throw new ContainerError('invalid_request', `container ${target.name} is not connected to network ${network}`)
  await commit(
    deps,
    target.id,
    (c: Container) => {
      const config = decodeContainer(c.vm.extraConfig)
      if (!Object.hasOwn(config.networks, network)) return undefined
      if (c.state === 'running')
        throw new ContainerError(
          'invalid_state',
          `container ${c.name} is running: portlayer disconnects a network from a container that is not running (stop it first)`,
        )
      const { [network]: _left, ...networks } = config.networks
      return { extraConfig: new Map(Object.entries(encodeContainer({ ...config, networks }))) }
    },
    op.opId,
  )
}
