import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { openapiDocument, renderOpenapi } from '../../../src/api/openapi.js'
import { testApp } from './helpers/app.js'

const committedPath = new URL('../../../openapi.json', import.meta.url)

interface Operation {
  operationId?: string
  tags?: string[]
  parameters?: Array<{ in: string; name: string }>
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>
}

async function document() {
  return (await openapiDocument()) as { paths: Record<string, Record<string, Operation>> }
}

describe('OpenAPI document', () => {
  // regenerate with: npx tsx src/cli/main.ts openapi --out openapi.json
  it('the committed openapi.json matches the routes', async () => {
    const committed = await readFile(committedPath, 'utf8')
    expect(committed).toBe(renderOpenapi(await openapiDocument()))
  })

  it('is served at /openapi.json', async () => {
    const { app } = testApp()
    const res = await app.inject({ method: 'GET', url: '/openapi.json' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual(await openapiDocument())
  })

  it('names and tags every operation, documents Op-ID on each, and shares one Error schema', async () => {
    const doc = await document()
    const operations = Object.values(doc.paths).flatMap((item) => Object.values(item))
    expect(operations.length).toBeGreaterThanOrEqual(12)
    const ids = operations.map((op) => op.operationId)
    expect(new Set(ids).size).toBe(ids.length)
    for (const op of operations) {
      expect(op.operationId).toMatch(/^[a-z][a-zA-Z]+$/)
      expect(op.tags?.length).toBeGreaterThan(0)
      expect(op.parameters?.some((p) => p.in === 'header' && p.name === 'op-id'), op.operationId).toBe(true)
      expect(op.responses['400']?.content?.['application/json']?.schema?.$ref).toBe('#/components/schemas/Error')
    }
  })

  it("covers every route of DESIGN's REST table", async () => {
    const doc = await document()
    const routes = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    )
    expect(routes.sort()).toEqual(
      [
        'POST /v1/containers',
        'GET /v1/containers',
        'GET /v1/containers/{ref}',
        'POST /v1/containers/{ref}/start',
        'POST /v1/containers/{ref}/stop',
        'DELETE /v1/containers/{ref}',
        'POST /v1/containers/{ref}/rename',
        'GET /v1/containers/{ref}/logs',
        'POST /v1/containers/{ref}/attach',
        'DELETE /v1/containers/{ref}/attach',
        'GET /v1/networks/{net}',
        'GET /v1/events',
        'GET /healthz',
        'GET /readyz',
        'GET /openapi.json',
      ].sort(),
    )
  })
})
