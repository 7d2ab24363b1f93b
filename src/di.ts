/**
 * Composition root: the one place that builds the service's parts and wires them (inversify). Configuration and
 * logger come in; the vim25 client logs in, placement is resolved, migration plugins are discovered, the store
 * loads every container and any rename a dead process left half done is finished before anything is served.
 */
import 'reflect-metadata'
import { Container as Injector } from 'inversify'
import type { Logger } from 'pino'
import type { Config } from './config.js'
import type { ReadMigration } from './container/container.js'
import { resolveTarget, type Target } from './container/placement.js'
import { VsphereContainerService } from './container/service.js'
import { ContainerStore } from './container/store.js'
import type { ContainerService } from './container/types.js'
import { discoverPlugins } from './migration/discover.js'
import { latestDataVersion } from './migration/data-version.js'
import { migrateInMemory, PluginFailedError } from './migration/migrate.js'
import type { PluginRegistry } from './migration/registry.js'
import { tokens } from './tokens.js'
import { connect, type VimClient } from './vim/index.js'

export interface Runtime {
  service: ContainerService
  /** stops background loops, logs out of vSphere */
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
    const service = await di.getAsync<VsphereContainerService>(tokens.service)
    await store.start()
    const recovered = await service.recoverRenames({ opId: 'startup' })
    logger.info({ containers: store.index.size, recoveredRenames: recovered }, 'container store loaded')
    return {
      service,
      async close() {
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
