/**
 * Which vim25 API version to put in SOAPAction. vSphere publishes it at `/sdk/vimServiceVersions.xml`; a server
 * that does not (or answers something unreadable) is asked through RetrieveServiceContent's `about.apiVersion`
 * instead, by the caller. The answer is the server's own version: this client writes only fields every version
 * since 6.5 knows and reads newer fields generically.
 */

import { children, firstChild, parseXml, text } from '../codec/parse.js'
import { VimUnreachable } from '../errors.js'
import type { HttpTransport } from './http.js'

/** The version to start with before the server has told its own. */
export const bootstrapVersion = '6.5'

/** Reads the `urn:vim25` version from vimServiceVersions.xml; undefined when the server does not say. */
export async function fetchServiceVersion(http: HttpTransport, signal?: AbortSignal): Promise<string | undefined> {
  const url = new URL('vimServiceVersions.xml', http.url.href.endsWith('/') ? http.url : `${http.url.href}/`)
  let body: string
  try {
    const res = await http.request<string>({ method: 'GET', url: url.href, ...(signal ? { signal } : {}) })
    if (res.status !== 200) return undefined
    body = res.body
  } catch (err) {
    if (err instanceof VimUnreachable || signal?.aborted) throw err
    return undefined
  }
  return parseServiceVersions(body)
}

export function parseServiceVersions(xml: string): string | undefined {
  try {
    const namespaces = firstChild(parseXml(xml), 'namespaces')
    for (const ns of children(namespaces, 'namespace')) {
      if (text(firstChild(ns, 'name')).trim() === 'urn:vim25') {
        const version = text(firstChild(ns, 'version')).trim()
        return /^\d+(\.\d+)*$/.test(version) ? version : undefined
      }
    }
  } catch {
    // an unreadable document is the same as none: fall back to about.apiVersion
  }
  return undefined
}
