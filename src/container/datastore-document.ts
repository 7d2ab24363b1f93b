/**
 * A small JSON document kept as a file on the service's datastore (under `portlayer/`), read over vSphere's HTTP file
 * interface: what the Docker API front's network definitions and image index are made of, so that a restarted or a
 * second portlayer process reads the same. Writes in one process are serialized; a change is read-modify-write of the
 * whole document (namespaces have one writer, DESIGN "One writer per namespace").
 */
import { isFault, type VimClient } from '../vim/index.js'
import type { Target } from './placement.js'

export interface DocumentDeps {
  readonly client: VimClient
  readonly target: Target
}

/** The folder on the datastore holding portlayer's own documents and image archives. */
export const documentFolder = 'portlayer'

export class DatastoreDocument<T> {
  #queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly deps: DocumentDeps,
    readonly path: string,
    private readonly empty: () => T,
  ) {}

  file(path = this.path) {
    return { datastore: this.deps.target.datastore.name, datacenter: this.deps.target.datacenterName, path }
  }

  /** The document as stored now; the empty one when the file does not exist yet. */
  async read(opId: string): Promise<T> {
    let read
    try {
      read = await this.deps.client.files.get(this.file(), { opId })
    } catch (err) {
      if (isFault(err, 'FileNotFound')) return this.empty()
      throw err
    }
    const chunks: Buffer[] = []
    for await (const chunk of read.stream) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    return text.trim() === '' ? this.empty() : (JSON.parse(text) as T)
  }

  /** Applies `change` to the stored document and writes it back; `change` may throw to refuse. */
  update<R>(opId: string, change: (doc: T) => R): Promise<R> {
    const run = this.#queue.then(async () => {
      const doc = await this.read(opId)
      const result = change(doc)
      await this.deps.client.files.put(this.file(), JSON.stringify(doc), { opId })
      return result
    })
    this.#queue = run.catch(() => undefined)
    return run
  }
}
