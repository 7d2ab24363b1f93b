/**
 * The golden ExtraConfig vectors made with VIC's own encoder, grouped the way the migration tests use them.
 */
import { vicFixtures } from '../../helpers/vic-fixtures.js'

export { vicFixtures, type VicFixture } from '../../helpers/vic-fixtures.js'

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
