/**
 * Composition root: the one place that builds the service's parts and wires them (inversify). Configuration and
 * logger come in; the vim25 client logs in, placement is resolved, migration plugins are discovered and the store
 * loads every container. `join` then takes the namespace's writer lease or serves as a standby; a process that
 * takes the lease settles any rename a dead writer left half done before it writes.
 */
import 'reflect-metadata'
import { Container as Injector } from 'inversify'
import type { Logger } from 'pino'
import type { Config } from './config.js'
import type { ReadMigration } from './container/container.js'
import { resolveTarget, type Target } from './container/placement.js'
import { VsphereContainerService } from './container/service.js'
import { ContainerStore } from './container/store.js'
import type { ContainerService, DockerService } from './container/types.js'
import { caughtUp } from './container/writer/catch-up.js'
import { WriterLease, type Role } from './container/writer/lease.js'
import { RoutingService } from './container/writer/routing-service.js'
import { noWriter } from './container/writer/unavailable.js'
import { discoverPlugins } from './migration/discover.js'
import { latestDataVersion } from './migration/data-version.js'
import { migrateInMemory, PluginFailedError } from './migration/migrate.js'
import type { PluginRegistry } from './migration/registry.js'
import { tokens } from './tokens.js'
import { connect, type VimClient } from './vim/index.js'

export interface Runtime {
  /** what the faces call: reads from this process's store, writes here or at the namespace's writer */
  service: ContainerService
  /** what the Docker API front needs beyond the REST contract (absent: the front is not served) */
  docker?: DockerService
  /**
   * Joins the namespace with the REST API's address: takes the writer lease when it is free or lapsed (then
   * catches up and settles what a dead writer left), else serves as a standby. Resolves with the role taken.
   * `dockerAddress`: this process's Docker API front, for standbys to pass docker writes on to.
   */
  join(address: string, dockerAddress?: string): Promise<Role>
  /** the writer's Docker API front while this process is a standby, else undefined */
  writerDocker(): string | undefined
  /** lets the lease go, stops background loops, logs out of vSphere */
  close(): Promise<void>
}

export function injector(config: Config, logger: Logger): Injector {
  const di = new Injector({ defaultScope: 'Singleton' })
  di.bind<Config>(tokens.config).toConstantValue(config)
  di.bind<Logger>(tokens.logger).toConstantValue(logger)
  di.bind<VimClient>(tokens.vimClient).toDynamicValue(() =>
    connect({
      url: config.vsphere.url,
      username: config.vsphere.username,
      password: config.vsphere.password.reveal(),
      tls: config.vsphere.tls,
      logger,
    }),
  )
  di.bind<Target>(tokens.target).toDynamicValue(async (ctx) =>
    resolveTarget(await ctx.getAsync<VimClient>(tokens.vimClient), {
      ...(config.datastore ? { datastore: config.datastore } : {}),
      ...(config.vmFolder ? { vmFolder: config.vmFolder } : {}),
      ...(config.pool ? { pool: config.pool } : {}),
    }),
  )
  di.bind<PluginRegistry>(tokens.migrations).toDynamicValue(() => discoverPlugins())
  di.bind<ContainerStore>(tokens.store).toDynamicValue(async (ctx) => {
    const client = await ctx.getAsync<VimClient>(tokens.vimClient)
    const target = await ctx.getAsync<Target>(tokens.target)
    const registry = await ctx.getAsync<PluginRegistry>(tokens.migrations)
    return new ContainerStore({ client, vmFolder: target.vmFolder, migrate: readMigration(registry, logger), log: logger })
  })
  di.bind<VsphereContainerService>(tokens.service).toDynamicValue(async (ctx) => {
    return new VsphereContainerService({
      client: await ctx.getAsync<VimClient>(tokens.vimClient),
      store: await ctx.getAsync<ContainerStore>(tokens.store),
      target: await ctx.getAsync<Target>(tokens.target),
      dataVersion: latestDataVersion,
      log: logger,
    })
  })
  return di
}

export async function compose(config: Config, logger: Logger): Promise<Runtime> {
  const di = injector(config, logger)
  const client = await di.getAsync<VimClient>(tokens.vimClient)
  try {
    const store = await di.getAsync<ContainerStore>(tokens.store)
    const local = await di.getAsync<VsphereContainerService>(tokens.service)
    const target = await di.getAsync<Target>(tokens.target)
    const lease = new WriterLease({ client, target, log: logger, ...(config.lease ? { timings: config.lease } : {}) })
    client.guardWrites(() => {
      if (!lease.holds()) throw noWriter("this process does not hold the namespace's writer lease now")
    })
    await store.start()
    logger.info({ containers: store.index.size }, 'container store loaded')
    const takeOver = async () => {
      const vm = lease.vm as NonNullable<typeof lease.vm>
      if (!(await caughtUp(store, vm, lease.identity, lease.timings.durationMs)))
        logger.warn('the store has not heard the lease write yet; settling from what it holds')
      const recovered = await local.recoverRenames({ opId: 'takeover' })
      logger.info({ containers: store.index.size, recoveredRenames: recovered }, 'caught up with the namespace')
    }
    const service = new RoutingService(local, lease, config.token?.reveal())
    return {
      service,
      docker: local,
      async join(address, dockerAddress) {
        await lease.start(address, takeOver, dockerAddress)
        return lease.role
      },
      writerDocker: () => (lease.role === 'standby' ? lease.writer()?.dockerAddress : undefined),
      async close() {
        service.close()
        await lease.close()
        await store.close()
        await client.close()
      },
    }
  } catch (err) {
    await client.close()
    throw err
  }
}

/** Reads old containers through the migration plugins; a plugin failure leaves what was migrated before it. */
function readMigration(registry: PluginRegistry, logger: Logger): ReadMigration {
  return (raw) => {
    try {
      return migrateInMemory(registry, 'container', raw).map
    } catch (err) {
      if (!(err instanceof PluginFailedError)) throw err
      logger.warn({ err }, 'in-memory migration failed part way')
      return err.partial.map
    }
  }
}
