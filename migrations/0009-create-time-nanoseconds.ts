/**
 * Plugin 9 (container), VIC's ContainerCreateTimestampVersion: `guestinfo.vice..createtime` changes from seconds
 * to nanoseconds since the epoch (Go's int64 `UnixNano`).
 *
 * VIC multiplied by 10^9 and relied on running once; this plugin runs on every read of every container, whatever
 * its version stamp (which never moves), so it converts only a value that can be seconds and whose product
 * cannot. Seconds are the values from 10 to 9223372036: above that, ×10^9 overflows the int64 the value is stored as (the year 2262),
 * so such a value is nanoseconds already; below 10, ×10^9 would land inside the range again and be converted twice.
 * Every product is at least 10^10, outside the range, so a second run changes nothing. The only values read the
 * wrong way are instants within ten seconds of 1970-01-01 00:00:00 UTC, which no container was created at. Zero,
 * negative and unreadable values are left as they are. The arithmetic is exact (BigInt): nanosecond values do not
 * fit a double.
 */
import type { MigrationPlugin } from '../src/migration/plugin.js'

const createTimeKey = 'guestinfo.vice..createtime'
const minSeconds = 10n
/** floor((2^63 − 1) / 10^9): the last second whose nanosecond count fits an int64 */
const maxSeconds = 9_223_372_036n
const nanosPerSecond = 1_000_000_000n

export default {
  version: 9,
  target: 'container',
  name: 'create-time-nanoseconds',
  description: 'Converts the container creation time from seconds to nanoseconds since the epoch.',
  reads: [createTimeKey],
  migrate(config) {
    const migrated = new Map(config)
    const raw = config.get(createTimeKey)
    if (raw === undefined || !/^[0-9]+$/.test(raw)) return migrated
    const value = BigInt(raw)
    if (value >= minSeconds && value <= maxSeconds) migrated.set(createTimeKey, String(value * nanosPerSecond))
    return migrated
  },
} satisfies MigrationPlugin
