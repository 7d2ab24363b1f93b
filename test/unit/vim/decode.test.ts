import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { decodeResponse } from '../../../src/vim/codec/decode.js'
import { VimProtocolError } from '../../../src/vim/errors.js'
import { isFault, VimFault } from '../../../src/vim/fault.js'
import { RetrievePropertiesEx } from '../../../src/vim/methods.js'
import type { RetrieveResult, TaskInfo } from '../../../src/vim/types.js'

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')

function retrieve(xml: string): RetrieveResult {
  return decodeResponse(xml, RetrievePropertiesEx.name, RetrievePropertiesEx.returns) as RetrieveResult
}

function props(result: RetrieveResult): Record<string, unknown> {
  const [object] = result.objects
  return Object.fromEntries((object?.propSet ?? []).map((p) => [p.name, p.val]))
}

const envelope = (body: string): string =>
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">' +
  `<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`

describe('decoding a RetrievePropertiesEx answer as vcsim writes it', () => {
  const result = retrieve(fixture('retrieve-vm-properties.xml'))
  const p = props(result)

  it('reads vcsim\'s XMLSchema-instance:type as xsi:type and keeps a one-element list a list', () => {
    expect(result.objects).toHaveLength(1)
    expect(p['config.extraConfig']).toEqual([{ key: 'common/name', value: `it's & "q"\nnext` }])
    expect(p['datastore']).toEqual([{ type: 'Datastore', value: 'govcsim-DC0-LocalDS_0-123@folder-5' }])
  })

  it('keeps strings that look like numbers as the exact text', () => {
    expect(p['name']).toBe('1e5')
    expect(p['config.annotation']).toBe('0x1F')
  })

  it('converts numbers and booleans only where the xsi:type says so', () => {
    expect(p['config.hardware.memoryMB']).toBe(128)
    expect(p['summary.config.template']).toBe(false)
  })

  it('reads an empty string element as "" and an enumeration as its text', () => {
    expect(p['config.changeVersion']).toBe('')
    expect(p['runtime.powerState']).toBe('poweredOff')
  })

  it('tells a MoRef value (bare type attribute) from its xsi:type', () => {
    expect(p['parent']).toEqual({ type: 'Folder', value: 'folder-3' })
    expect(result.objects[0]?.obj).toEqual({ type: 'VirtualMachine', value: 'vm-42' })
  })

  it('gives absent list fields as empty lists', () => {
    expect(result.objects[0]?.missingSet).toEqual([])
  })
})

describe('decoding a task error', () => {
  const info = props(retrieve(fixture('task-info-error.xml')))['info'] as TaskInfo

  it('types the TaskInfo fields from the schema', () => {
    expect(info.state).toBe('error')
    expect(info.cancelled).toBe(false)
    expect(info.queueTime).toEqual(new Date('2026-11-22T12:37:29.381857Z'))
    expect(info.entity).toEqual({ type: 'VirtualMachine', value: 'vm-57' })
  })

  it('unwraps the LocalizedMethodFault into a fault with its fields and a readable message', () => {
    expect(info.error).toBeDefined()
    const fault = VimFault.fromLocalized(info.error!, info.task)
    expect(fault.faultType).toBe('DuplicateName')
    expect(fault.fields).toEqual({ name: 'dupvm', object: { type: 'VirtualMachine', value: 'vm-58' } })
    expect(fault.task).toEqual({ type: 'Task', value: 'task-57' })
    // vcsim's localizedMessage is a Go type name; the fault says something a person can read instead
    expect(fault.message).toBe('DuplicateName: the name "dupvm" is already used by VirtualMachine vm-58')
    expect(isFault(fault, 'DuplicateName')).toBe(true)
    expect(isFault(fault, 'VimFault')).toBe(true)
    expect(isFault(fault, 'InvalidArgument')).toBe(false)
  })
})

