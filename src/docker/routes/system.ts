/** System routes: `_ping` (GET and HEAD, with the `API-Version` header), `/version` and `/info`. */
import os from 'node:os'
import type { FastifyPluginAsync } from 'fastify'
import { serviceVersion } from '../../version.js'
import { apiVersion, minApiVersion } from '../api-version.js'
import type { DockerRouteDeps } from '../app.js'
import { dockerState } from '../container-json.js'

/** The docker engine release that speaks API 1.41; clients compare versions against it. */
export const engineVersion = '20.10.0'

export function systemRoutes({ service }: DockerRouteDeps): FastifyPluginAsync {
  return async (app) => {
    const ping = async (_req: unknown, reply: import('fastify').FastifyReply) =>
      reply.header('cache-control', 'no-cache, no-store, must-revalidate').header('pragma', 'no-cache').type('text/plain; charset=utf-8').send('OK')
    app.get('/_ping', ping)
    app.head('/_ping', async (_req, reply) =>
      reply.header('cache-control', 'no-cache, no-store, must-revalidate').header('pragma', 'no-cache').type('text/plain; charset=utf-8').header('content-length', '0').send(),
    )

    app.get('/version', async () => ({
      Platform: { Name: `portlayer ${serviceVersion}` },
      Components: [
        {
          Name: 'Engine',
          Version: engineVersion,
          Details: { ApiVersion: apiVersion, MinAPIVersion: minApiVersion, Os: 'linux', Arch: 'amd64', Portlayer: serviceVersion },
        },
      ],
      Version: engineVersion,
      ApiVersion: apiVersion,
      MinAPIVersion: minApiVersion,
      GitCommit: '',
      GoVersion: '',
      Os: 'linux',
      Arch: 'amd64',
      KernelVersion: 'vSphere',
      BuildTime: '',
    }))

    app.get('/info', async (request) => {
      const op = { opId: request.id }
      const containers = await service.list(true, op)
      const images = await service.images(op)
      const count = (s: string) => containers.filter((c) => dockerState(c) === s).length
      return {
        ID: 'portlayer',
        Containers: containers.length,
        ContainersRunning: count('running'),
        ContainersPaused: 0,
        ContainersStopped: count('exited'),
        Images: images.length,
        Driver: 'vsphere',
        DriverStatus: [],
        Plugins: { Volume: [], Network: ['bridge'], Authorization: null, Log: ['json-file'] },
        MemoryLimit: true,
        SwapLimit: false,
        CpuCfsPeriod: false,
        CpuCfsQuota: false,
        CPUShares: false,
        CPUSet: false,
        PidsLimit: false,
        IPv4Forwarding: true,
        Debug: false,
        NFd: 0,
        NGoroutines: 0,
        SystemTime: new Date().toISOString(),
        LoggingDriver: 'json-file',
        CgroupDriver: 'none',
        CgroupVersion: '',
        NEventsListener: 0,
        KernelVersion: 'vSphere',
        OperatingSystem: 'VMware vSphere (portlayer)',
        OSVersion: '',
        OSType: 'linux',
        Architecture: 'x86_64',
        IndexServerAddress: 'https://index.docker.io/v1/',
        RegistryConfig: { AllowNondistributableArtifactsCIDRs: [], AllowNondistributableArtifactsHostnames: [], InsecureRegistryCIDRs: [], IndexConfigs: {}, Mirrors: [] },
        NCPU: os.cpus().length,
        MemTotal: os.totalmem(),
        GenericResources: null,
        DockerRootDir: '',
        HttpProxy: '',
        HttpsProxy: '',
        NoProxy: '',
        Name: os.hostname(),
        Labels: [],
        ExperimentalBuild: false,
        ServerVersion: engineVersion,
        Runtimes: {},
        DefaultRuntime: 'vsphere',
        Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
        LiveRestoreEnabled: true,
        Isolation: '',
        InitBinary: '',
        ContainerdCommit: { ID: '', Expected: '' },
        RuncCommit: { ID: '', Expected: '' },
        InitCommit: { ID: '', Expected: '' },
        SecurityOptions: [],
        Warnings: null,
      }
    })
  }
}
