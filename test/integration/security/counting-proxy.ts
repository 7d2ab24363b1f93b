// An HTTP proxy between the service and govcsim that watches the wire without changing it: how many requests are
// in flight at once (the highest count seen) and every `vmware_soap_session` cookie value the simulator handed
// out, so tests can bound concurrency and look for the session key where it must never appear.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface CountingProxy {
  /** the simulator's URL with the proxy's host and port */
  url: string
  readonly inFlight: number
  readonly maxInFlight: number
  readonly sessionKeys: ReadonlySet<string>
  resetMax(): void
  close(): Promise<void>
}

export async function startCountingProxy(targetUrl: string): Promise<CountingProxy> {
  const target = new URL(targetUrl)
  const agent = new http.Agent({ keepAlive: true })
  const sessionKeys = new Set<string>()
  let inFlight = 0
  let maxInFlight = 0
  const server = http.createServer((req, res) => {
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    let done = false
    const finish = () => {
      if (!done) inFlight--
      done = true
    }
    res.on('close', finish)
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        for (const cookie of answer.headers['set-cookie'] ?? []) {
          const m = /^vmware_soap_session=([^;]*)/.exec(cookie)
          if (m?.[1]) sessionKeys.add(m[1].replace(/^"|"$/g, ''))
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const url = new URL(targetUrl)
  url.host = `127.0.0.1:${port}`
  return {
    url: url.toString(),
    get inFlight() {
      return inFlight
    },
    get maxInFlight() {
      return maxInFlight
    },
    sessionKeys,
    resetMax() {
      maxInFlight = inFlight
    },
    async close() {
      agent.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
