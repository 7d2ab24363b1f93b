/**
 * Container events for `GET /v1/events`: what portlayer did (create, start, stop, remove, rename with the old
 * name), delivered to every listener in order. In-process only: a listener that joins late sees what comes next.
 */
import type { ContainerEvent } from './types.js'

type EventInput =
  | { type: 'create' | 'start' | 'stop' | 'remove'; id: string; name: string }
  | { type: 'rename'; id: string; name: string; oldName: string }

export class ContainerEvents {
  readonly #listeners = new Set<(event: ContainerEvent) => void>()

  on(listener: (event: ContainerEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  emit(input: EventInput): void {
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
