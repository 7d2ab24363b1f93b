/**
 * A RetrievePropertiesEx or ContinueRetrievePropertiesEx answer read object by object as its text arrives (pure;
 * property-stream.ts feeds it from the socket). A page of 500 VMs with their whole ExtraConfig is about 7 MB of
 * XML; decoded at once, its element tree lives through the whole parse, so V8 moves it to the old generation, and
 * the migration job's heap reached 180 to 236 MB between full collections that each left some 15 MB alive. Here
 * each `<objects>` element is cut out as soon as it is complete and decoded alone with the ordinary codec
 * (parseXml, decodeValue), so at most one object's text and tree are held, and they die young.
 *
 * The cut follows XML's rules for what may hide a `<` or `>` (quoted attribute values, comments, CDATA,
 * processing instructions), and an object is recognised by its place in the envelope (Envelope/Body/<method>
 * Response/returnval/objects), not by its name alone, so a property value with a field called `objects` is not
 * mistaken for one. An answer whose body is not the method's response (a fault) is kept whole and decoded the
 * usual way, which throws the fault; faults are small.
 */

import { decodeResponse, decodeValue } from './codec/decode.js'
import { decodeEntities, firstChild, parseXml } from './codec/parse.js'
import { VimProtocolError } from './errors.js'
import type { ObjectContent } from './types.js'

/** Depths in the envelope: Envelope 0, Body 1, the method's response 2, returnval 3, its fields 4. */
const responseDepth = 2
const fieldDepth = 4

export interface RetrieveResultEnd {
  /** set when the server holds more objects (ContinueRetrievePropertiesEx) */
  readonly token: string | undefined
  /** objects handed to the callback */
  readonly objects: number
}

export class RetrieveResultReader {
  readonly #methodName: string
  readonly #onObject: (content: ObjectContent) => void
  /** the text not yet consumed; offsets below are into it */
  #text = ''
  #pos = 0
  /** local names of the open elements */
  readonly #open: string[] = []
  #objectStart: number | undefined
  #tokenStart: number | undefined
  #token: string | undefined
  #objects = 0
  /** the method's response element has been opened: what came before it is not needed again */
  #inResponse = false
  /** the body holds something else than the method's response: keep all of it for decodeResponse */
  #whole = false

  constructor(methodName: string, onObject: (content: ObjectContent) => void) {
    this.#methodName = methodName
    this.#onObject = onObject
  }

