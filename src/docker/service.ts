/**
 * The service the Docker API front talks to: the container operations of the face-facing container service (which
 * forwards writes to the namespace's writer when this process is a standby, DESIGN "One writer per namespace"),
 * and the Docker backend's own operations (networks, connect, images) of this process's service.
 */
import type { ContainerService, DockerBackend, DockerService } from '../container/types.js'

const containerOperations = [
  'create', 'list', 'inspect', 'start', 'stop', 'remove', 'rename', 'network', 'logs', 'attach', 'detach', 'onEvent', 'ready',
] as const satisfies ReadonlyArray<keyof ContainerService>

const backendOperations = [
  'connect', 'disconnect', 'networks', 'createNetwork', 'removeNetwork', 'images', 'image', 'loadImages', 'tagImage', 'removeImage',
] as const satisfies ReadonlyArray<keyof DockerBackend>

export function dockerService(containers: ContainerService, backend: DockerBackend): DockerService {
  const out: Record<string, unknown> = {}
  for (const name of containerOperations) out[name] = (containers[name] as (...args: unknown[]) => unknown).bind(containers)
  for (const name of backendOperations) out[name] = (backend[name] as (...args: unknown[]) => unknown).bind(backend)
  return out as unknown as DockerService
}
