/**
 * The key of one value inside a schema, found by its property path (VIC's CalculateKey): the one place keys are
 * derived from, so other code asks for `keyOf(schema, ['networks', net, 'network', 'aliases'])` and never assembles
 * a key by hand. Path segments are property names for structs (promoted names of embedded structs work too), map
 * keys for maps and indices for struct slices; pointers are passed through.
 */
import { entryKey, fieldKey } from './key.js'
import type { Field, Node, StructNode } from './schema.js'

/** The fields leading to property `name` of a struct, through embedded structs; undefined if it has none. */
function fieldPath(node: StructNode, name: string): Field[] | undefined {
  const own = Object.hasOwn(node.fields, name) ? node.fields[name] : undefined
  if (own !== undefined && !own.embedded) return [own]
  for (const field of Object.values(node.fields)) {
    if (!field.embedded || field.node.kind !== 'struct') continue
    const inner = fieldPath(field.node, name)
    if (inner !== undefined) return [field, ...inner]
  }
  return undefined
}

export function keyOf(root: Node, path: ReadonlyArray<string | number>): string {
  let node = root
  let key = ''
  const fail = (why: string): never => {
    throw new Error(`no key for path ${JSON.stringify(path)}: ${why}`)
  }
  for (const segment of path) {
    while (node.kind === 'pointer') node = node.target
    switch (node.kind) {
      case 'struct': {
        const fields = fieldPath(node, String(segment)) ?? fail(`no property ${segment}`)
        for (const field of fields) {
          key = fieldKey(field, key) ?? fail(`${segment} has an invalid scope`)
          node = field.node
        }
        break
      }
      case 'map':
        key = entryKey(key, segment)
        node = node.values
        break
      case 'slice':
        if (node.elements.kind === 'struct' || node.elements.kind === 'bytes') {
          key = entryKey(key, segment)
          node = node.elements
        } else {
          fail('elements of a primitive slice share one key (see sliceValuesKey)')
        }
        break
      default:
        fail(`${segment} is below a ${node.kind}`)
    }
  }
  return key
}
