import { describe, expect, it } from 'vitest'
import { loadConfig, type Config } from '../../../src/config.js'
import { startServer, type ServeDeps } from '../../../src/cli/serve.js'
import type { Govcsim } from '../../../src/sim/launcher.js'
import { captureLogs } from '../api/helpers/log-capture.js'
import { recordingService } from '../api/helpers/recording-service.js'

/**
 * The serve wiring with the composition root replaced by a recording service: what is started, in which order, with
 * which configuration, and what is closed. The simulator launcher is stood in for too, since nothing here talks to
 * vSphere; the simulator itself is exercised by the integration tests.
 */
function rig() {
  const steps: string[] = []
  const rec = recordingService()
  let composed: Config | undefined
  const deps: ServeDeps = {
    compose: async (config) => {
      steps.push('compose')
      composed = config
      return {
        service: rec.service,
        join: async () => {
          steps.push('joined')
          return 'writer' as const
        },
        writerDocker: () => undefined,
        close: async () => {
          steps.push('runtime closed')
        },
      }
    },
    startSim: async () => {
      steps.push('simulator started')
      return {
        url: 'http://127.0.0.1:40123/sdk',
        username: 'user',
        password: 'sim-Pa55',
        pid: 4242,
        stop: async () => {
          steps.push('simulator stopped')
        },
      } as unknown as Govcsim
    },
  }
  return { steps, deps, rec, composed: () => composed }
}

const env = {
  PORTLAYER_VSPHERE_URL: 'https://vc.example.com/sdk',
  PORTLAYER_VSPHERE_USERNAME: 'admin',
  PORTLAYER_VSPHERE_PASSWORD: 'vc-Pa55word',
  PORTLAYER_LISTEN: '127.0.0.1:0',
}

describe('portlayer serve', () => {
  it('with a URL: composes the runtime on that vCenter, serves REST, and never starts the simulator', async () => {
    const { steps, deps, composed } = rig()
    const logs = captureLogs()
    const server = await startServer(await loadConfig({}, env), logs.logger, deps)
    try {
      expect(steps).toEqual(['compose', 'joined'])
      expect(composed()?.vsphere.url).toBe('https://vc.example.com/sdk')
      expect(composed()?.vsphere.password.reveal()).toBe('vc-Pa55word')
      const res = await fetch(`${server.address}/v1/containers`)
      expect(res.status).toBe(200)
      expect(await res.json()).toHaveLength(2)
    } finally {
      await server.close()
    }
    expect(steps).toEqual(['compose', 'joined', 'runtime closed'])
    expect(logs.text()).not.toContain('vc-Pa55word')
  })

  it('without a URL: starts the simulator, says so with its URL, and runs the runtime on it', async () => {
    const { steps, deps, composed } = rig()
    const logs = captureLogs()
    const server = await startServer(await loadConfig({ listen: '127.0.0.1:0' }, {}), logs.logger, deps)
    await server.close()
    expect(steps).toEqual(['simulator started', 'compose', 'joined', 'runtime closed', 'simulator stopped'])
    expect(server.simulatorUrl).toBe('http://127.0.0.1:40123/sdk')
    expect(composed()?.vsphere).toMatchObject({ url: 'http://127.0.0.1:40123/sdk', username: 'user' })
    expect(composed()?.vsphere.password.reveal()).toBe('sim-Pa55')
    const started = logs.lines.find((l) => String(l.msg).includes('simulator started'))
    expect(started?.url).toBe('http://127.0.0.1:40123/sdk')
    expect(logs.text()).not.toContain('sim-Pa55')
  })

  it('guards the REST API with the configured token', async () => {
    const { deps } = rig()
    const server = await startServer(
      await loadConfig({}, { ...env, PORTLAYER_TOKEN: 'serve-token-1' }),
      captureLogs().logger,
      deps,
    )
    try {
      expect((await fetch(`${server.address}/v1/containers`)).status).toBe(401)
      const ok = await fetch(`${server.address}/v1/containers`, { headers: { authorization: 'Bearer serve-token-1' } })
      expect(ok.status).toBe(200)
      expect((await fetch(`${server.address}/healthz`)).status).toBe(200)
    } finally {
      await server.close()
    }
  })

  it('closes what had started when start-up fails', async () => {
    const { steps, deps } = rig()
    deps.compose = async () => {
      steps.push('compose failed')
      throw new Error('cannot log in to vSphere')
    }
    const config = await loadConfig({ listen: '127.0.0.1:0' }, {})
    await expect(startServer(config, captureLogs().logger, deps)).rejects.toThrow('cannot log in')
    expect(steps).toEqual(['simulator started', 'compose failed', 'simulator stopped'])
  })

  it('closes the runtime and the simulator when the address is taken', async () => {
    const first = rig()
    const running = await startServer(await loadConfig({}, env), captureLogs().logger, first.deps)
    try {
      const port = new URL(running.address).port
      const second = rig()
      await expect(
        startServer(await loadConfig({ listen: `127.0.0.1:${port}` }, {}), captureLogs().logger, second.deps),
      ).rejects.toThrow(/EADDRINUSE/)
      // the REST address was never had, so the runtime never joined the namespace
      expect(second.steps).toEqual(['simulator started', 'compose', 'runtime closed', 'simulator stopped'])
    } finally {
      await running.close()
    }
  })
})
