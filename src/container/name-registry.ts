/**
 * The writer's name registrar, as docker's: which names and IDs are taken, by containers the store holds or by an
 * operation in flight (a create, a rename) that has not reached vSphere yet. Only the namespace's writer gives
 * names (writer/), so deciding here, in memory, is deciding for the namespace.
 */
import type { Container } from './container.js'
import { ContainerError } from './errors.js'
import type { RefIndex } from './ref-index.js'

export class NameRegistry {
  /** name → the container ID an operation in flight promised it to */
  readonly #promised = new Map<string, string>()
  /** IDs of creates in flight */
  readonly #ids = new Set<string>()

  constructor(private readonly index: RefIndex<Container>) {}

  /**
   * Promises `name` to `id` until the returned release is called; `name_conflict` when a container has it or an
   * operation in flight holds it.
   */
  reserve(name: string, id: string): () => void {
    const holder = this.index.named(name)
    if (holder && holder.id !== id)
      throw new ContainerError(
        'name_conflict',
        `the name ${name} is already in use by container ${holder.id}: remove or rename that container first`,
      )
    const promised = this.#promised.get(name)
    if (promised !== undefined && promised !== id)
      throw new ContainerError('name_conflict', `the name ${name} is being given to container ${promised}`)
    this.#promised.set(name, id)
    return () => {
      if (this.#promised.get(name) === id) this.#promised.delete(name)
    }
  }

  /** Promises `id` to one create until the returned release is called; `conflict` when it is taken or promised. */
  reserveId(id: string): () => void {
    if (this.index.get(id) || this.#ids.has(id)) throw new ContainerError('conflict', `a container with ID ${id} already exists`)
    this.#ids.add(id)
    return () => this.#ids.delete(id)
  }

  isTaken(name: string): boolean {
    return this.index.named(name) !== undefined || this.#promised.has(name)
  }
}
