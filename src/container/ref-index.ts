/**
 * Finding a container by reference, pure: a full ID, a unique ID prefix, or a name, in docker's order (exact ID,
 * then exact name, then prefix); and, given how to read an item's links, the items that link to a name, so a
 * rename finds them without reading every container. The store keeps one of these up to date; plans read it.
 */
import { ContainerError } from './errors.js'

export interface Named {
  readonly id: string
  readonly name: string
}

export class RefIndex<T extends Named> {
  private readonly byId = new Map<string, T>()
  private readonly byName = new Map<string, T>()
  /** name → IDs of the items whose links name it (kept only with `targets`) */
  private readonly byTarget = new Map<string, Set<string>>()
  private sortedIds: string[] | undefined

  /** `targets`: the names an item links to; without it `linkedTo` looks at every item. */
  constructor(
    items: Iterable<T> = [],
    private readonly targets?: (item: T) => Iterable<string>,
  ) {
    for (const item of items) this.put(item)
  }

  /** The items whose links may name `name` (with `targets`, exactly those; without it, every item). */
  linkedTo(name: string): T[] {
    if (!this.targets) return [...this.byId.values()]
    return [...(this.byTarget.get(name) ?? [])].map((id) => this.byId.get(id)).filter((item): item is T => item !== undefined)
  }

  get size(): number {
    return this.byId.size
  }

  values(): IterableIterator<T> {
    return this.byId.values()
  }

  get(id: string): T | undefined {
    return this.byId.get(id)
  }

  named(name: string): T | undefined {
    return this.byName.get(name)
  }

  put(item: T): void {
    const previous = this.byId.get(item.id)
    if (previous && this.byName.get(previous.name) === previous) this.byName.delete(previous.name)
    if (previous) this.untarget(previous)
    this.byId.set(item.id, item)
    this.byName.set(item.name, item)
    if (this.targets)
      for (const name of this.targets(item)) {
        let ids = this.byTarget.get(name)
        if (!ids) this.byTarget.set(name, (ids = new Set()))
        ids.add(item.id)
      }
    if (!previous) this.sortedIds = undefined
  }

  private untarget(item: T): void {
    if (!this.targets) return
    for (const name of this.targets(item)) {
      const ids = this.byTarget.get(name)
      ids?.delete(item.id)
      if (ids?.size === 0) this.byTarget.delete(name)
    }
  }

  delete(id: string): T | undefined {
    const item = this.byId.get(id)
    if (!item) return undefined
    this.byId.delete(id)
    if (this.byName.get(item.name) === item) this.byName.delete(item.name)
    this.untarget(item)
    this.sortedIds = undefined
    return item
  }

  /** The container `ref` names; `not_found` or `ambiguous_ref` otherwise. */
  resolve(ref: string): T {
    const found = this.find(ref)
    if (found) return found
    throw new ContainerError('not_found', `no such container: ${ref}`)
  }

  find(ref: string): T | undefined {
    const exact = this.byId.get(ref) ?? this.byName.get(ref)
    if (exact) return exact
    if (ref === '' || !/^[0-9a-f]+$/.test(ref)) return undefined
    const ids = (this.sortedIds ??= [...this.byId.keys()].sort())
    let lo = 0
    let hi = ids.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (ids[mid]! < ref) lo = mid + 1
      else hi = mid
    }
    const first = ids[lo]
    if (first === undefined || !first.startsWith(ref)) return undefined
    const second = ids[lo + 1]
    if (second !== undefined && second.startsWith(ref))
      throw new ContainerError('ambiguous_ref', `${ref} matches more than one container ID: give more characters`)
    return this.byId.get(first)
  }
}
