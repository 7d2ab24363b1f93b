// The container routes of the REST API as plain calls over `inject`, for tests that drive a portlayer fixture:
// each returns the status, the parsed JSON body (undefined when empty) and the headers.
import type { ContainerView, CreateRequest } from '../../src/container/types.js'
import type { Portlayer } from './portlayer.js'

export interface ApiReply<T = unknown> {
  status: number
  body: T
  headers: Record<string, string | string[] | number | undefined>
}

export interface ApiError {
  code: string
  message: string
}

export interface ContainersApi {
  create(body: CreateRequest | Record<string, unknown>): Promise<ApiReply<ContainerView & ApiError>>
  /** create that must succeed: the new container */
  created(body?: CreateRequest): Promise<ContainerView>
  inspect(ref: string): Promise<ApiReply<ContainerView & ApiError>>
  list(all?: boolean): Promise<ApiReply<ContainerView[] & ApiError>>
  start(ref: string): Promise<ApiReply<ApiError | undefined>>
  stop(ref: string): Promise<ApiReply<ApiError | undefined>>
  remove(ref: string, force?: boolean): Promise<ApiReply<ApiError | undefined>>
}

export function containersApi(pl: () => Portlayer): ContainersApi {
  const call = async <T>(method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown): Promise<ApiReply<T>> => {
    const res = await pl().inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) })
    return { status: res.statusCode, body: (res.body === '' ? undefined : res.json()) as T, headers: res.headers }
  }
  const ref = (r: string): string => encodeURIComponent(r)
  const api: ContainersApi = {
    create: (body) => call('POST', '/v1/containers', body),
    async created(body = {}) {
      const res = await api.create(body)
      if (res.status !== 201) throw new Error(`create ${JSON.stringify(body)}: HTTP ${res.status} ${JSON.stringify(res.body)}`)
      return res.body
    },
    inspect: (r) => call('GET', `/v1/containers/${ref(r)}`),
    list: (all) => call('GET', `/v1/containers${all === undefined ? '' : `?all=${all}`}`),
    start: (r) => call('POST', `/v1/containers/${ref(r)}/start`),
    stop: (r) => call('POST', `/v1/containers/${ref(r)}/stop`),
    remove: (r, force) => call('DELETE', `/v1/containers/${ref(r)}${force === undefined ? '' : `?force=${force}`}`),
  }
  return api
}
