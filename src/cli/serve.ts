/**
 * `portlayer serve`: brings the service up in order — the embedded simulator when no vSphere URL is given, the
 * runtime from the composition root, the REST app — and takes it down in the reverse order. A failure while
 * starting closes whatever had already started.
 */
import type { Logger } from 'pino'
import { buildApp } from '../api/app.js'
import { buildDockerApp } from '../docker/app.js'
import { dockerService } from '../docker/service.js'
import { Secret, withVsphere, type Config, type LoadedConfig, type VsphereConfig } from '../config.js'
import { compose, type Runtime } from '../di.js'
import { startGovcsim, type Govcsim, type GovcsimOptions } from '../sim/launcher.js'

export interface ServeDeps {
  compose: (config: Config, logger: Logger) => Promise<Runtime>
  startSim: (options: GovcsimOptions) => Promise<Govcsim>
}

const defaultDeps: ServeDeps = { compose, startSim: startGovcsim }

export interface Server {
  /** `http://host:port` the REST API listens on */
  address: string
  /** `http://host:port` the Docker Engine API front listens on, when it is served */
  dockerAddress?: string
  /** the embedded simulator's SDK URL, when one was started */
  simulatorUrl?: string
  /** closes the REST app, then the runtime, then the simulator */
  close(): Promise<void>
}

/** The embedded simulator as a vSphere endpoint. It serves its own self-signed certificate when it speaks TLS. */
export function simulatorEndpoint(sim: Pick<Govcsim, 'url' | 'username' | 'password'>): VsphereConfig {
  return {
    url: sim.url,
    username: sim.username,
    password: new Secret(sim.password),
    tls: { insecure: sim.url.startsWith('https:') },
  }
}

export async function startServer(
  loaded: LoadedConfig,
  logger: Logger,
  deps: ServeDeps = defaultDeps,
): Promise<Server> {
  const stack: Array<{ what: string; close: () => Promise<void> }> = []
  const closeAll = async () => {
    for (const step of stack.splice(0).reverse()) {
      try {
        await step.close()
        logger.info(`${step.what} closed`)
      } catch (err) {
        logger.error({ err }, `closing the ${step.what} failed`)
      }
    }
  }

  try {
    let config: Config
    let simulatorUrl: string | undefined
    if (loaded.vsphere) {
      config = { ...loaded, vsphere: loaded.vsphere }
    } else {
      logger.info('no vSphere URL (--url, PORTLAYER_VSPHERE_URL): starting the embedded simulator (govcsim)')
      const sim = await deps.startSim({ onLog: (line) => logger.debug({ source: 'govcsim' }, line) })
      stack.push({ what: 'simulator', close: () => sim.stop() })
      simulatorUrl = sim.url
      logger.info({ url: sim.url, simPid: sim.pid }, 'embedded simulator started: portlayer manages its VMs')
      config = withVsphere(loaded, simulatorEndpoint(sim))
    }
    // Secrets print as [redacted], so the whole configuration can be logged.
    logger.info({ config }, 'configuration')

    const runtime = await deps.compose(config, logger)
    stack.push({ what: 'runtime', close: () => runtime.close() })

    const app = buildApp({ service: runtime.service, logger, token: config.token?.reveal() })
    stack.push({ what: 'REST app', close: () => app.close() })
    await app.listen({ host: config.listen.host, port: config.listen.port })
    const bound = app.server.address()
    const port = typeof bound === 'object' && bound ? bound.port : config.listen.port
    const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host
    const address = `http://${host}:${port}`
    let dockerAddress: string | undefined
    if (config.dockerListen && runtime.docker) {
      const service = dockerService(runtime.service, runtime.docker)
      const docker = buildDockerApp({
        service,
        logger,
        writer: () => runtime.writerDocker(),
        ...(config.token ? { token: config.token.reveal() } : {}),
      })
      stack.push({ what: 'Docker API front', close: () => docker.close() })
      await docker.listen({ host: config.dockerListen.host, port: config.dockerListen.port })
      dockerAddress = urlOf(docker.server.address(), config.dockerListen)
    }
    // a writer settles what a dead one left before this line, so once it is logged the namespace is consistent
    const role = await runtime.join(address, dockerAddress)
    logger.info({ address, role, tokenRequired: config.token !== undefined }, 'portlayer listening')
    if (dockerAddress) logger.info({ address: dockerAddress, tokenRequired: config.token !== undefined }, 'docker API listening')

    return { address, ...(dockerAddress ? { dockerAddress } : {}), simulatorUrl, close: closeAll }
  } catch (err) {
    await closeAll()
    throw err
  }
}

/** `http://host:port` of a bound server (the port the system chose when 0 was asked). */
function urlOf(bound: ReturnType<import('node:net').Server['address']>, asked: { host: string; port: number }): string {
  const port = typeof bound === 'object' && bound ? bound.port : asked.port
  const host = asked.host.includes(':') ? `[${asked.host}]` : asked.host
  return `http://${host}:${port}`
}
