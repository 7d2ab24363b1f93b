// A minimal raw SOAP client for checking govcsim itself, independently of portlayer's vim25 client: tests write
// the envelopes by hand and read the HTTP status and text back, so they see exactly what crossed the wire
// (including what vCenter's strict parser would refuse). A few vim calls the simulator tests repeat are
// spelled out here once, in WSDL element order.
import http from 'node:http'
import https from 'node:https'
import { afterAll, beforeAll } from 'vitest'
import type { DatacenterInventory, Govcsim } from '../../src/sim/launcher.js'

export interface MoRef {
  type: string
  value: string
}

export interface SoapReply {
  status: number
  text: string
}

export interface RawSoapOptions {
  /** PEM CA to trust for https; without it the server certificate is not checked. */
  ca?: string | Buffer
}

export const serviceInstance: MoRef = { type: 'ServiceInstance', value: 'ServiceInstance' }
export const sessionManager: MoRef = { type: 'SessionManager', value: 'SessionManager' }
export const propertyCollector: MoRef = { type: 'PropertyCollector', value: 'propertyCollector' }

export class RawSoap {
  private cookie: string | undefined
  private readonly agent: http.Agent

  constructor(
    readonly url: string,
    opts: RawSoapOptions = {},
  ) {
    const secure = new URL(url).protocol === 'https:'
    this.agent = secure
      ? new https.Agent({ keepAlive: true, ca: opts.ca, rejectUnauthorized: opts.ca !== undefined })
      : new http.Agent({ keepAlive: true })
  }

  /** A client logged in with the given credentials. */
  static async connect(url: string, username: string, password: string, opts: RawSoapOptions = {}): Promise<RawSoap> {
    const soap = new RawSoap(url, opts)
    expectOk(await soap.login(username, password))
    return soap
  }

  /** The session cookie's value (the session key), if logged in. */
  get sessionKey(): string | undefined {
    return this.cookie?.slice('vmware_soap_session='.length)
  }

  /** Posts a complete envelope with the session cookie, if any. */
  post(envelopeXml: string): Promise<SoapReply> {
    const url = new URL(this.url)
    const transport = url.protocol === 'https:' ? https : http
    return new Promise((resolve, reject) => {
      const req = transport.request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'text/xml; charset="utf-8"',
            soapaction: 'urn:vim25/6.5',
            ...(this.cookie ? { cookie: this.cookie } : {}),
          },
        },
        (res) => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (chunk: string) => (text += chunk))
          res.on('end', () => {
            const setCookie = res.headers['set-cookie']?.find((c) => c.startsWith('vmware_soap_session='))
            if (setCookie) this.cookie = setCookie.split(';')[0]
            resolve({ status: res.statusCode ?? 0, text })
          })
        },
      )
      req.on('error', reject)
      req.end(envelopeXml)
    })
  }

  /** Calls `method` on `thisRef`; `args` are the argument elements after _this, already in WSDL order. */
  call(method: string, thisRef: MoRef, args = ''): Promise<SoapReply> {
    return this.post(envelope(`<${method} xmlns="urn:vim25">${moref('_this', thisRef)}${args}</${method}>`))
  }

  async login(username: string, password: string): Promise<SoapReply> {
    return this.call('Login', sessionManager, el('userName', username) + el('password', password))
  }

  /** Forgets the session cookie (govcsim, like vcsim, refuses a Login from a caller that holds one). */
  dropSession(): void {
    this.cookie = undefined
  }

  close(): void {
    this.agent.destroy()
  }

  /** Properties of one object, as raw XML. */
  retrieve(obj: MoRef, paths: string[]): Promise<SoapReply> {
    const propSet = `<propSet>${el('type', obj.type)}${paths.map((p) => el('pathSet', p)).join('')}</propSet>`
    const objectSet = `<objectSet>${moref('obj', obj)}</objectSet>`
    return this.call('RetrievePropertiesEx', propertyCollector, `<specSet>${propSet}${objectSet}</specSet><options/>`)
  }

  /** One property's raw <val> content, or undefined when absent. */
  async property(obj: MoRef, path: string): Promise<string | undefined> {
    const reply = await this.retrieve(obj, [path])
    expectOk(reply)
    return propertyValue(reply.text, path)
  }

  /** RetrievePropertiesEx of `paths` on every VirtualMachine directly in `folder`, optionally paged. */
  listVMs(folder: MoRef, paths: string[], maxObjects?: number): Promise<SoapReply> {
    const propSet = `<propSet>${el('type', 'VirtualMachine')}${paths.map((p) => el('pathSet', p)).join('')}</propSet>`
    const traversal = `<selectSet xsi:type="TraversalSpec">${el('type', 'Folder')}${el('path', 'childEntity')}${el('skip', 'false')}</selectSet>`
    const objectSet = `<objectSet>${moref('obj', folder)}${el('skip', 'true')}${traversal}</objectSet>`
    const options = maxObjects === undefined ? '<options/>' : `<options>${el('maxObjects', String(maxObjects))}</options>`
    return this.call('RetrievePropertiesEx', propertyCollector, `<specSet>${propSet}${objectSet}</specSet>${options}`)
  }

  /** Names of the VMs directly in `folder`. */
  async vmNames(folder: MoRef): Promise<string[]> {
    const reply = await this.listVMs(folder, ['name'])
    expectOk(reply)
    return allTextOf(reply.text, 'val')
  }

  async extraConfig(vm: MoRef): Promise<Array<[string, string]>> {
    const reply = await this.retrieve(vm, ['config.extraConfig'])
    expectOk(reply)
    return optionValues(reply.text)
  }

  createVM(folder: MoRef, pool: MoRef, spec: VmSpec): Promise<SoapReply> {
    return this.call('CreateVM_Task', folder, `<config>${configSpec(spec)}</config>${moref('pool', pool)}`)
  }

  reconfigure(vm: MoRef, spec: VmSpec): Promise<SoapReply> {
    return this.call('ReconfigVM_Task', vm, `<spec>${configSpec(spec)}</spec>`)
  }

  rename(entity: MoRef, newName: string): Promise<SoapReply> {
    return this.call('Rename_Task', entity, el('newName', newName))
  }

  powerOn(vm: MoRef): Promise<SoapReply> {
    return this.call('PowerOnVM_Task', vm)
  }

  /** Runs a *_Task call and reads the task's outcome (vcsim finishes tasks before it answers the call). */
  async task(reply: SoapReply | Promise<SoapReply>): Promise<TaskOutcome> {
    const r = await reply
    expectOk(r)
    const ref = returnedRef(r.text)
    if (!ref) throw new Error(`no task in reply: ${r.text}`)
    const info = await this.retrieve(ref, ['info'])
    expectOk(info)
    const state = textOf(info.text, 'state')
    const fault = /<fault\s[^>]*?:type="([^"]+)"/.exec(info.text)?.[1]
    return { task: ref, state: state ?? '', fault, result: resultRef(info.text), xml: info.text }
  }
}

