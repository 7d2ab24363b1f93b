// The arithmetic and text of bench/load.ts's report, kept apart from the driver so it can be read on its own:
// percentiles, a least-squares slope (to judge whether RSS is flat), a sparkline, a seeded random source (so two
// runs with the same --seed make the same choices in the same order), and aligned tables. No I/O.

/** Nearest-rank percentile of `values` (need not be sorted); NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!
}

/** Least-squares slope of y over x, in y units per x unit; 0 for fewer than two points. */
export function slope(points: ReadonlyArray<{ x: number; y: number }>): number {
  const n = points.length
  if (n < 2) return 0
  const mx = points.reduce((s, p) => s + p.x, 0) / n
  const my = points.reduce((s, p) => s + p.y, 0) / n
  let num = 0
  let den = 0
  for (const p of points) {
    num += (p.x - mx) * (p.y - my)
    den += (p.x - mx) ** 2
  }
  return den === 0 ? 0 : num / den
}

const bars = '▁▂▃▄▅▆▇█'

/**
 * One character per value (values averaged into at most `width` buckets), scaled from `low` to `high`. The scale is
 * given, not taken from the values, so a flat series prints flat instead of stretched into a saw.
 */
export function sparkline(values: readonly number[], low: number, high: number, width = 60): string {
  if (values.length === 0) return ''
  const buckets = Math.min(width, values.length)
  let out = ''
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * values.length) / buckets)
    const to = Math.max(from + 1, Math.floor(((b + 1) * values.length) / buckets))
    const slice = values.slice(from, to)
    const mean = slice.reduce((s, v) => s + v, 0) / slice.length
    const level = high > low ? (mean - low) / (high - low) : 0
    out += bars[Math.min(bars.length - 1, Math.max(0, Math.floor(level * bars.length)))]
  }
  return out
}


/** Rows of cells as text columns: the first column left-aligned, the others right-aligned. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>, indent = '  '): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    indent + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

/** Milliseconds as text: one decimal under 10 ms, whole milliseconds above; "-" for none. */
export function ms(value: number): string {
  if (Number.isNaN(value)) return '-'
  return value < 10 ? value.toFixed(1) : value.toFixed(0)
}

export function mb(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1)
}