describe('decoding SOAP faults (HTTP 500 bodies)', () => {
  it('throws a VimFault typed from the detail element', () => {
    let thrown: unknown
    try {
      retrieve(fixture('fault-not-authenticated.xml'))
    } catch (err) {
      thrown = err
    }
    expect(VimFault.is(thrown)).toBe(true)
    const fault = thrown as VimFault
    expect(fault.faultType).toBe('NotAuthenticated')
    expect(fault.fields['privilegeId']).toBe('System.View')
    expect(isFault(fault, 'NoPermission')).toBe(true)
    expect(fault.message).toContain('log in again')
  })

  it('keeps the server\'s faultstring as the message and the fault fields', () => {
    expect(() => retrieve(fixture('fault-file-already-exists.xml'))).toThrow(
      expect.objectContaining({
        faultType: 'FileAlreadyExists',
        fields: { file: '[LocalDS_0] d1' },
        message: expect.stringContaining('file exists'),
      }),
    )
  })

  it('types a fault without xsi:type from its element name, and one without detail as RuntimeFault', () => {
    const named = envelope(
      '<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>busy</faultstring><detail>' +
        '<TaskInProgressFault xmlns="urn:vim25"><task type="Task">task-1</task></TaskInProgressFault></detail></soapenv:Fault>',
    )
    expect(() => retrieve(named)).toThrow(expect.objectContaining({ faultType: 'TaskInProgress' }))
    const bare = envelope('<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>boom</faultstring></soapenv:Fault>')
    expect(() => retrieve(bare)).toThrow(expect.objectContaining({ faultType: 'RuntimeFault', message: 'RuntimeFault: boom' }))
  })

  it('follows faultCause chains', () => {
    const xml = envelope(
      '<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>outer</faultstring><detail>' +
        '<SystemErrorFault xmlns="urn:vim25" xsi:type="SystemError" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
        '<faultCause><fault xsi:type="ConcurrentAccess"></fault><localizedMessage>changed</localizedMessage></faultCause>' +
        '<reason>r</reason></SystemErrorFault></detail></soapenv:Fault>',
    )
    let thrown: unknown
    try {
      retrieve(xml)
    } catch (err) {
      thrown = err
    }
    expect((thrown as VimFault).faultType).toBe('SystemError')
    expect(isFault(thrown, 'ConcurrentAccess')).toBe(true)
    expect(isFault(new Error('wrapped', { cause: thrown }), 'ConcurrentAccess')).toBe(true)
  })
})

describe('decoding what the schema does not know', () => {
  it('reads unknown fields generically instead of dropping them', () => {
    const xml = envelope(
      '<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="Datastore">ds-1</obj>' +
        '<propSet><name>summary</name><val xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="DatastoreSummary">' +
        '<name>vsanDatastore</name><capacity>1099511627776</capacity><accessible>true</accessible><type>vsan</type>' +
        '<newerField><a>1</a><a>2</a></newerField></val></propSet></objects></returnval></RetrievePropertiesExResponse>',
    )
    const summary = props(retrieve(xml))['summary'] as Record<string, unknown>
    expect(summary).toMatchObject({ name: 'vsanDatastore', capacity: 1099511627776, accessible: true, type: 'vsan' })
    expect(summary['newerField']).toEqual({ a: ['1', '2'] })
  })

  it('gives an empty result when the answer has no returnval', () => {
    const xml = envelope('<RetrievePropertiesExResponse xmlns="urn:vim25"></RetrievePropertiesExResponse>')
    expect(retrieve(xml)).toBeUndefined()
  })

  it('refuses an answer that is not XML or not SOAP', () => {
    expect(() => retrieve('<html><body>Bad Gateway')).toThrow(VimProtocolError)
    expect(() => retrieve('<html><body>ok</body></html>')).toThrow(VimProtocolError)
  })

  it('refuses a value that contradicts its xsi:type', () => {
    const xml = envelope(
      '<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="VirtualMachine">vm-1</obj>' +
        '<propSet><name>config.hardware.numCPU</name><val xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xsd:int">' +
        'two</val></propSet></objects></returnval></RetrievePropertiesExResponse>',
    )
    expect(() => retrieve(xml)).toThrow(/not an xsd:int/)
  })
})
