// docker's `filters` parameter in both encodings, and the container list's filters.
import { describe, expect, it } from 'vitest'
import { dockerAnnotations } from '../../../src/container/docker-config.js'
import type { ContainerView } from '../../../src/container/types.js'
import { containerFilterNames, containerMatcher, parseFilters } from '../../../src/docker/filters.js'
import { sampleView } from '../api/helpers/recording-service.js'

const view = (name: string, id: string, state: ContainerView['state'], labels: Record<string, string>, networks: string[]) =>
  sampleView({
    name,
    id: id.padEnd(64, '0'),
    state,
    annotations: dockerAnnotations({ Labels: labels }),
    networks: Object.fromEntries(networks.map((n) => [n, { aliases: [], links: [] }])),
  })

const all = [
  view('web', 'aa', 'running', { tier: 'front', env: 'prod' }, ['bridge']),
  view('db', 'ab', 'stopped', { tier: 'back' }, ['back']),
  view('job', 'bb', 'created', {}, []),
]

function names(filters: string): string[] {
  const match = containerMatcher(parseFilters(filters, containerFilterNames), [])
  return all.filter(match).map((v) => v.name)
}

describe('filters', () => {
  it('reads the map and the list encodings alike', () => {
    expect(parseFilters('{"label":{"a=b":true,"c":false}}', ['label'])).toEqual(new Map([['label', ['a=b']]]))
    expect(parseFilters('{"label":["a=b"]}', ['label'])).toEqual(new Map([['label', ['a=b']]]))
  })

  it('matches label (key or key=value, all must hold), name (regular expression), id prefix, status and network', () => {
    expect(names('{"label":["tier"]}')).toEqual(['web', 'db'])
    expect(names('{"label":["tier=front","env=prod"]}')).toEqual(['web'])
    expect(names('{"label":["tier=front","env=dev"]}')).toEqual([])
    expect(names('{"name":["^/w"]}')).toEqual(['web'])
    expect(names('{"id":["a"]}')).toEqual(['web', 'db'])
    expect(names('{"status":["exited","created"]}')).toEqual(['db', 'job'])
    expect(names('{"network":["back"]}')).toEqual(['db'])
    expect(names('{"status":["running"],"label":["tier"]}')).toEqual(['web'])
  })

  it("refuses what docker refuses, in docker's words", () => {
    expect(() => parseFilters('{"colour":["red"]}', containerFilterNames)).toThrow("Invalid filter 'colour'")
    expect(() => parseFilters('not json', containerFilterNames)).toThrow('is not JSON')
    expect(() => parseFilters('{"label":"x"}', containerFilterNames)).toThrow('must be a list or a map')
    expect(() => names('{"status":["sleeping"]}')).toThrow("Invalid filter 'status=sleeping'")
    expect(() => names('{"name":["("]}')).toThrow('not a regular expression')
  })
})
