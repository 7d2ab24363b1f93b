import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  displayName,
  generateName,
  isContainerId,
  isValidName,
  newContainerId,
  shortId,
  vmFolder,
  vmPathName,
} from '../../../src/container/naming.js'

const id = '4a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9'

describe('naming', () => {
  it('makes 64-hex IDs whose first 12 characters are the short ID', () => {
    const made = newContainerId()
    expect(isContainerId(made)).toBe(true)
    expect(shortId(made)).toBe(made.slice(0, 12))
    expect(newContainerId()).not.toBe(made)
  })

  it('names the VM name-shortID', () => {
    expect(displayName('web', id)).toBe('web-4a1b2c3d4e5f')
  })

  it('cuts a long name to 67 characters so the display name is 80, and never cuts the short ID', () => {
    const name = 'a'.repeat(100)
    const shown = displayName(name, id)
    expect(shown).toHaveLength(80)
    expect(shown).toBe(`${'a'.repeat(67)}-4a1b2c3d4e5f`)
  })

  it('keeps every display name within 80 characters and ending in the short ID', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{1,250}$/), (name) => {
        const shown = displayName(name, id)
        expect(shown.length).toBeLessThanOrEqual(80)
        expect(shown.endsWith(`-${shortId(id)}`)).toBe(true)
        expect(name.startsWith(shown.slice(0, -13))).toBe(true)
      }),
    )
  })

  it('accepts docker names and refuses the rest', () => {
    for (const ok of ['ab', 'a.b', 'a_b-c', 'A1', 'x'.repeat(200)]) expect(isValidName(ok)).toBe(true)
    for (const bad of ['', 'a', '-ab', '.ab', 'a b', 'a/b', 'a:b', 'a<b>', 'é1', 'x'.repeat(256)])
      expect(isValidName(bad)).toBe(false)
  })

  it('puts the VM in an ID-named folder, or in a display-name folder on vSAN', () => {
    expect(vmPathName('LocalDS_0', id, false)).toBe(`[LocalDS_0] ${id}/${id}.vmx`)
    expect(vmPathName('vsanDatastore', id, true)).toBe('[vsanDatastore]')
    expect(vmFolder('LocalDS_0', id, 'web', false)).toBe(`[LocalDS_0] ${id}`)
    expect(vmFolder('vsanDatastore', id, 'web', true)).toBe('[vsanDatastore] web-4a1b2c3d4e5f')
  })

  it('generates a valid name that is not taken', () => {
    const taken = new Set<string>()
    for (let i = 0; i < 50; i++) {
      const name = generateName((n) => taken.has(n))
      expect(isValidName(name)).toBe(true)
      expect(taken.has(name)).toBe(false)
      taken.add(name)
    }
  })
})
