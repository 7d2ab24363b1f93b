import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeHeader, MAX_MESSAGE_LENGTH } from '../../../../src/logs/iolog/header.js'
import { decodeLog } from '../../../../src/logs/iolog/reader.js'
import { findTailOffset, searchTail, type TailQuery } from '../../../../src/logs/iolog/tail.js'
import { assembleLog, type PlainEntry } from './fixtures.js'

/** Runs the search over an in-memory file; reports the offset, the bytes read and the number of reads. */
function tailOf(file: Buffer, query: TailQuery): { offset: number; bytesRead: number; reads: number } {
  const search = searchTail(file.length, query)
  let bytesRead = 0
  let reads = 0
  let step = search.next()
  while (!step.done) {
    const { start, end } = step.value
    expect(start).toBeGreaterThanOrEqual(0)
    expect(end).toBeLessThanOrEqual(file.length)
    bytesRead += end - start
    reads++
    step = search.next(file.subarray(start, end))
  }
  return { offset: step.value, bytesRead, reads }
}

/** A deterministic pseudo-random source, so the large fixtures are the same on every run. */
function seeded(seed: number): () => number {
  return () => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff
    return seed / 0x80000000
  }
}

const START = 1_700_000_000_000_000_000n

/**
 * A large log shaped like real output: mostly ~100-byte lines, some empty, some 4095-byte pieces of long lines,
 * some without a newline, both streams; times rise 1 ms per entry.
 */
function syntheticEntries(count: number, seed = 1): PlainEntry[] {
  const random = seeded(seed)
  const entries: PlainEntry[] = []
  for (let i = 0; i < count; i++) {
    const r = random()
    const size = r < 0.02 ? 0 : r < 0.05 ? MAX_MESSAGE_LENGTH : 40 + Math.floor(random() * 120)
    const message = Buffer.alloc(size, 0x61 + (i % 26))
    if (size > 0 && random() < 0.9) message[size - 1] = 0x0a
    entries.push({ time: START + BigInt(i) * 1_000_000n, stream: random() < 0.2 ? 'stderr' : 'stdout', message })
  }
  return entries
}

