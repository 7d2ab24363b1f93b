/**
 * The OpenAPI document, generated from the routes and their schemas (the app serves the same at `/openapi.json`).
 * The committed `openapi.json` is this text; `portlayer openapi --out openapi.json` rewrites it, and a unit test
 * fails when the two differ.
 */
import pino from 'pino'
import { ContainerError } from '../container/errors.js'
import type { ContainerService } from '../container/types.js'
import { buildApp } from './app.js'

// Generating the document runs no request, so the service only has to exist.
const absent = (): never => {
  throw new ContainerError('vsphere_unavailable', 'no container service: this app only renders its OpenAPI document')
}
const noService: ContainerService = {
  create: absent,
  list: absent,
  inspect: absent,
  start: absent,
  stop: absent,
  remove: absent,
  rename: absent,
  network: absent,
  logs: absent,
  attach: absent,
  detach: absent,
  onEvent: absent,
  ready: async () => false,
}

export async function openapiDocument(): Promise<Record<string, unknown>> {
  const app = buildApp({ service: noService, logger: pino({ level: 'silent' }) })
  try {
    await app.ready()
    return app.swagger() as unknown as Record<string, unknown>
  } finally {
    await app.close()
  }
}

/** The document as committed: two-space JSON with a final newline. */
export function renderOpenapi(document: Record<string, unknown>): string {
  return `${JSON.stringify(document, null, 2)}\n`
}
