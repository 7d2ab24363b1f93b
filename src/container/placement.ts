/**
 * Where container VMs live: the datacenter, the VM folder (the store's scope), the resource pool and the datastore,
 * resolved once at start from the configuration (inventory paths and a datastore name; the first of each when not
 * given). The datastore's `summary.type` is read here, once, so create knows whether it is vSAN without asking.
 */
import { isMoRef, type MoRef, type VimClient } from '../vim/index.js'

export interface PlacementOptions {
  /** datastore name */
  readonly datastore?: string
  /** inventory path of the VM folder, e.g. `/DC0/vm/containers` */
  readonly vmFolder?: string
  /** inventory path of the resource pool, e.g. `/DC0/host/C0/Resources` */
  readonly pool?: string
}

export interface Target {
  readonly datacenter: MoRef<'Datacenter'>
  readonly datacenterName: string
  readonly vmFolder: MoRef<'Folder'>
  readonly pool: MoRef<'ResourcePool'>
  readonly datastore: { readonly name: string; readonly moref: MoRef<'Datastore'>; readonly vsan: boolean }
}

export async function resolveTarget(client: VimClient, options: PlacementOptions): Promise<Target> {
  const op = { opId: 'placement' }
  const datacenters = await client.list<{ name: string; vmFolder: MoRef; hostFolder: MoRef; datastore: MoRef[] }>(
    client.serviceContent.rootFolder,
    'Datacenter',
    ['name', 'vmFolder', 'hostFolder', 'datastore'],
    op,
  )
  if (datacenters.length === 0) throw new PlacementError('vSphere has no datacenter')
  const wantedDc = firstSegment(options.vmFolder) ?? firstSegment(options.pool)
  const dc = wantedDc === undefined ? datacenters[0] : datacenters.find((d) => d.props.name === wantedDc)
  if (!dc) throw new PlacementError(`no datacenter named ${wantedDc}`)
  const datacenterName = String(dc.props.name)

  const vmFolder = options.vmFolder
    ? await lookup(client, options.vmFolder, 'Folder', '--vm-folder')
    : (dc.props.vmFolder as MoRef<'Folder'>)
  const pool = options.pool
    ? await lookup(client, options.pool, 'ResourcePool', '--pool')
    : await firstPool(client, dc.props.hostFolder as MoRef)

  const stores = await client.retrieve<{ name: string; 'summary.type': string }>(
    (dc.props.datastore ?? []) as MoRef[],
    ['name', 'summary.type'],
    op,
  )
  const ds = options.datastore ? stores.find((s) => s.props.name === options.datastore) : stores[0]
  if (!ds)
    throw new PlacementError(
      options.datastore ? `no datastore named ${options.datastore} in ${datacenterName}` : `${datacenterName} has no datastore`,
    )
  return {
    datacenter: dc.obj as MoRef<'Datacenter'>,
    datacenterName,
    vmFolder,
    pool,
    datastore: {
      name: String(ds.props.name),
      moref: ds.obj as MoRef<'Datastore'>,
      vsan: ds.props['summary.type'] === 'vsan',
    },
  }
}

export class PlacementError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PlacementError'
  }
}

function firstSegment(path: string | undefined): string | undefined {
  return path?.split('/').find((s) => s !== '')
}

async function lookup<T extends string>(client: VimClient, path: string, type: T, flag: string): Promise<MoRef<T>> {
  const found = await client.findByInventoryPath(path.replace(/^\/+/, ''), { opId: 'placement' })
  if (!found) throw new PlacementError(`${flag} ${path}: nothing at that inventory path`)
  if (found.type !== type) throw new PlacementError(`${flag} ${path}: that is a ${found.type}, not a ${type}`)
  return found as MoRef<T>
}

/** The root pool of the first cluster, else of the first standalone host. */
async function firstPool(client: VimClient, hostFolder: MoRef): Promise<MoRef<'ResourcePool'>> {
  const computes = await client.list<{ resourcePool: MoRef }>(hostFolder, 'ComputeResource', ['resourcePool'], {
    opId: 'placement',
  })
  const ordered = [...computes].sort(
    (a, b) => Number(b.obj.type === 'ClusterComputeResource') - Number(a.obj.type === 'ClusterComputeResource'),
  )
  const pool = ordered.map((c) => c.props.resourcePool).find(isMoRef)
  if (!pool) throw new PlacementError('no resource pool found: give --pool')
  return pool as MoRef<'ResourcePool'>
}
