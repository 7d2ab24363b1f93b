// Fuzzing the vim25 XML codec with text a user can put into a request (names, annotations, ExtraConfig values):
// XML specials, entity look-alikes, control characters, lone surrogates, CDATA ends. Writing either refuses the
// text with a VimEncodeError or produces well-formed XML that reads back to the exact string; reading arbitrary
// answers either decodes or fails with a typed error (VimProtocolError, VimFault), never anything else.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeResponse } from '../../../src/vim/codec/decode.js'
import { encodeRequest, type RequestShape } from '../../../src/vim/codec/encode.js'
import { firstChild, parseXml, text } from '../../../src/vim/codec/parse.js'
import { VimEncodeError, VimProtocolError } from '../../../src/vim/errors.js'
import { VimFault } from '../../../src/vim/fault.js'
import { moref } from '../../../src/vim/moref.js'

const specials = ['&', '<', '>', '"', "'", ']]>', '<!--', '&amp;', '&lt;', '&#38;', '&#x0;', '&bogus;', '\r', '\r\n', '\n', '\t']
const hostile = ['\u0000', '\u0001', '\u001b', '\u007f', '\u0085', '\ud800', '\udfff', '\ufffe', '\uffff', '\u2028', '😀', '\ud83d']
const fuzzText = fc
  .array(
    fc.oneof(
      fc.constantFrom(...specials, ...hostile),
      fc.string({ unit: 'binary', maxLength: 8 }),
      fc.string({ unit: 'grapheme', maxLength: 8 }),
      fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 4 }),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''))

// A method shaped like Rename_Task: one moref and one string parameter.
const shape: RequestShape = {
  name: 'Rename_Task',
  params: [
    { name: '_this', type: 'ManagedObjectReference', array: false },
    { name: 'newName', type: 'string', array: false },
  ],
}

const xmlChar = /^[\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u

/** Markup outside tags: `<` only opens a tag, `&` only starts one of XML's entities or a character reference. */
function assertNoStrayMarkup(xml: string): void {
  for (const m of xml.matchAll(/>([^<]*)</g)) {
    const between = m[1] ?? ''
    expect(between).not.toContain('>')
    expect(between.replace(/&(?:amp|lt|gt|quot|apos|#x[0-9a-fA-F]+|#[0-9]+);/g, '')).not.toContain('&')
  }
}

describe('writing text into a request', () => {
  it('refuses it with a VimEncodeError or writes XML that reads back byte for byte', () => {
    fc.assert(
      fc.property(fuzzText, fuzzText, fuzzText, (name, refType, refValue) => {
        let xml: string
        try {
          xml = encodeRequest(shape, { _this: moref(refType, refValue), newName: name }, name)
        } catch (err) {
          expect(err).toBeInstanceOf(VimEncodeError)
          // only text XML cannot carry is refused
          expect([name, refType, refValue].every((s) => xmlChar.test(s))).toBe(false)
          return
        }
        expect([name, refType, refValue].every((s) => xmlChar.test(s))).toBe(true)
        assertNoStrayMarkup(xml)
        const body = firstChild(firstChild(parseXml(xml), 'Envelope'), 'Body')
        const call = firstChild(body, 'Rename_Task')
        expect(text(firstChild(call, 'newName'))).toBe(name)
        const ref = firstChild(call, '_this')
        expect(typeof ref === 'object' ? ref['@type'] : undefined).toBe(refType)
        expect(text(ref)).toBe(refValue)
      }),
      { numRuns: 500 },
    )
  })
})

describe('reading an answer', () => {
  const answer = (inner: string) =>
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">' +
    `<soapenv:Body><Rename_TaskResponse xmlns="urn:vim25">${inner}</Rename_TaskResponse></soapenv:Body></soapenv:Envelope>`
  const fragment = fc
    .array(
      fc.oneof(
        fuzzText,
        fc.constantFrom('<returnval type="Task">', '</returnval>', '<returnval>', '<soapenv:Fault>', '</soapenv:Fault>'),
        fc.constantFrom('<faultstring>x</faultstring>', '<detail><InvalidStateFault/></detail>', '<![CDATA[', '<!DOCTYPE x [<!ENTITY a "b">]>'),
      ),
      { maxLength: 6 },
    )
    .map((parts) => parts.join(''))

  it('decodes it or fails with VimProtocolError or VimFault, whatever the bytes', () => {
    fc.assert(
      fc.property(fragment, fc.boolean(), (inner, wrapped) => {
        try {
          decodeResponse(wrapped ? answer(inner) : inner, 'Rename_Task', { name: 'returnval', type: 'ManagedObjectReference', array: false })
        } catch (err) {
          expect(err instanceof VimProtocolError || err instanceof VimFault).toBe(true)
        }
      }),
      { numRuns: 500 },
    )
  })

  it('reads a character reference to a lone surrogate as a protocol error, not as broken text', () => {
    expect(() => decodeResponse(answer('<returnval type="Task">&#xD800;</returnval>'), 'Rename_Task', undefined)).toThrow(
      VimProtocolError,
    )
  })
})
