/**
 * The golden ExtraConfig vectors made with VIC's own encoder (copied from the project's shared fixtures), as maps
 * the way the service reads them from vSphere.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

export interface VicFixture {
  readonly file: string
  readonly description: string
  readonly expect: { readonly id: string; readonly name: string; readonly pluginVersion: number }
  readonly config: ReadonlyMap<string, string>
}

const dir = fileURLToPath(new URL('./fixtures/', import.meta.url))

export const vicFixtures: readonly VicFixture[] = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => {
    const raw = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
      description: string
      expect: VicFixture['expect']
      extraConfig: Record<string, string>
    }
    return { file, description: raw.description, expect: raw.expect, config: new Map(Object.entries(raw.extraConfig)) }
  })

export const legacyFixtures = vicFixtures.filter((f) => f.file.startsWith('legacy-'))
export const currentFixtures = vicFixtures.filter((f) => f.file.startsWith('current-'))
/** The oldest layout: no version stamp at all. */
export const unversionedFixture = legacyFixtures.find((f) => f.expect.pluginVersion === 0)!

/** The fixture as a VCH appliance would carry it: VIC nested the same `common` block under `init`. */
export function asAppliance(config: ReadonlyMap<string, string>): Map<string, string> {
  const moved = new Map<string, string>()
  for (const [key, value] of config) {
    if (key.startsWith('guestinfo.vice./')) moved.set(key.replace('guestinfo.vice./', 'guestinfo.vice./init/'), value)
    else if (key.startsWith('common/')) moved.set(`init/${key}`, value)
    else moved.set(key, value)
  }
  return moved
}
