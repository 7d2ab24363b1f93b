import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeHeader, encodeHeader, headerBits, MAX_MESSAGE_LENGTH } from '../../../../src/logs/iolog/header.js'

/** The 10 header bytes built by hand, to check the codec against Node's own base64. */
function rawHeaderBytes(time: bigint, bits: number): Buffer {
  const raw = Buffer.alloc(10)
  raw.writeBigInt64LE(time, 0)
  raw.writeUInt16LE(bits, 8)
  return raw
}

const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n })
const size = fc.integer({ min: 0, max: MAX_MESSAGE_LENGTH })
const stream = fc.constantFrom('stdout' as const, 'stderr' as const)
const flags = fc.integer({ min: 0, max: 7 })

describe('iolog header', () => {
  it('encodes VIC\'s example: hello world at 1510950922 s', () => {
    const header = encodeHeader({ time: 1510950922n * 1_000_000_000n, stream: 'stdout', size: 12 })
    expect(header.toString('latin1')).toBe('AOTbstv59xTAAA==')
    expect(Buffer.from(header.toString(), 'base64').toString('hex')).toBe('00e4dbb2dbf9f714c000')
    expect(decodeHeader(Buffer.from('AOTbstv59xTAAA=='))).toEqual({
      time: 1510950922000000000n,
      stream: 'stdout',
      size: 12,
      flags: 0,
    })
  })

  it('is standard base64 of the little-endian time and size/stream/flags word', () => {
    fc.assert(
      fc.property(int64, size, stream, flags, (time, size, stream, flags) => {
        const encoded = encodeHeader({ time, stream, size, flags })
        const bits = (size << 4) | (stream === 'stderr' ? 8 : 0) | flags
        expect(encoded.toString('latin1')).toBe(rawHeaderBytes(time, bits).toString('base64'))
      }),
    )
  })

  it('decodes what it encodes, at any offset', () => {
    fc.assert(
      fc.property(int64, size, stream, flags, fc.uint8Array({ maxLength: 20 }), (time, size, stream, flags, before) => {
        const buf = Buffer.concat([before, encodeHeader({ time, stream, size, flags }), Buffer.from('tail')])
        expect(decodeHeader(buf, before.length)).toEqual({ time, stream, size, flags })
      }),
    )
  })

  it('reads the stream bit that VIC never set but reserved for stderr', () => {
    const stderr = Buffer.from(rawHeaderBytes(5n, (3 << 4) | 8).toString('base64'))
    expect(decodeHeader(stderr)).toMatchObject({ stream: 'stderr', size: 3 })
  })

  it('rejects text that is not a canonical header', () => {
    const good = 'AOTbstv59xTAAA=='
    expect(decodeHeader(Buffer.from(good.slice(0, 15)))).toBeUndefined() // too short
    expect(decodeHeader(Buffer.from('AOTbstv59xTAAAA='))).toBeUndefined() // no double padding
    expect(decodeHeader(Buffer.from('AOTbstv59xTAAB=='))).toBeUndefined() // stray bits in the last character
    expect(decodeHeader(Buffer.from('AOTbstv5.xTAAA=='))).toBeUndefined() // outside the alphabet
    expect(decodeHeader(Buffer.from('AOTbstv59xTAAA=-'))).toBeUndefined()
    expect(decodeHeader(Buffer.from(good), 1)).toBeUndefined()
    expect(decodeHeader(Buffer.from(good), -1)).toBeUndefined()
  })

  it('accepts exactly the 16-byte texts Node decodes back to the same text', () => {
    const base64Char = fc.constantFrom(
      ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=.-'.split(''),
    )
    const ending = fc.oneof(fc.constant(['=', '=']), fc.array(base64Char, { minLength: 2, maxLength: 2 }))
    fc.assert(
      fc.property(fc.array(base64Char, { minLength: 14, maxLength: 14 }), ending, (chars, end) => {
        const text = [...chars, ...end].join('')
        const canonical = /^[A-Za-z0-9+/]{14}==$/.test(text) && Buffer.from(text, 'base64').toString('base64') === text
        expect(decodeHeader(Buffer.from(text)) !== undefined).toBe(canonical)
      }),
      { numRuns: 2000 },
    )
  })

  it('refuses a size that does not fit in 12 bits', () => {
    expect(() => headerBits(4096, 'stdout')).toThrow(RangeError)
    expect(() => encodeHeader({ time: 0n, stream: 'stdout', size: -1 })).toThrow(RangeError)
  })
})
