// The migration job's listing reads its pages with the vim client's object-by-object reader
// (src/vim/retrieve-result-reader.ts), so a page of 500 VIC VMs is never decoded whole. What the job relies on:
// wherever the socket cuts the text, the reader hands out the same objects, in the same order, and the same
// token as decoding the whole answer would; it finds the objects by their place in the envelope; it throws a
// fault answer's fault and refuses an answer cut short. (Pure: answers are built here from the golden vectors.)
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeResponse } from '../../../src/vim/codec/decode.js'
import { escapeText } from '../../../src/vim/codec/xml-text.js'
import { VimProtocolError } from '../../../src/vim/errors.js'
import { isFault } from '../../../src/vim/fault.js'
import { ContinueRetrievePropertiesEx, RetrievePropertiesEx } from '../../../src/vim/methods.js'
import { RetrieveResultReader } from '../../../src/vim/retrieve-result-reader.js'
import type { ObjectContent, RetrieveResult } from '../../../src/vim/types.js'
import { vicFixtures } from './fixtures.js'

const xsi = 'xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance"'

/** One VM as vcsim writes it in a RetrievePropertiesEx answer (name, power state, every ExtraConfig key). */
function vmObject(i: number, config: ReadonlyMap<string, string>): string {
  const options = [...config]
    .map(
      ([key, value]) =>
        `<OptionValue XMLSchema-instance:type="OptionValue"><key>${escapeText(key)}</key>` +
        `<value XMLSchema-instance:type="xsd:string">${escapeText(value)}</value></OptionValue>`,
    )
    .join('')
  return (
    `<objects><obj type="VirtualMachine">vm-${i}</obj>` +
    `<propSet><name>name</name><val ${xsi} XMLSchema-instance:type="xsd:string">container-${i}</val></propSet>` +
    `<propSet><name>runtime.powerState</name><val ${xsi} XMLSchema-instance:type="VirtualMachinePowerState">poweredOff</val></propSet>` +
    `<propSet><name>config.extraConfig</name><val ${xsi} XMLSchema-instance:type="ArrayOfOptionValue">${options}</val></propSet>` +
    '</objects>'
  )
}

function answer(method: string, returnval: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>' +
    `<${method}Response xmlns="urn:vim25">${returnval}</${method}Response></soapenv:Body></soapenv:Envelope>\n`
  )
}

const page = (method: string, token?: string): string =>
  answer(
    method,
    `<returnval>${token !== undefined ? `<token>${token}</token>` : ''}` +
      `${vicFixtures.map((f, i) => vmObject(i, f.config)).join('')}</returnval>`,
  )

/** The answer fed in the pieces `cuts` make of it. */
function read(method: string, xml: string, cuts: readonly number[] = []): { objects: ObjectContent[]; token: string | undefined; count: number } {
  const objects: ObjectContent[] = []
  const reader = new RetrieveResultReader(method, (o) => objects.push(o))
  let from = 0
  for (const at of [...new Set(cuts)].sort((a, b) => a - b)) {
    reader.push(xml.slice(from, at))
    from = at
  }
  reader.push(xml.slice(from))
  const end = reader.end()
  return { objects, token: end.token, count: end.objects }
}

const decodeWhole = (method: typeof RetrievePropertiesEx | typeof ContinueRetrievePropertiesEx, xml: string) =>
  decodeResponse(xml, method.name, method.returns) as RetrieveResult | undefined

describe('reading a page of VMs object by object', () => {
  it.each([RetrievePropertiesEx, ContinueRetrievePropertiesEx])(
    '$name: the same objects and token as the whole answer, wherever the text is cut',
    (method) => {
      const xml = page(method.name, '42')
      const whole = decodeWhole(method, xml)!
      expect(whole.objects).toHaveLength(vicFixtures.length)
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: xml.length }), { maxLength: 40 }), (cuts) => {
          const got = read(method.name, xml, cuts)
          expect(got.objects).toEqual(whole.objects)
          expect(got.count).toBe(whole.objects.length)
          expect(got.token).toBe('42')
        }),
        { numRuns: 60 },
      )
    },
  )

  it('gives back every ExtraConfig value as VIC wrote it, escapes included', () => {
    const [first] = read(RetrievePropertiesEx.name, page(RetrievePropertiesEx.name), [1, 2, 3, 500]).objects
    const config = first!.propSet.find((p) => p.name === 'config.extraConfig')!.val as Array<{ key: string; value: string }>
    expect(new Map(config.map((o) => [o.key, o.value]))).toEqual(vicFixtures[0]!.config)
  })

  it('finds objects by their place in the envelope: markup inside one does not end it', () => {
    // a value with a field named `objects`, a `/>` in an attribute, a comment and CDATA holding an end tag
    const tricky =
      '<objects><obj type="VirtualMachine">vm-7</obj><propSet><name>x</name>' +
      `<val ${xsi} XMLSchema-instance:type="SomethingNew" note="a/> b"><objects>inner</objects>` +
      '<!-- </objects> --><text><![CDATA[</objects><objects>]]></text></val></propSet></objects>'
    const xml = answer(RetrievePropertiesEx.name, `<returnval>${tricky}${vmObject(8, vicFixtures[1]!.config)}</returnval>`)
    const whole = decodeWhole(RetrievePropertiesEx, xml)!
    for (const cuts of [[], [60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70], [...Array(xml.length).keys()]]) {
      const got = read(RetrievePropertiesEx.name, xml, cuts)
      expect(got.objects.map((o) => o.obj.value)).toEqual(['vm-7', 'vm-8'])
      expect(got.objects).toEqual(whole.objects)
    }
  })

  it('ends with no object and no token when nothing is left to read', () => {
    expect(read(RetrievePropertiesEx.name, answer(RetrievePropertiesEx.name, ''), [30])).toEqual({
      objects: [],
      token: undefined,
      count: 0,
    })
  })

  it("throws a fault answer's fault", () => {
    const fault =
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
      '<soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>token 3 is not valid</faultstring>' +
      '<detail><InvalidArgumentFault xmlns="urn:vim25" xsi:type="InvalidArgument"><invalidProperty>token</invalidProperty>' +
      '</InvalidArgumentFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>'
    for (const cuts of [[], [5, 90, 150, 151]]) {
      const reading = () => read(ContinueRetrievePropertiesEx.name, fault, cuts)
      expect(reading).toThrow(/token 3 is not valid/)
      try {
        reading()
      } catch (err) {
        expect(isFault(err, 'InvalidArgument')).toBe(true)
      }
    }
  })

  it('refuses an answer cut short, after handing out the objects it did hold whole', () => {
    const xml = page(RetrievePropertiesEx.name, '1')
    const cutAt = xml.indexOf('<objects>', xml.indexOf('</objects>')) + 40
    const objects: ObjectContent[] = []
    const reader = new RetrieveResultReader(RetrievePropertiesEx.name, (o) => objects.push(o))
    reader.push(xml.slice(0, cutAt))
    expect(() => reader.end()).toThrow(VimProtocolError)
    expect(objects.map((o) => o.obj.value)).toEqual(['vm-0'])
  })
})
