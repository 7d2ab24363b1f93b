/**
 * What a container was created with through the Docker API front beyond the REST contract (labels, environment,
 * command, entrypoint, working directory, stop timeout, …), kept in the VM with its annotations, which are hidden
 * ExtraConfig keys: a restart or another portlayer process answers `docker inspect` the same. Labels sit where
 * VIC's persona kept them (`docker.labels`, base64 of their JSON); the rest beside them in `docker.config`, the same
 * way. Pure.
 */

/** docker's container `Config` fields portlayer keeps (names as docker spells them). */
export interface DockerConfig {
  Labels?: Record<string, string>
  Env?: string[]
  Cmd?: string[]
  Entrypoint?: string[]
  WorkingDir?: string
  Hostname?: string
  User?: string
  Domainname?: string
  StopSignal?: string
  StopTimeout?: number
  Tty?: boolean
  OpenStdin?: boolean
  StdinOnce?: boolean
  AttachStdin?: boolean
  AttachStdout?: boolean
  AttachStderr?: boolean
  /** the image's ID (`sha256:…`) when the container was created; `Config.Image` is the reference given */
  ImageID?: string
  /** docker's HostConfig.NetworkMode as given (`default`, `bridge`, `none`, a network name) */
  NetworkMode?: string
  /** HostConfig.Memory in bytes and HostConfig.NanoCpus, as given */
  Memory?: number
  NanoCpus?: number
  /** HostConfig.LogConfig.Type as given ('' or `json-file`) */
  LogType?: string
}

export const dockerAnnotationKeys = { labels: 'docker.labels', config: 'docker.config' } as const

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64')

function decode(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined
  try {
    return JSON.parse(Buffer.from(text, 'base64').toString('utf8'))
  } catch {
    return undefined
  }
}

/** The annotations that keep `config`. */
export function dockerAnnotations(config: DockerConfig): Record<string, string> {
  const { Labels, ...rest } = config
  return {
    ...(Labels && Object.keys(Labels).length > 0 ? { [dockerAnnotationKeys.labels]: encode(Labels) } : {}),
    [dockerAnnotationKeys.config]: encode(rest),
  }
}

/** What the annotations keep; empty for a container not created through the Docker API front. */
export function dockerConfigOf(annotations: Readonly<Record<string, string>>): DockerConfig {
  const rest = decode(annotations[dockerAnnotationKeys.config])
  const labels = decode(annotations[dockerAnnotationKeys.labels])
  const config: DockerConfig = typeof rest === 'object' && rest !== null && !Array.isArray(rest) ? (rest as DockerConfig) : {}
  if (typeof labels === 'object' && labels !== null && !Array.isArray(labels)) {
    config.Labels = Object.fromEntries(
      Object.entries(labels as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'),
    )
  }
  return config
}
