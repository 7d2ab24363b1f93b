/**
 * Container events for `GET /v1/events`, derived from what the store hears: a container that appears (create),
 * changes name (rename, with the old name), starts, stops or goes (remove). The store hears every change in the
 * namespace, whoever made it — this process, the writer when this one is a standby, or someone in the vSphere
 * client — so every process streams the same events, each once, in order per container. The store's first listing
 * is what already was, not news: events start after it.
 */
import type { Container } from './container.js'
import type { ContainerStore, StoreChange } from './store.js'
import type { ContainerEvent } from './types.js'

type EventInput =
  | { type: 'create' | 'start' | 'stop' | 'remove'; id: string; name: string }
  | { type: 'rename'; id: string; name: string; oldName: string }

export class ContainerEvents {
  readonly #listeners = new Set<(event: ContainerEvent) => void>()

  constructor(store: ContainerStore) {
    store.onChange((change) => {
      if (store.loaded) for (const input of eventsOf(change)) this.#emit(input)
    })
  }

  on(listener: (event: ContainerEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  #emit(input: EventInput): void {
    if (this.#listeners.size === 0) return
    const event = { ...input, time: new Date().toISOString() } as ContainerEvent
    for (const listener of this.#listeners) {
      try {
        listener(event)
      } catch {
        // a failing listener (a closed stream) must not stop the others
      }
    }
  }
}

/** What one change of the store tells, in the order a person would tell it. */
export function eventsOf(change: StoreChange): EventInput[] {
  const { container: c } = change
  // a container removed while running stopped first, even when the report of its power-off merged into its leaving
  if (change.kind === 'delete')
    return [...(c.state === 'running' ? [{ type: 'stop' as const, id: c.id, name: c.name }] : []), { type: 'remove', id: c.id, name: c.name }]
  const before: Container | undefined = change.previous
  const out: EventInput[] = []
  if (!before) out.push({ type: 'create', id: c.id, name: c.name })
  else if (before.name !== c.name) out.push({ type: 'rename', id: c.id, name: c.name, oldName: before.name })
  const wasRunning = before?.state === 'running'
  if (!wasRunning && c.state === 'running') out.push({ type: 'start', id: c.id, name: c.name })
  if (wasRunning && c.state !== 'running') out.push({ type: 'stop', id: c.id, name: c.name })
  return out
}
