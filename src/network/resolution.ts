/**
 * Who answers to which name on a network, pure. On a network a container answers to its name, its short ID and its
 * network aliases; from a container, each link `other:alias` (stored on the network's endpoint or in HostConfig.Links)
 * makes `alias` resolve to `other` when `other` exists and is on the same network. This is what docker's embedded DNS
 * answers and what `GET /v1/networks/{net}` shows.
 */
import { parseAlias } from './alias.js'

export interface NetworkMember {
  readonly id: string
  readonly shortId: string
  readonly name: string
  /** network name → the endpoint's stored alias entries */
  readonly networks: Readonly<Record<string, { readonly aliases: readonly string[] }>>
  /** HostConfig.Links, `name:alias` */
  readonly links: readonly string[]
}

export interface NetworkEndpoint {
  readonly container: string
  readonly id: string
  readonly names: string[]
  /** alias → the name of the container it resolves to */
  readonly links: Record<string, string>
}

export interface NetworkView {
  readonly name: string
  readonly endpoints: NetworkEndpoint[]
}

/** The view of one network, or undefined when no container is on it. */
export function networkView(network: string, members: readonly NetworkMember[]): NetworkView | undefined {
  const attached = members.filter((m) => Object.hasOwn(m.networks, network))
  if (attached.length === 0) return undefined
  const byName = new Map(attached.map((m) => [m.name, m]))
  const endpoints = attached
    .map((m): NetworkEndpoint => {
      const entries = m.networks[network]?.aliases ?? []
      const own = entries.map(parseAlias).filter((e) => e.container === '' && e.alias !== '')
      const names = unique([m.name, m.shortId, ...own.map((e) => e.alias)])
      const links: Record<string, string> = {}
      for (const entry of [...entries, ...m.links]) {
        if (!entry.includes(':')) continue
        const { container, alias } = parseAlias(entry)
        if (container === '' || alias === '') continue
        if (byName.has(container)) links[alias] = container
      }
      return { container: m.name, id: m.id, names, links }
    })
    .sort((a, b) => a.container.localeCompare(b.container))
  return { name: network, endpoints }
}

/** The container a name resolves to from `from` on `network`, as the embedded DNS would answer. */
export function resolve(view: NetworkView, from: string, name: string): string | undefined {
  const self = view.endpoints.find((e) => e.container === from)
  const linked = self?.links[name]
  if (linked !== undefined) return linked
  return view.endpoints.find((e) => e.names.includes(name))?.container
}

function unique(values: string[]): string[] {
  return [...new Set(values)]
}