/** A logged-in RawSoap for the file's simulator (see useSim), opened in beforeAll and closed in afterAll. */
export function useRawSoap(sim: () => Govcsim): () => RawSoap {
  let soap: RawSoap | undefined
  beforeAll(async () => {
    soap = await RawSoap.connect(sim().url, sim().username, sim().password)
  })
  afterAll(() => soap?.close())
  return () => {
    if (!soap) throw new Error('the SOAP client is only available inside tests and hooks')
    return soap
  }
}

/**
 * Creates a VM named `name` in the datacenter's VM folder and first resource pool, in a folder of its own on
 * the first datastore (as portlayer does: "[ds] <dir>/<dir>.vmx"), and returns the task's outcome.
 */
export function createTestVM(soap: RawSoap, dc: DatacenterInventory, name: string, spec: VmSpec = {}): Promise<TaskOutcome> {
  const ds = dc.datastores[0]?.name ?? 'LocalDS_0'
  const pool = dc.resourcePools[0]?.moref ?? ''
  const dir = name.replace(/[^A-Za-z0-9_.-]/g, '_')
  return soap.task(
    soap.createVM({ type: 'Folder', value: dc.vmFolder }, { type: 'ResourcePool', value: pool }, {
      name,
      guestId: 'otherGuest',
      vmPathName: `[${ds}] ${dir}/${dir}.vmx`,
      ...spec,
    }),
  )
}

export interface TaskOutcome {
  task: MoRef
  state: string
  /** The fault type of a task in error, e.g. DuplicateName. */
  fault: string | undefined
  /** The result moref (CreateVM_Task: the new VM). */
  result: MoRef | undefined
  xml: string
}

/** The fields of VirtualMachineConfigSpec the tests use; configSpec writes them in WSDL order. */
export interface VmSpec {
  changeVersion?: string
  name?: string
  guestId?: string
  vmPathName?: string
  numCPUs?: number
  memoryMB?: number
  /** Values are sent as xsd:string; null sends a <value> without xsi:type (what strict mode refuses). */
  extraConfig?: Array<[string, string | null]>
}

