/**
 * Images made known by `docker load`: portlayer pulls no layers, so an image is the docker-archive a user loaded,
 * kept whole on the datastore (`portlayer/images/<sha256 of the archive>.tar`), and an index document listing each
 * image's ID, tags and config (datastore-document.ts). Every process on the namespace reads the same index.
 * References follow docker: an ID (`sha256:` optional, a unique prefix allowed) or a tag, where `busybox` means
 * `busybox:latest` and `docker.io/library/` may stand before an official image's name.
 */
import { createHash } from 'node:crypto'
import { isFault } from '../vim/index.js'
import { ContainerError } from './errors.js'
import { DatastoreDocument, documentFolder, type DocumentDeps } from './datastore-document.js'
import { readDockerArchive } from './image-archive.js'
import type { ContainerStore } from './store.js'
import type { ImageRecord } from './types.js'

interface StoredImage extends ImageRecord {
  /** the archive's path on the datastore */
  archive: string
}

interface ImagesDocument {
  images: StoredImage[]
}

/** `busybox` → `busybox:latest`; `docker.io/library/busybox:1` → `busybox:1`; a digest reference stays as it is. */
export function normalizeTag(ref: string): string {
  let name = ref.replace(/^(docker\.io|index\.docker\.io)\//, '').replace(/^library\//, '')
  const lastSlash = name.lastIndexOf('/')
  if (!name.includes('@') && !name.slice(lastSlash + 1).includes(':')) name = `${name}:latest`
  return name
}

/** Whether `ref` is a valid image reference (a tag or an ID) as docker's reference grammar allows. */
export function isImageRef(ref: string): boolean {
  return /^[a-z0-9][a-z0-9._\-/:@]*$/i.test(ref) && ref.length <= 255
}

export class ImageStore {
  readonly #doc: DatastoreDocument<ImagesDocument>

  constructor(
    private readonly deps: DocumentDeps,
    private readonly store: Pick<ContainerStore, 'list'>,
  ) {
    this.#doc = new DatastoreDocument(deps, `${documentFolder}/images.json`, () => ({ images: [] }))
  }

  async list(opId: string): Promise<ImageRecord[]> {
    return (await this.#doc.read(opId)).images.map(record)
  }

  async find(ref: string, opId: string): Promise<ImageRecord> {
    return record(pick((await this.#doc.read(opId)).images, ref))
  }

  async load(archive: Buffer, opId: string): Promise<ImageRecord[]> {
    const images = readDockerArchive(archive)
    const path = `${documentFolder}/images/${createHash('sha256').update(archive).digest('hex')}.tar`
    await this.deps.client.files.put(this.#doc.file(path), archive, { opId })
    const now = new Date().toISOString()
    return this.#doc.update(opId, (doc) => {
      const loaded: StoredImage[] = []
      for (const image of images) {
        const tags = image.repoTags.map(normalizeTag)
        // a tag names one image: loading it again moves it, as docker load does
        for (const other of doc.images) other.repoTags = other.repoTags.filter((t) => !tags.includes(t))
        const existing = doc.images.find((i) => i.id === image.id)
        const stored: StoredImage = existing ?? {
          id: image.id,
          repoTags: [],
          config: image.config,
          size: archive.length,
          createdAt: typeof image.config.created === 'string' ? image.config.created : now,
          archive: path,
        }
        stored.repoTags = [...new Set([...stored.repoTags, ...tags])]
        if (!existing) doc.images.push(stored)
        loaded.push(stored)
      }
      return loaded.map(record)
    })
  }

  tag(ref: string, tag: string, opId: string): Promise<void> {
    if (!isImageRef(tag) || tag.includes('@')) throw new ContainerError('invalid_request', `invalid reference format: ${tag}`)
    const wanted = normalizeTag(tag)
    return this.#doc.update(opId, (doc) => {
      const image = pick(doc.images, ref)
      for (const other of doc.images) other.repoTags = other.repoTags.filter((t) => t !== wanted)
      image.repoTags.push(wanted)
    })
  }

  async remove(ref: string, opId: string): Promise<{ untagged: string[]; deleted: string[] }> {
    const gone: string[] = []
    const result = await this.#doc.update(opId, (doc) => {
      const image = pick(doc.images, ref)
      const byTag = image.repoTags.includes(normalizeTag(ref)) && !isIdRef(ref, image.id)
      const users = this.store.list().filter((c) => c.image === image.id || image.repoTags.includes(normalizeTag(c.image)))
      if (users.length > 0 && (!byTag || image.repoTags.length === 1))
        throw new ContainerError(
          'conflict',
          `conflict: unable to remove ${ref} - image is being used by container ${users[0]!.id.slice(0, 12)}`,
        )
      if (!byTag && image.repoTags.length > 1)
        throw new ContainerError(
          'conflict',
          `conflict: unable to delete ${image.id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`,
        )
      const untagged = byTag ? [normalizeTag(ref)] : [...image.repoTags]
      image.repoTags = image.repoTags.filter((t) => !untagged.includes(t))
      const deleted: string[] = []
      if (image.repoTags.length === 0) {
        doc.images = doc.images.filter((i) => i !== image)
        deleted.push(image.id)
        if (!doc.images.some((i) => i.archive === image.archive)) gone.push(image.archive)
      }
      return { untagged, deleted }
    })
    for (const path of gone) {
      const file = this.#doc.file(path)
      await this.deps.client
        .deleteDatastoreFile(`[${file.datastore}] ${path}`, this.deps.target.datacenter, { opId })
        .catch((err: unknown) => {
          if (!isFault(err, 'FileNotFound')) throw err
        })
    }
    return result
  }
}

function record({ archive: _archive, ...image }: StoredImage): ImageRecord {
  return { ...image, repoTags: [...image.repoTags] }
}

function isIdRef(ref: string, id: string): boolean {
  const hex = ref.replace(/^sha256:/, '')
  return /^[0-9a-f]{1,64}$/.test(hex) && id.slice(7).startsWith(hex)
}

function pick(images: StoredImage[], ref: string): StoredImage {
  const tag = normalizeTag(ref)
  const tagged = images.find((i) => i.repoTags.includes(tag))
  if (tagged) return tagged
  const hex = ref.replace(/^sha256:/, '')
  if (/^[0-9a-f]+$/.test(hex)) {
    const matches = images.filter((i) => i.id.slice(7).startsWith(hex))
    if (matches.length === 1) return matches[0]!
  }
  throw new ContainerError('not_found', `No such image: ${ref}`)
}
