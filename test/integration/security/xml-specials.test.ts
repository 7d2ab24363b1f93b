// No unescaped XML reaches vSphere: containers are created with annotations full of the characters the API lets
// through that XML treats specially (quotes, apostrophes, `]]`, `=`, non-ASCII, astral characters, line-separator
// look-alikes), and an independent raw SOAP read of the VM's ExtraConfig must give back exactly what was sent.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { annotationKey } from '../../../src/extraconfig/index.js'
import { containersApi } from '../../helpers/containers-api.js'
import { usePortlayer } from '../../helpers/portlayer.js'
import { RawSoap } from '../../helpers/raw-soap.js'

const pl = usePortlayer()
const api = containersApi(pl)

const accepted = fc
  .array(
    fc.oneof(
      fc.constantFrom('"', "'", ']]', '=', '\\', '%', '#', ';', '\u0085', '\u2028', '\u00a0', 'é', '日本', '😀', '\ud83d\ude00\u200d'),
      fc.string({ maxLength: 6 }).filter((s) => !/[\u0000-\u001f\u007f<>&]/.test(s)),
    ),
    { minLength: 1, maxLength: 10 },
  )
  .map((parts) => parts.join(''))
  // an empty value is stored as VIC's `<nil>` marker, which the codec tests cover
  .filter((s) => s !== '')

describe('text with XML specials', () => {
  it('is stored in vSphere byte for byte', async () => {
    const soap = await RawSoap.connect(pl().sim.url, pl().sim.username, pl().sim.password)
    let n = 0
    try {
      await fc.assert(
        fc.asyncProperty(accepted, accepted, async (note, label) => {
          const created = await api.created({ name: `xml-${n++}`, annotations: { note, label } })
          const stored = new Map(await soap.extraConfig({ type: 'VirtualMachine', value: created.vm.moref }))
          expect(Buffer.from(stored.get(annotationKey('note')) ?? '').equals(Buffer.from(note))).toBe(true)
          expect(Buffer.from(stored.get(annotationKey('label')) ?? '').equals(Buffer.from(label))).toBe(true)
          expect((await api.inspect(created.id)).body.annotations).toEqual({ note, label })
        }),
        { numRuns: 12 },
      )
    } finally {
      soap.close()
    }
  })

  it('holding markup is refused with 400 instead of being sent', async () => {
    const res = await api.create({ name: 'xml-markup', annotations: { note: '<a>&amp;</a>' } })
    expect(res.status).toBe(400)
    expect(res.body.code).toBe('invalid_request')
  })
})
