/**
 * Docker Engine API versions, pure: portlayer answers API 1.41 (docker 20.10) and clients down to 1.24. A request
 * path may start with `/v1.NN`, which is split off before routing; a version outside the range is refused with
 * docker's own words, which clients show as they are.
 */
export const apiVersion = '1.41'
export const minApiVersion = '1.24'

/** `/v1.41/containers/json?all=1` → `{ version: '1.41', url: '/containers/json?all=1' }`. */
export function splitVersion(url: string): { version?: string; url: string } {
  const match = /^\/v(\d+\.\d+)(\/[^?]*)?(\?.*)?$/.exec(url)
  if (!match) return { url }
  return { version: match[1], url: `${match[2] ?? '/'}${match[3] ?? ''}` }
}

function compare(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number)
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number)
  return aMajor - bMajor || aMinor - bMinor
}

/** Why a version is refused, in docker's words; undefined when it is served. */
export function versionProblem(version: string): string | undefined {
  if (compare(version, apiVersion) > 0)
    return `client version ${version} is too new. Maximum supported API version is ${apiVersion}`
  if (compare(version, minApiVersion) < 0)
    return `client version ${version} is too old. Minimum supported API version is ${minApiVersion}, please upgrade your client to a newer version`
  return undefined
}

/** Whether the request's version is at least `version` (an unversioned request speaks the latest). */
export function atLeast(requested: string | undefined, version: string): boolean {
  return compare(requested ?? apiVersion, version) >= 0
}
