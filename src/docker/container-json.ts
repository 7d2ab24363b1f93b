/**
 * A container in docker's shapes, pure: `GET /containers/{id}/json` (inspect) and one entry of `GET /containers/json`
 * (list), built from the service's view and what the Docker API front kept in its annotations (docker-config.ts).
 * Names carry docker's leading `/`; `HostConfig.Links` read `/target:/self/alias`; on a user-defined network a
 * container's aliases include its short ID, as docker's daemon adds it (compose looks for it).
 */
import { dockerConfigOf, type DockerConfig } from '../container/docker-config.js'
import type { ContainerView, NetworkDefinition } from '../container/types.js'

const zeroTime = '0001-01-01T00:00:00Z'

export type DockerState = 'created' | 'running' | 'exited'

export function dockerState(view: ContainerView): DockerState {
  return view.state === 'stopped' ? 'exited' : view.state
}

/** `name:alias` (or docker's `/name:/self/alias`) → its two names, without slashes. */
export function splitLink(link: string): { name: string; alias: string } {
  const at = link.indexOf(':')
  const name = (at < 0 ? link : link.slice(0, at)).replace(/^\//, '')
  const alias = at < 0 ? name : link.slice(at + 1).split('/').filter(Boolean).pop() ?? name
  return { name, alias }
}

function networkMode(view: ContainerView, config: DockerConfig): string {
  if (config.NetworkMode !== undefined && config.NetworkMode !== '') return config.NetworkMode
  const first = Object.keys(view.networks)[0]
  return first ?? 'none'
}

function endpoints(view: ContainerView, networks: readonly NetworkDefinition[]) {
  return Object.fromEntries(
    Object.entries(view.networks).map(([net, endpoint]) => {
      const userDefined = net !== 'bridge'
      const aliases = [...endpoint.aliases, ...(userDefined ? [view.shortId] : [])]
      const links = endpoint.links.map((l) => {
        const { name, alias } = splitLink(l)
        return `${name}:${alias}`
      })
      return [
        net,
        {
          IPAMConfig: null,
          Links: links.length > 0 ? links : null,
          Aliases: aliases.length > 0 ? [...new Set(aliases)] : null,
          NetworkID: networks.find((n) => n.name === net)?.id ?? '',
          EndpointID: '',
          Gateway: '',
          IPAddress: '',
          IPPrefixLen: 0,
          IPv6Gateway: '',
          GlobalIPv6Address: '',
          GlobalIPv6PrefixLen: 0,
          MacAddress: '',
          DriverOpts: null,
        },
      ]
    }),
  )
}

function command(config: DockerConfig): string[] {
  return [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])]
}

/** docker's inspect document for a container. */
export function inspectJson(view: ContainerView, networks: readonly NetworkDefinition[]) {
  const config = dockerConfigOf(view.annotations)
  const state = dockerState(view)
  const [path = '', ...args] = command(config)
  const hostLinks = view.links.map((l) => {
    const { name, alias } = splitLink(l)
    return `/${name}:/${view.name}/${alias}`
  })
  return {
    Id: view.id,
    Created: view.createdAt,
    Path: path,
    Args: args,
    State: {
      Status: state,
      Running: state === 'running',
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: 0,
      ExitCode: 0,
      Error: '',
      StartedAt: zeroTime,
      FinishedAt: zeroTime,
    },
    Image: config.ImageID ?? view.image,
    ResolvConfPath: '',
    HostnamePath: '',
    HostsPath: '',
    LogPath: '',
    Name: `/${view.name}`,
    RestartCount: 0,
    Driver: 'vsphere',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: {
      Binds: null,
      ContainerIDFile: '',
      LogConfig: { Type: 'json-file', Config: {} },
      NetworkMode: networkMode(view, config),
      PortBindings: {},
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
      AutoRemove: false,
      VolumeDriver: '',
      VolumesFrom: null,
      Links: hostLinks.length > 0 ? hostLinks : null,
      Memory: config.Memory ?? 0,
      NanoCpus: config.NanoCpus ?? 0,
      Privileged: false,
      PublishAllPorts: false,
      ReadonlyRootfs: false,
    },
    GraphDriver: { Data: null, Name: 'vsphere' },
    Mounts: [],
    Config: {
      Hostname: config.Hostname ?? view.shortId,
      Domainname: config.Domainname ?? '',
      User: config.User ?? '',
      AttachStdin: config.AttachStdin ?? false,
      AttachStdout: config.AttachStdout ?? false,
      AttachStderr: config.AttachStderr ?? false,
      Tty: config.Tty ?? false,
      OpenStdin: config.OpenStdin ?? false,
      StdinOnce: config.StdinOnce ?? false,
      Env: config.Env ?? null,
      Cmd: config.Cmd ?? null,
      Image: view.image,
      Volumes: null,
      WorkingDir: config.WorkingDir ?? '',
      Entrypoint: config.Entrypoint ?? null,
      OnBuild: null,
      Labels: config.Labels ?? {},
      ...(config.StopSignal !== undefined ? { StopSignal: config.StopSignal } : {}),
      ...(config.StopTimeout !== undefined ? { StopTimeout: config.StopTimeout } : {}),
    },
    NetworkSettings: {
      Bridge: '',
      SandboxID: '',
      HairpinMode: false,
      LinkLocalIPv6Address: '',
      LinkLocalIPv6PrefixLen: 0,
      Ports: {},
      SandboxKey: '',
      SecondaryIPAddresses: null,
      SecondaryIPv6Addresses: null,
      EndpointID: '',
      Gateway: '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      IPAddress: '',
      IPPrefixLen: 0,
      IPv6Gateway: '',
      MacAddress: '',
      Networks: endpoints(view, networks),
    },
  }
}

/** One entry of docker's container list. */
export function listJson(view: ContainerView, networks: readonly NetworkDefinition[]) {
  const config = dockerConfigOf(view.annotations)
  const state = dockerState(view)
  return {
    Id: view.id,
    Names: [`/${view.name}`],
    Image: view.image,
    ImageID: config.ImageID ?? '',
    Command: command(config).join(' '),
    Created: Math.floor(Date.parse(view.createdAt) / 1000),
    Ports: [],
    Labels: config.Labels ?? {},
    State: state,
    Status: state === 'running' ? 'Up' : state === 'exited' ? 'Exited (0)' : 'Created',
    HostConfig: { NetworkMode: networkMode(view, config) },
    NetworkSettings: { Networks: endpoints(view, networks) },
    Mounts: [],
  }
}
