/**
 * XML text → a raw element tree, with fast-xml-parser configured so no vim25 datum is altered on the way:
 * no number or boolean coercion ("0123", "1e5" and "true" stay strings until the schema says otherwise), no
 * trimming, entities decoded including the numeric references Go writes (`&#39; &#34; &#xA;`), element prefixes
 * dropped, any `<prefix>:type` attribute read as xsi:type (vcsim writes `XMLSchema-instance:type`) while a bare
 * `type` stays the MoRef type, and every element kept as a list so a one-element list cannot turn into a scalar;
 * decode.ts then picks scalar or list from the type tables.
 *
 * Entities are decoded here rather than by the library: XML has five named entities and numeric references,
 * nothing else (no DOCTYPE is honoured, so no entity expansion attack), and the library's HTML entity table,
 * needed for its numeric references, doubled the parse time of a typical answer.
 */

import { XMLParser } from 'fast-xml-parser'
import { VimProtocolError } from '../errors.js'

/** An element: its text, its attributes (`@name`) and its children, each child name mapping to a list. */
export interface RawElement {
  readonly [key: string]: RawNode[] | string | undefined
}
/** A text-only element without attributes is just its text. */
export type RawNode = string | RawElement

export const xsiTypeAttr = '@xsi:type'
export const textKey = '#text'

const prefixedType = /^@[^:]+:type$/

const entity = /&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(amp|lt|gt|quot|apos));/g
const named: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

function fromCodePoint(cp: number, ref: string): string {
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
    throw new VimProtocolError(`the vSphere answer holds an invalid character reference ${ref}`)
  }
  return String.fromCodePoint(cp)
}

/** Decodes XML's predefined entities and character references; anything else is left as written. */
export function decodeEntities(s: string): string {
  if (s.indexOf('&') === -1) return s
  return s.replace(entity, (ref, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
    if (hex !== undefined) return fromCodePoint(parseInt(hex, 16), ref)
    if (dec !== undefined) return fromCodePoint(parseInt(dec, 10), ref)
    return named[name ?? ''] ?? ref
  })
}

// Namespace declarations say nothing decode.ts reads (prefixes are dropped, xsi:type is recognised by its local
// name), and vcsim repeats one on every property value; skipping them saves their per-attribute processing.
const isNamespaceDeclaration = (name: string): boolean => name === 'xmlns' || name.startsWith('xmlns:')

const parser = new XMLParser({
  ignoreAttributes: isNamespaceDeclaration,
  attributeNamePrefix: '@',
  textNodeName: textKey,
  removeNSPrefix: false,
  transformTagName: (name) => name.slice(name.indexOf(':') + 1),
  transformAttributeName: (name) => (prefixedType.test(name) ? xsiTypeAttr : name),
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  tagValueProcessor: (_tag, value) => decodeEntities(value),
  attributeValueProcessor: (_name, value) => decodeEntities(value),
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
  // the callbacks above never look at the element's path; left on, the library builds the path string for
  // every element and attribute, which was a fifth of the parse time of a typical answer
  jPath: false,
})

export function parseXml(xml: string): RawElement {
  try {
    return parser.parse(xml) as RawElement
  } catch (err) {
    throw new VimProtocolError(`the vSphere answer is not well-formed XML: ${(err as Error).message}`, { cause: err })
  }
}

export function children(node: RawNode | undefined, name: string): RawNode[] {
  if (node === undefined || typeof node === 'string') return []
  const value = node[name]
  return Array.isArray(value) ? value : []
}

export function firstChild(node: RawNode | undefined, name: string): RawNode | undefined {
  return children(node, name)[0]
}

export function attr(node: RawNode | undefined, name: string): string | undefined {
  if (node === undefined || typeof node === 'string') return undefined
  const value = node[`@${name}`]
  return typeof value === 'string' ? detached(value) : undefined
}

export function text(node: RawNode | undefined): string {
  if (node === undefined) return ''
  if (typeof node === 'string') return detached(node)
  const value = node[textKey]
  return typeof value === 'string' ? detached(value) : ''
}

/**
 * The string as a copy of its own. The parser cuts values out of the answer's text, and V8 keeps a cut of 13
 * characters or more as a view into the whole text: one MoRef or ExtraConfig value kept for long (the store keeps
 * them for the life of the container) would keep a whole answer of megabytes alive with it.
 */
function detached(value: string): string {
  return value.length < 13 ? value : (' ' + value).slice(1)
}

/** The xsi:type of an element without its namespace prefix (`xsd:string` → `string`). */
export function xsiType(node: RawNode | undefined): string | undefined {
  if (node === undefined || typeof node === 'string') return undefined
  const value = node[xsiTypeAttr]
  return typeof value === 'string' ? value.slice(value.indexOf(':') + 1) : undefined
}

/** Child element names, in the order the parser met them. */
export function childNames(node: RawNode): string[] {
  if (typeof node === 'string') return []
  return Object.keys(node).filter((k) => k !== textKey && !k.startsWith('@'))
}
