/**
 * Finding a container by reference, pure: a full ID, a unique ID prefix, or a name, in docker's order (exact ID,
 * then exact name, then prefix). The store keeps one of these up to date; plans read it.
 */
import { ContainerError } from './errors.js'

export interface Named {
  readonly id: string
  readonly name: string
}

export class RefIndex<T extends Named> {
  private readonly byId = new Map<string, T>()
  private readonly byName = new Map<string, T>()
  private sortedIds: string[] | undefined

  constructor(items: Iterable<T> = []) {
    for (const item of items) this.put(item)
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
    this.byId.set(item.id, item)
    this.byName.set(item.name, item)
    if (!previous) this.sortedIds = undefined
  }

  delete(id: string): T | undefined {
    const item = this.byId.get(id)
    if (!item) return undefined
    this.byId.delete(id)
    if (this.byName.get(item.name) === item) this.byName.delete(item.name)
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
