import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeValue } from '../../../src/vim/codec/decode.js'
import { encodeRequest } from '../../../src/vim/codec/encode.js'
import { children, firstChild, parseXml, type RawNode } from '../../../src/vim/codec/parse.js'
import { VimEncodeError } from '../../../src/vim/errors.js'
import { CreateVM_Task, ReconfigVM_Task, RetrievePropertiesEx } from '../../../src/vim/methods.js'
import { moref } from '../../../src/vim/moref.js'
import { typeInfo } from '../../../src/vim/schema/registry.js'
import type { PropertyFilterSpec, VirtualMachineConfigSpec } from '../../../src/vim/types.js'

const vm = moref('VirtualMachine', 'vm-42')

/** The parameter element of a request, parsed back with the client's own parser. */
function requestParam(xml: string, method: string, param: string): RawNode {
  const body = firstChild(firstChild(parseXml(xml), 'Envelope'), 'Body')
  const node = firstChild(firstChild(body, method), param)
  if (node === undefined) throw new Error(`no ${param} in request`)
  return node
}

/** Element names directly inside `parent` in document order (the parser groups by name, so scan the text). */
function childOrder(xml: string, parent: string): string[] {
  const start = xml.search(new RegExp(`<${parent}[ >]`))
  const open = xml.indexOf('>', start) + 1
  const names: string[] = []
  let depth = 0
  const tag = /<(\/?)([A-Za-z_][\w.-]*)[^>]*?(\/?)>/g
  tag.lastIndex = open
  for (let m = tag.exec(xml); m; m = tag.exec(xml)) {
    const [, closing, name, selfClosing] = m
    if (closing) {
      if (depth === 0) break
      depth--
    } else {
      if (depth === 0 && name) names.push(name)
      if (!selfClosing) depth++
    }
  }
  return names
}

describe('writing a ReconfigVM_Task request', () => {
  // keys deliberately in an order unlike the WSDL's
  const spec: VirtualMachineConfigSpec = {
    extraConfig: [{ key: 'common/name', value: 'web' }],
    deviceChange: [
      {
        device: {
          _type: 'VirtualSerialPort',
          yieldOnPoll: true,
          key: -1,
          backing: { _type: 'VirtualSerialPortFileBackingInfo', fileName: '[ds] id/output.log' },
          connectable: { connected: true, startConnected: true, allowGuestControl: false },
        },
        operation: 'add',
      },
    ],
    memoryMB: 512,
    name: 'web-0123456789ab',
    changeVersion: '2026-11-22T12:37:29.381857Z',
    annotation: 'a & b',
    files: { vmPathName: '[ds] id/id.vmx' },
    numCPUs: 2,
  }
  const xml = encodeRequest(ReconfigVM_Task, { _this: vm, spec }, 'op-7')

  it('writes the spec fields in WSDL order, whatever the key order of the object', () => {
    expect(childOrder(xml, 'spec')).toEqual([
      'changeVersion',
      'name',
      'annotation',
      'files',
      'numCPUs',
      'memoryMB',
      'deviceChange',
      'extraConfig',
    ])
    const order = typeInfo('VirtualMachineConfigSpec')!.fields.map((f) => f.name)
    const written = childOrder(xml, 'spec').map((n) => order.indexOf(n))
    expect(written).toEqual([...written].sort((a, b) => a - b))
  })

  it('writes devices and backings with their xsi:type and inherited fields first', () => {
    expect(xml).toContain('<device xsi:type="VirtualSerialPort"><key>-1</key>')
    expect(childOrder(xml, 'device')).toEqual(['key', 'backing', 'connectable', 'yieldOnPoll'])
    expect(xml).toContain('<backing xsi:type="VirtualSerialPortFileBackingInfo"><fileName>[ds] id/output.log</fileName>')
    expect(childOrder(xml, 'connectable')).toEqual(['startConnected', 'allowGuestControl', 'connected'])
  })

  it('types OptionValue.value as xsd:string and escapes text', () => {
    expect(xml).toContain('<extraConfig><key>common/name</key><value xsi:type="xsd:string">web</value></extraConfig>')
    expect(xml).toContain('<annotation>a &amp; b</annotation>')
  })

  it('carries the operation ID in the SOAP header and _this as a typed reference', () => {
    expect(xml).toContain('<soapenv:Header><operationID>op-7</operationID></soapenv:Header>')
    expect(xml).toContain('<ReconfigVM_Task xmlns="urn:vim25"><_this type="VirtualMachine">vm-42</_this><spec>')
  })
})

describe('writing property collector specs', () => {
  const spec: PropertyFilterSpec = {
    objectSet: [
      {
        obj: moref('ContainerView', 'session[1]view'),
        skip: true,
        selectSet: [{ _type: 'TraversalSpec', name: 'view', type: 'ContainerView', path: 'view', skip: false }],
      },
    ],
    propSet: [{ type: 'VirtualMachine', pathSet: ['name', 'config.extraConfig'] }],
  }
  const xml = encodeRequest(RetrievePropertiesEx, {
    _this: moref('PropertyCollector', 'propertyCollector'),
    specSet: [spec],
    options: { maxObjects: 100 },
  })

  it('puts propSet before objectSet and types the traversal spec', () => {
    expect(childOrder(xml, 'specSet')).toEqual(['propSet', 'objectSet'])
    expect(xml).toContain(
      '<selectSet xsi:type="TraversalSpec"><name>view</name><type>ContainerView</type><path>view</path><skip>false</skip></selectSet>',
    )
    expect(xml).toContain('<pathSet>name</pathSet><pathSet>config.extraConfig</pathSet>')
    expect(xml).toContain('<options><maxObjects>100</maxObjects></options>')
  })
})

