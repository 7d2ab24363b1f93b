/**
 * Which VMs the migration job looks at: those under a VM folder, those in a resource pool (child pools
 * included), those in both when both are given, or every VM of the vCenter when neither is. The paths are the
 * inventory paths `portlayer serve` takes (`--vm-folder /DC0/vm/containers`, `--pool /DC0/host/C0/Resources`), so
 * an operator runs the job with the flags the service runs with.
 */
import type { MoRef, VimClient } from '../vim/index.js'

export interface ScopeOptions {
  /** inventory path of a VM folder */
  readonly vmFolder?: string
  /** inventory path of a resource pool */
  readonly pool?: string
}

export interface JobScope {
  /** where the listing starts: the folder, else the pool, else the root folder */
  readonly container: MoRef
  /** with both a folder and a pool: only VMs of this pool count */
  readonly pool?: MoRef<'ResourcePool'>
  /** for the report: what was asked */
  readonly description: string
}

/** A scope path names nothing, or the wrong kind of object: the operator's input is at fault. */
export class JobScopeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'JobScopeError'
  }
}

export async function resolveScope(client: VimClient, options: ScopeOptions): Promise<JobScope> {
  const folder = options.vmFolder ? await lookup(client, options.vmFolder, 'Folder', '--vm-folder') : undefined
  const pool = options.pool ? await lookup(client, options.pool, 'ResourcePool', '--pool') : undefined
  const description =
    [options.vmFolder && `VM folder ${options.vmFolder}`, options.pool && `resource pool ${options.pool}`]
      .filter(Boolean)
      .join(' and ') || 'every VM'
  if (folder) return { container: folder, ...(pool ? { pool } : {}), description }
  return { container: pool ?? client.serviceContent.rootFolder, description }
}

async function lookup<T extends string>(client: VimClient, path: string, type: T, flag: string): Promise<MoRef<T>> {
  const found = await client.findByInventoryPath(path.replace(/^\/+/, ''), { opId: 'migrate-scope' })
  if (!found) throw new JobScopeError(`${flag} ${path}: nothing at that inventory path`)
  if (found.type !== type) throw new JobScopeError(`${flag} ${path}: that is a ${found.type}, not a ${type}`)
  return found as MoRef<T>
}