  /** Reads the next piece of the answer; calls back once for every object completed by it. */
  push(text: string): void {
    this.#text += text
    const s = this.#text
    let i = this.#pos
    for (;;) {
      const lt = s.indexOf('<', i)
      if (lt === -1) {
        i = s.length
        break
      }
      const end = markupEnd(s, lt)
      if (end === -1) {
        i = lt
        break
      }
      if (!this.#whole) this.#markup(s, lt, end)
      i = end
    }
    this.#pos = i
    this.#compact()
  }

  /** After the last piece: the token, or the fault of a fault answer thrown, or a protocol error if cut short. */
  end(): RetrieveResultEnd {
    if (this.#whole) {
      // throws the fault (or says what else the body holds); a response here would have been streamed
      decodeResponse(this.#text, this.#methodName, undefined)
      throw new VimProtocolError(`the vSphere answer to ${this.#methodName} could not be read object by object`)
    }
    if (this.#open.length > 0 || this.#text.slice(this.#pos).trim() !== '') {
      throw new VimProtocolError(`the vSphere answer to ${this.#methodName} ended before its envelope was closed`)
    }
    return { token: this.#token, objects: this.#objects }
  }

  /** One tag, comment, CDATA section or processing instruction, `s[lt, end)`. */
  #markup(s: string, lt: number, end: number): void {
    const next = s.charCodeAt(lt + 1)
    if (next === 0x3f /* ? */ || next === 0x21 /* ! */) return
    const open = this.#open
    if (next === 0x2f /* / */) {
      const name = localName(s, lt + 2, end - 1)
      if (open.pop() !== name) {
        const answer = `the vSphere answer to ${this.#methodName}`
        throw new VimProtocolError(`${answer} is not well-formed XML: </${name}> does not close its element`)
      }
      if (open.length === fieldDepth && this.#objectStart !== undefined) {
        const start = this.#objectStart
        this.#objectStart = undefined
        this.#emit(s.slice(start, end))
      } else if (open.length === fieldDepth && this.#tokenStart !== undefined) {
        this.#token = decodeEntities(s.slice(this.#tokenStart, lt))
        this.#tokenStart = undefined
      }
      return
    }
    const selfClosing = s.charCodeAt(end - 2) === 0x2f /* / */
    const name = localName(s, lt + 1, selfClosing ? end - 2 : end - 1)
    const depth = open.length
    if (depth === responseDepth) {
      if (name !== `${this.#methodName}Response`) {
        this.#whole = true
        return
      }
      this.#inResponse = true
    }
    if (depth === fieldDepth && this.#inReturnval()) {
      if (name === 'objects') {
        if (selfClosing) this.#emit(s.slice(lt, end))
        else this.#objectStart = lt
      } else if (name === 'token' && !selfClosing) {
        this.#tokenStart = end
      }
    }
    if (!selfClosing) open.push(name)
  }

  #inReturnval(): boolean {
    return this.#open[responseDepth] === `${this.#methodName}Response` && this.#open[3] === 'returnval'
  }

  #emit(xml: string): void {
    const node = firstChild(parseXml(xml), 'objects')
    if (node === undefined) throw new VimProtocolError(`an object of the answer to ${this.#methodName} cannot be read`)
    this.#objects++
    this.#onObject(decodeValue(node, 'ObjectContent') as ObjectContent)
  }

  /**
   * Drops the text nothing will look at again: all of it but an open object or token and an unfinished tag. Until
   * the response element is open, nothing is dropped: the body may turn out to be a fault, decoded whole.
   */
  #compact(): void {
    if (this.#whole || !this.#inResponse) return
    const keep = Math.min(this.#pos, this.#objectStart ?? Infinity, this.#tokenStart ?? Infinity)
    if (keep === 0) return
    this.#text = this.#text.slice(keep)
    this.#pos -= keep
    if (this.#objectStart !== undefined) this.#objectStart -= keep
    if (this.#tokenStart !== undefined) this.#tokenStart -= keep
  }
}

/** The element's name without its namespace prefix, from the text between `<` (or `</`) and the tag's end. */
function localName(s: string, from: number, to: number): string {
  let end = from
  while (end < to && !isNameEnd(s.charCodeAt(end))) end++
  const name = s.slice(from, end)
  return name.slice(name.indexOf(':') + 1)
}

function isNameEnd(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x2f || c === 0x3e
}

/**
 * Where the markup starting at `s[lt] === '<'` ends (the index after its `>`), or -1 when `s` does not hold all
 * of it yet. A `>` inside a quoted attribute value, a comment, CDATA or a processing instruction does not end it.
 */
function markupEnd(s: string, lt: number): number {
  if (s.startsWith('<!', lt)) {
    // not yet enough to tell a comment, CDATA and a declaration apart
    if (s.length - lt < '<![CDATA['.length) return -1
    if (s.startsWith('<!--', lt)) return after(s, '-->', lt + 4)
    if (s.startsWith('<![CDATA[', lt)) return after(s, ']]>', lt + 9)
    return after(s, '>', lt + 2)
  }
  if (s.startsWith('<?', lt)) return after(s, '?>', lt + 2)
  let quote = 0
  for (let i = lt + 1; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (quote !== 0) {
      if (c === quote) quote = 0
    } else if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
      quote = c
    } else if (c === 0x3e /* > */) {
      return i + 1
    }
  }
  return -1
}

function after(s: string, terminator: string, from: number): number {
  const at = s.indexOf(terminator, from)
  return at === -1 ? -1 : at + terminator.length
}