describe('refusing requests that vCenter would reject or misread', () => {
  const reconfig = (spec: unknown): string =>
    encodeRequest(ReconfigVM_Task, { _this: vm, spec: spec as VirtualMachineConfigSpec })

  it('refuses characters XML 1.0 cannot carry, naming the field', () => {
    expect(() => reconfig({ extraConfig: [{ key: 'k', value: 'a\u0000b' }] })).toThrow(
      /ReconfigVM_Task\.spec\.extraConfig\[0\]\.value: character U\+0000/,
    )
    expect(() => reconfig({ name: 'x\uD800' })).toThrow(VimEncodeError)
    expect(() => reconfig({ name: 'x\uFFFE' })).toThrow(VimEncodeError)
  })

  it('refuses a field that is not in the order table instead of dropping it', () => {
    expect(() => reconfig({ nmae: 'typo' })).toThrow(/VirtualMachineConfigSpec has no field "nmae"/)
  })

  it('refuses a value of the wrong kind', () => {
    expect(() => reconfig({ numCPUs: '2' })).toThrow(/expected an integer/)
    expect(() => reconfig({ extraConfig: { key: 'k', value: 'v' } })).toThrow(/expected a list/)
    expect(() => reconfig({ deviceChange: [{ device: { _type: 'OptionValue', key: 'k' } }] })).toThrow(
      /OptionValue is not a kind of VirtualDevice/,
    )
  })

  it('writes nothing for null and undefined fields', () => {
    const xml = encodeRequest(CreateVM_Task, {
      _this: moref('Folder', 'folder-3'),
      config: { name: 'x', files: undefined, annotation: null } as unknown as VirtualMachineConfigSpec,
      pool: moref('ResourcePool', 'resgroup-26'),
    })
    expect(childOrder(xml, 'config')).toEqual(['name'])
    expect(xml).not.toContain('<host')
  })
})

describe('round trip through the builder and the parser', () => {
  // any string XML 1.0 can carry, biased towards the characters that need escaping or normalising
  const xmlChar = fc.oneof(
    fc.constantFrom('&', '<', '>', '"', "'", '\r', '\n', '\t', ' ', ']]>', '&amp;', '&#39;', '\r\n', '\u00a0'),
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: 'binary' }),
  )
  const xmlString = fc
    .array(xmlChar, { maxLength: 8 })
    .map((parts) => parts.join(''))
    .filter((s) => !/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(s))

  it('gives back every ExtraConfig key and value, and the VM name, unchanged', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(xmlString, xmlString), { minLength: 1, maxLength: 4 }), xmlString, (pairs, name) => {
        const spec: VirtualMachineConfigSpec = { name, extraConfig: pairs.map(([key, value]) => ({ key, value })) }
        const xml = encodeRequest(ReconfigVM_Task, { _this: vm, spec })
        const decoded = decodeValue(requestParam(xml, 'ReconfigVM_Task', 'spec'), 'VirtualMachineConfigSpec') as {
          name: string
          extraConfig: { key: string; value: string }[]
        }
        expect(decoded.name).toBe(name)
        expect(decoded.extraConfig).toEqual(pairs.map(([key, value]) => ({ key, value })))
      }),
      { numRuns: 300 },
    )
  })

  it('gives back a MoRef whose value holds XML specials', () => {
    fc.assert(
      fc.property(xmlString, xmlString, (type, value) => {
        const xml = encodeRequest(ReconfigVM_Task, { _this: moref(type, value), spec: {} })
        const node = requestParam(xml, 'ReconfigVM_Task', '_this')
        expect(decodeValue(node, 'ManagedObjectReference')).toEqual({ type, value })
      }),
    )
  })

  it('rejects every string holding a character XML 1.0 cannot carry', () => {
    const bad = fc.constantFrom('\u0000', '\u0001', '\u001f', '\uFFFE', '\uFFFF', '\uD800', '\uDFFF')
    fc.assert(
      fc.property(fc.tuple(xmlString, bad, xmlString), ([a, c, b]) => {
        expect(() => encodeRequest(ReconfigVM_Task, { _this: vm, spec: { annotation: a + c + b } })).toThrow(
          VimEncodeError,
        )
      }),
    )
  })

  it('keeps every element of a list, also a list of one', () => {
    const xml = encodeRequest(ReconfigVM_Task, { _this: vm, spec: { extraConfig: [{ key: 'only', value: '' }] } })
    const spec = requestParam(xml, 'ReconfigVM_Task', 'spec')
    expect(children(spec, 'extraConfig')).toHaveLength(1)
    expect((decodeValue(spec, 'VirtualMachineConfigSpec') as VirtualMachineConfigSpec).extraConfig).toEqual([
      { key: 'only', value: '' },
    ])
  })
})
