// The end-to-end fixture: a real govcsim, the service composed on it exactly as `portlayer serve` does, and the
// REST app (requests go through `inject`, no port). Tests act through the REST API and check the simulator on its
// own (raw SOAP, its inventory, its datastore directories).
//
//   const pl = usePortlayer({ sim: { vsan: true } })
//   it('…', async () => { const res = await pl().inject({ method: 'POST', url: '/v1/containers', payload: {…} }) })
import type { AddressInfo } from 'node:net'
import pino, { type Logger } from 'pino'
import { afterAll, beforeAll } from 'vitest'
import { buildApp, type App } from '../../src/api/app.js'
import { simulatorEndpoint } from '../../src/cli/serve.js'
import type { Config } from '../../src/config.js'
import type { Role } from '../../src/container/writer/lease.js'
import { compose, type Runtime } from '../../src/di.js'
import type { Govcsim, GovcsimOptions } from '../../src/sim/launcher.js'
import { startSim } from './govcsim.js'

export interface PortlayerOptions {
  sim?: GovcsimOptions
  /** datastore, vmFolder, pool, token… as `portlayer serve` takes them */
  config?: Partial<Omit<Config, 'vsphere'>>
  logger?: Logger
  /** an already running simulator (e.g. shared by two portlayer processes) */
  existingSim?: Govcsim
}

export interface Portlayer {
  sim: Govcsim
  runtime: Runtime
  app: App
  inject: App['inject']
  /** what the process became when it joined the namespace: the writer, or a standby forwarding writes to it */
  role: Role
  /** closes the app and the runtime; stops the simulator when this fixture started it */
  close(): Promise<void>
}

export async function startPortlayer(options: PortlayerOptions = {}): Promise<Portlayer> {
  const sim = options.existingSim ?? (await startSim(options.sim))
  const logger = options.logger ?? pino({ level: 'silent' })
  try {
    const config: Config = {
      listen: { host: '127.0.0.1', port: 0 },
      logLevel: 'silent',
      ...options.config,
      vsphere: simulatorEndpoint(sim),
    }
    const runtime = await compose(config, logger)
    const app = buildApp({ service: runtime.service, logger, ...(config.token ? { token: config.token.reveal() } : {}) })
    // a real socket: a standby forwards writes to the writer's address
    await app.listen({ host: '127.0.0.1', port: 0 })
    const { port } = app.server.address() as AddressInfo
    const role = await runtime.join(`http://127.0.0.1:${port}`)
    return {
      sim,
      runtime,
      app,
      inject: app.inject.bind(app) as App['inject'],
      role,
      async close() {
        await app.close()
        await runtime.close()
        if (!options.existingSim) await sim.stop()
      },
    }
  } catch (err) {
    if (!options.existingSim) await sim.stop()
    throw err
  }
}

/** Registers beforeAll/afterAll for one portlayer on its own simulator; returns its accessor. */
export function usePortlayer(options: PortlayerOptions = {}): () => Portlayer {
  let pl: Portlayer | undefined
  beforeAll(async () => {
    pl = await startPortlayer(options)
  })
  afterAll(async () => {
    await pl?.close()
    pl = undefined
  })
  return () => {
    if (!pl) throw new Error('portlayer is only available inside tests and hooks')
    return pl
  }
}