describe('iolog tail search', () => {
  const entries = syntheticEntries(20_000)
  const { bytes, offsets } = assembleLog(entries)

  it('finds the start of the last N entries of a large log', () => {
    for (const n of [1, 2, 3, 10, 100, 1234, 19_999]) {
      expect(tailOf(bytes, { tail: n }).offset).toBe(offsets[entries.length - n])
    }
    expect(tailOf(bytes, { tail: 20_000 }).offset).toBe(0)
    expect(tailOf(bytes, { tail: 50_000 }).offset).toBe(0)
    expect(tailOf(bytes, {}).offset).toBe(0)
  })

  it('reads one small range from the end for tail=10', () => {
    const { offset, bytesRead, reads } = tailOf(bytes, { tail: 10 })
    expect(decodeLog(bytes.subarray(offset)).length).toBe(10)
    expect(reads).toBe(1)
    expect(bytesRead).toBeLessThanOrEqual(16 * 1024)
  })

  it('ends where the next entry will start for tail=0', () => {
    expect(tailOf(bytes, { tail: 0 }).offset).toBe(bytes.length)
  })

  it('finds the first entry after a time', () => {
    for (const k of [0, 1, 500, 19_998]) {
      expect(tailOf(bytes, { since: entries[k]!.time }).offset).toBe(offsets[k + 1])
    }
    expect(tailOf(bytes, { since: entries[19_999]!.time }).offset).toBe(bytes.length)
    expect(tailOf(bytes, { since: START - 1n }).offset).toBe(0)
  })

  it('stops at whichever of tail and since comes first', () => {
    expect(tailOf(bytes, { tail: 5, since: entries[100]!.time }).offset).toBe(offsets[19_995])
    expect(tailOf(bytes, { tail: 5000, since: entries[19_990]!.time }).offset).toBe(offsets[19_991])
  })

  it('counts a cut last entry, and starts a follower before it', () => {
    const cut = bytes.subarray(0, bytes.length - 3)
    const last = offsets[entries.length - 1]!
    expect(entries[entries.length - 1]!.message.length).toBeGreaterThan(3)
    expect(tailOf(cut, { tail: 1 }).offset).toBe(last)
    expect(tailOf(cut, { tail: 2 }).offset).toBe(offsets[entries.length - 2])
    expect(tailOf(cut, { tail: 0 }).offset).toBe(last)
  })

  it('ignores the start of a header cut by the end of the file', () => {
    const next = encodeHeader({ time: START + 10n ** 15n, stream: 'stdout', size: 20 })
    for (let kept = 1; kept < 16; kept++) {
      const file = Buffer.concat([bytes, next.subarray(0, kept)])
      expect(tailOf(file, { tail: 1 }).offset).toBe(offsets[entries.length - 1])
      expect(tailOf(file, { tail: 0 }).offset).toBe(bytes.length)
    }
  })

  it('steps over garbage in the middle of the log', () => {
    const before = assembleLog(entries.slice(0, 50)).bytes
    const after = assembleLog(entries.slice(50, 80)).bytes
    const garbage = Buffer.from('\r\n\xff garbage AAAA AOTbst== \x00\x01'.repeat(20), 'latin1')
    const file = Buffer.concat([before, garbage, after])
    for (const n of [1, 30, 31, 32, 80]) {
      const { offset } = tailOf(file, { tail: n })
      const read = decodeLog(file.subarray(offset))
      expect(read.map((e) => e.time)).toEqual(entries.slice(Math.max(0, 80 - n), 80).map((e) => e.time))
    }
  })

  it('is not fooled by messages that quote iolog entries', () => {
    // a container that prints an iolog file: every message is an entry of its own
    // (every third one whole, the others cut short so their size field points past the outer message)
    const nested = syntheticEntries(300, 7)
      .map((e, i) => {
        const inner = assembleLog([{ ...e, time: e.time - 5n }]).bytes
        return { ...e, message: i % 3 === 0 ? inner : inner.subarray(0, 16 + (e.message.length >> 1)) }
      })
      .filter((e) => e.message.length <= MAX_MESSAGE_LENGTH)
    const log = assembleLog(nested)
    expect(nested.length).toBeGreaterThan(200)
    for (const n of [1, 2, 10, nested.length - 1]) {
      expect(tailOf(log.bytes, { tail: n }).offset).toBe(log.offsets[nested.length - n])
    }
  })

  it('does not believe headers with implausible times', () => {
    const plausibleTime = { min: START, max: START + 10n ** 18n }
    const early = { time: 5n, stream: 'stdout' as const, message: Buffer.from('from 1970\n') }
    const log = assembleLog([...entries.slice(0, 3), early, ...entries.slice(3, 6)])
    // the 1970 entry is taken for garbage: the search goes on to the entry before it
    expect(tailOf(log.bytes, { tail: 4, plausibleTime }).offset).toBe(log.offsets[2])
    expect(tailOf(log.bytes, { tail: 4 }).offset).toBe(log.offsets[3])
  })

  it('finds the same offset whatever the read size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40_000 }), fc.integer({ min: 0, max: 300 }), (readSize, n) => {
        expect(tailOf(bytes, { tail: n, readSize }).offset).toBe(offsets[entries.length - n] ?? bytes.length)
      }),
      { numRuns: 60 },
    )
  })

  it('agrees with a forward read on random logs, whatever their messages', () => {
    const tricky = fc.constantFrom(...'AQgw=+/\n xyz'.split('').map((c) => c.charCodeAt(0)))
    const entry = fc.record({
      time: fc.bigInt({ min: 1n, max: (1n << 62n) }),
      stream: fc.constantFrom('stdout' as const, 'stderr' as const),
      message: fc.array(tricky, { maxLength: 200 }).map((m) => Buffer.from(m)),
    })
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 60 }), fc.nat({ max: 70 }), (list, n) => {
        const log = assembleLog(list)
        const { offset } = tailOf(log.bytes, { tail: n, readSize: 512 })
        expect(offset).toBe(n === 0 ? log.bytes.length : log.offsets[Math.max(0, list.length - n)])
      }),
      { numRuns: 300 },
    )
  })

  it('agrees with a forward read on logs of base64 text, cut anywhere at the end', () => {
    // base64 lines end in `==` often and look like headers: the worst ordinary content for the search
    const line = fc.uint8Array({ maxLength: 150 }).map((b) => Buffer.from(Buffer.from(b).toString('base64') + '\n'))
    const ending = fc.oneof(
      fc.constant({ kind: 'clean' as const, cut: 0 }),
      fc.record({ kind: fc.constant('cut message' as const), cut: fc.integer({ min: 1, max: 100 }) }),
      fc.record({ kind: fc.constant('cut header' as const), cut: fc.integer({ min: 1, max: 15 }) }),
    )
    fc.assert(
      fc.property(fc.array(line, { minLength: 2, maxLength: 80 }), ending, fc.nat({ max: 90 }), (lines, end, n) => {
        const list = lines.map((message, i) => ({ time: START + BigInt(i), stream: 'stdout' as const, message }))
        const log = assembleLog(list)
        const last = list.length - 1
        let file = log.bytes
        let complete = list.length // entries that end inside the file
        if (end.kind === 'cut message') {
          const cut = Math.min(end.cut, list[last]!.message.length)
          file = file.subarray(0, file.length - cut)
          complete = list.length - 1
        } else if (end.kind === 'cut header') {
          const next = encodeHeader({ time: START + 999n, stream: 'stdout', size: 9 })
          file = Buffer.concat([file, next.subarray(0, end.cut)])
        }
        const { offset } = tailOf(file, { tail: n })
        if (n === 0) expect(offset).toBe(complete === list.length ? log.bytes.length : log.offsets[last])
        else expect(offset).toBe(log.offsets[Math.max(0, list.length - n)])
      }),
      { numRuns: 400 },
    )
  })

  it('reads through an async range reader and checks what it gets', async () => {
    const read = async (start: number, end: number): Promise<Uint8Array> => new Uint8Array(bytes.subarray(start, end))
    expect(await findTailOffset(bytes.length, read, { tail: 3 })).toBe(offsets[entries.length - 3])
    await expect(findTailOffset(bytes.length, async () => new Uint8Array(10), { tail: 3 })).rejects.toThrow(/asked for/)
    await expect(findTailOffset(0, read, { tail: 3 })).resolves.toBe(0)
  })
})