export function configSpec(spec: VmSpec): string {
  let xml = ''
  if (spec.changeVersion !== undefined) xml += el('changeVersion', spec.changeVersion)
  if (spec.name !== undefined) xml += el('name', spec.name)
  if (spec.guestId !== undefined) xml += el('guestId', spec.guestId)
  if (spec.vmPathName !== undefined) xml += `<files>${el('vmPathName', spec.vmPathName)}</files>`
  if (spec.numCPUs !== undefined) xml += el('numCPUs', String(spec.numCPUs))
  if (spec.memoryMB !== undefined) xml += el('memoryMB', String(spec.memoryMB))
  for (const [key, value] of spec.extraConfig ?? []) xml += `<extraConfig>${optionValue(key, value)}</extraConfig>`
  return xml
}

export function optionValue(key: string, value: string | null): string {
  const v = value === null ? '<value>x</value>' : `<value xsi:type="xsd:string">${escapeXml(value)}</value>`
  return el('key', key) + v
}

export function envelope(body: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"' +
    ' xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`
  )
}

export function moref(tag: string, ref: MoRef): string {
  return `<${tag} type="${escapeXml(ref.type)}">${escapeXml(ref.value)}</${tag}>`
}

export function el(tag: string, text: string): string {
  return `<${tag}>${escapeXml(text)}</${tag}>`
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

export function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#x([0-9a-fA-F]+);/g, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(parseInt(d, 10)))
    .replace(/&amp;/g, '&')
}

/** Text of the first element named tag (any prefix), or undefined. */
export function textOf(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<(?:\\w+:)?${tag}(?:\\s[^>]*)?>([^<]*)</(?:\\w+:)?${tag}>`).exec(xml)
  return m?.[1] === undefined ? undefined : unescapeXml(m[1])
}

export function allTextOf(xml: string, tag: string): string[] {
  const re = new RegExp(`<(?:\\w+:)?${tag}(?:\\s[^>]*)?>([^<]*)</(?:\\w+:)?${tag}>`, 'g')
  return [...xml.matchAll(re)].map((m) => unescapeXml(m[1] ?? ''))
}

/** The fault type of a SOAP fault reply (detail's xsi:type). */
export function faultType(xml: string): string | undefined {
  return /<detail>\s*<(\w+)Fault\b/.exec(xml)?.[1]
}

export function faultString(xml: string): string | undefined {
  return textOf(xml, 'faultstring')
}

/** The moref in a method's <returnval>, e.g. the task of a *_Task call. */
export function returnedRef(xml: string): MoRef | undefined {
  const m = /<returnval type="([^"]+)">([^<]*)<\/returnval>/.exec(xml)
  return m ? { type: m[1] ?? '', value: unescapeXml(m[2] ?? '') } : undefined
}

/** Every object moref of a RetrievePropertiesEx / ContinueRetrievePropertiesEx reply. */
export function objectRefs(xml: string): MoRef[] {
  return [...xml.matchAll(/<obj type="([^"]+)">([^<]*)<\/obj>/g)].map((m) => ({ type: m[1] ?? '', value: unescapeXml(m[2] ?? '') }))
}

/** The raw content of the <val> of property `path` in a retrieve reply. */
export function propertyValue(xml: string, path: string): string | undefined {
  const start = xml.indexOf(`<name>${path}</name>`)
  if (start < 0) return undefined
  const rest = xml.slice(start)
  const open = /<val\b[^>]*?(\/?)>/.exec(rest)
  if (!open) return undefined
  if (open[1] === '/') return ''
  const from = open.index + open[0].length
  const to = rest.indexOf('</val>', from)
  return rest.slice(from, to)
}

/** key/value pairs of OptionValue elements, in order. */
export function optionValues(xml: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = []
  for (const m of xml.matchAll(/<OptionValue\b[^>]*><key>([^<]*)<\/key>(?:<value\b[^>]*?\/>|<value\b[^>]*>([^<]*)<\/value>)?<\/OptionValue>/g)) {
    pairs.push([unescapeXml(m[1] ?? ''), unescapeXml(m[2] ?? '')])
  }
  return pairs
}

export function expectOk(reply: SoapReply): void {
  if (reply.status !== 200) throw new Error(`SOAP call failed (HTTP ${reply.status}): ${faultType(reply.text) ?? ''} ${faultString(reply.text) ?? reply.text}`)
}

// A moref result carries both xsi:type="ManagedObjectReference" and the bare type attribute.
function resultRef(xml: string): MoRef | undefined {
  const m = /<result\b[^>]*\stype="([^"]+)"[^>]*>([^<]*)<\/result>/.exec(xml)
  return m ? { type: m[1] ?? '', value: unescapeXml(m[2] ?? '') } : undefined
}
