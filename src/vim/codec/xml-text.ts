/**
 * Text as XML carries it: escaping for element content and attribute values, and the check that a string holds
 * only characters XML 1.0 can carry. Without the check a NUL or a lone surrogate in an ExtraConfig value would be
 * sent and make vCenter reject the whole request with an unhelpful parse error.
 */

import { VimEncodeError } from '../errors.js'

// XML 1.0 Char production, inverted; with the `u` flag a lone surrogate is one code point outside every range.
const notXmlChar = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u

const textSpecial = /[&<>\r]/
const textSpecials = /[&<>\r]/g
const attrSpecial = /[&<>"\r\n\t]/
const attrSpecials = /[&<>"\r\n\t]/g

// A parser turns a raw CR (or CR LF) into LF and whitespace in attributes into spaces, so those are escaped
// as character references to come back unchanged.
const replacements: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\r': '&#xD;',
  '\n': '&#xA;',
  '\t': '&#x9;',
}
const replace = (c: string): string => replacements[c] ?? c

/** Throws if `s` holds a character XML 1.0 cannot carry; `path` names the field for the message. */
export function assertXmlChars(s: string, path: string): void {
  const m = notXmlChar.exec(s)
  if (m) {
    const cp = m[0].codePointAt(0) ?? 0
    const hex = cp.toString(16).toUpperCase().padStart(4, '0')
    throw new VimEncodeError(
      path,
      `character U+${hex} at index ${m.index} cannot be sent to vSphere (XML 1.0 has no way to carry it); ` +
        'remove it from the value',
    )
  }
}

export function escapeText(s: string): string {
  return textSpecial.test(s) ? s.replace(textSpecials, replace) : s
}

export function escapeAttr(s: string): string {
  return attrSpecial.test(s) ? s.replace(attrSpecials, replace) : s
}
