/**
 * What a rename changes, decided without I/O: the renamed container's new name and display name, and every
 * container whose network aliases or HostConfig.Links name the old name, with those entries re-pointed. The
 * executor (execute.ts) applies the plan to vSphere and makes it safe.
 */
import { repointEntries } from '../../network/alias.js'
import { ContainerError } from '../errors.js'
import { displayName, isValidName, nameLimit } from '../naming.js'
import type { RefIndex } from '../ref-index.js'

/** VIC's feature gate: containers stamped before data version 4 have no hidden `common/name` to rename. */
export const renameSupportedVersion = 4

export interface RenameSubject {
  readonly id: string
  readonly name: string
  readonly dataVersion: number
  readonly networks: Readonly<Record<string, { readonly aliases: readonly string[] }>>
  readonly links: readonly string[]
}

/** New alias and link lists for one container; only the changed networks are listed. */
export interface LinkRewrite {
  readonly id: string
  readonly name: string
  readonly networks: Record<string, string[]>
  readonly links?: string[]
}

export interface RenamePlan {
  readonly id: string
  readonly oldName: string
  readonly newName: string
  readonly displayName: string
  /** the renamed container's own re-pointed entries (a link to itself), if any */
  readonly self?: LinkRewrite
  /** every other container that named the old name */
  readonly linked: LinkRewrite[]
}

export function validateNewName(newName: string): void {
  if (newName === '') throw new ContainerError('name_empty', 'the new name must not be empty')
  if (!isValidName(newName))
    throw new ContainerError(
      'invalid_name',
      `invalid container name (${newName}): use only [a-zA-Z0-9][a-zA-Z0-9_.-], at least 2 and at most ${nameLimit} characters`,
    )
}

export function planRename<T extends RenameSubject>(index: RefIndex<T>, ref: string, newName: string): RenamePlan {
  validateNewName(newName)
  const target = index.resolve(ref)
  if (target.name === newName)
    throw new ContainerError('same_name', `container ${target.name} already has the name ${newName}`)
  const holder = index.named(newName)
  if (holder)
    throw new ContainerError(
      'name_conflict',
      `the name ${newName} is already in use by container ${holder.id}: remove or rename that container first`,
    )
  if (target.dataVersion < renameSupportedVersion)
    throw new ContainerError('rename_not_supported', `container ${target.name} does not support rename`)

  let self: LinkRewrite | undefined
  const linked: LinkRewrite[] = []
  for (const other of index.linkedTo(target.name)) {
    const rewrite = rewriteFor(other, target.name, newName)
    if (!rewrite) continue
    if (other.id === target.id) self = rewrite
    else linked.push(rewrite)
  }
  linked.sort((a, b) => a.id.localeCompare(b.id))
  return {
    id: target.id,
    oldName: target.name,
    newName,
    displayName: displayName(newName, target.id),
    ...(self ? { self } : {}),
    linked,
  }
}

/** The names a container's aliases and links point at (`other:alias` entries): what `RefIndex.linkedTo` keys on. */
export function linkTargets(subject: RenameSubject): Set<string> {
  const names = new Set<string>()
  const add = (entry: string): void => {
    const at = entry.indexOf(':')
    if (at > 0) names.add(entry.slice(0, at))
  }
  for (const endpoint of Object.values(subject.networks)) endpoint.aliases.forEach(add)
  subject.links.forEach(add)
  return names
}

/** The rewrite that re-points `oldName` to `newName` in one container, or undefined when it names neither. */
export function rewriteFor(subject: RenameSubject, oldName: string, newName: string): LinkRewrite | undefined {
  const networks: Record<string, string[]> = {}
  for (const [net, endpoint] of Object.entries(subject.networks)) {
    const repointed = repointEntries(endpoint.aliases, oldName, newName)
    if (repointed) networks[net] = repointed
  }
  const links = repointEntries(subject.links, oldName, newName)
  if (Object.keys(networks).length === 0 && !links) return undefined
  return { id: subject.id, name: subject.name, networks, ...(links ? { links } : {}) }
}
