/**
 * The schema language: a typed description of a Go struct tree as VIC's encoder sees it, so the encoder and decoder
 * are generic and the TypeScript type of a decoded value is inferred from the schema (`Infer<typeof schema>`).
 *
 * A field is either tagged (VIC's `vic:"0.1" scope:"…" key:"…"`: its own key and scope) or untagged (its Go field
 * name as key and the scope VIC infers from the parent's key). An embedded field is Go struct embedding: its key is
 * part of the path like any other, but its fields appear directly on the parent object, as Go promotes them.
 *
 * Value kinds and their wire form: string as is; int/uint as decimal (JS number, so exact up to 2^53); int64 as
 * decimal (JS bigint, exact: nanosecond timestamps); bool `true`/`false`; bytes (Go []byte, net.IP) standard base64;
 * struct, map of string keys, slice, pointer. A pointer is a value that may be absent (undefined): nothing is written
 * for it, and it decodes as absent when none of its keys exist. Schemas here also use pointers for fields that older
 * VIC releases did not write yet, so such a VM re-encodes without gaining keys.
 */
import { scopeFromTag, type ScopeMask, type ScopeTag } from './scope.js'

export interface StringNode {
  readonly kind: 'string'
}
export interface IntNode {
  readonly kind: 'int'
}
export interface UintNode {
  readonly kind: 'uint'
}
export interface Int64Node {
  readonly kind: 'int64'
}
export interface BoolNode {
  readonly kind: 'bool'
}
export interface BytesNode {
  readonly kind: 'bytes'
}
export interface StructNode<F extends Fields = Fields> {
  readonly kind: 'struct'
  readonly fields: F
}
export interface MapNode<V extends Node = Node> {
  readonly kind: 'map'
  readonly values: V
}
export interface SliceNode<E extends ElementNode = ElementNode> {
  readonly kind: 'slice'
  readonly elements: E
}
export interface PointerNode<T extends Node = Node> {
  readonly kind: 'pointer'
  readonly target: T
}

export type PrimitiveNode = StringNode | IntNode | UintNode | Int64Node | BoolNode
/** What a slice may hold: primitives are `|`-joined under `key~`; structs and byte strings go under `key|<i>`. */
export type ElementNode = PrimitiveNode | BytesNode | StructNode
export type Node = PrimitiveNode | BytesNode | StructNode | MapNode | SliceNode | PointerNode

export interface Field<N extends Node = Node, E extends boolean = boolean> {
  readonly node: N
  /** the key segment: the tag's `key`, or the Go field name for an untagged field */
  readonly key: string
  /** the tag's scope mask; undefined for an untagged field, which takes the scope VIC infers from its parent's key */
  readonly scope: ScopeMask | undefined
  readonly embedded: E
}

export type Fields = { readonly [name: string]: Field }

export const string = (): StringNode => ({ kind: 'string' })
export const int = (): IntNode => ({ kind: 'int' })
export const uint = (): UintNode => ({ kind: 'uint' })
export const int64 = (): Int64Node => ({ kind: 'int64' })
export const bool = (): BoolNode => ({ kind: 'bool' })
export const bytes = (): BytesNode => ({ kind: 'bytes' })
export const map = <V extends Node>(values: V): MapNode<V> => ({ kind: 'map', values })
export const slice = <E extends ElementNode>(elements: E): SliceNode<E> => ({ kind: 'slice', elements })
export const pointer = <T extends Node>(target: T): PointerNode<T> => ({ kind: 'pointer', target })

/** A field with VIC's tag: `tagged('createtime', 'read-write', int64())`. */
export function tagged<N extends Node>(key: string, scope: ScopeTag, node: N): Field<N, false> {
  return { node, key, scope: scopeFromTag(scope), embedded: false }
}

/** A field without VIC's tag: keyed by its Go field name, scoped like its parent's key. */
export function untagged<N extends Node>(goName: string, node: N): Field<N, false> {
  return { node, key: goName, scope: undefined, embedded: false }
}

/** Go struct embedding: the struct's fields are promoted onto the parent object. */
export function embedded<F extends Fields>(field: Field<StructNode<F>, false>): Field<StructNode<F>, true> {
  return { ...field, embedded: true }
}

/** A struct node; fails when two fields (own or promoted) would land on the same property. */
export function struct<F extends Fields>(fields: F): StructNode<F> {
  const seen = new Set<string>()
  const claim = (name: string): void => {
    if (seen.has(name)) throw new Error(`schema: property ${name} is defined twice in one struct`)
    seen.add(name)
  }
  const walk = (own: Fields): void => {
    for (const [name, field] of Object.entries(own)) {
      if (field.embedded && field.node.kind === 'struct') walk(field.node.fields)
      else claim(name)
    }
  }
  walk(fields)
  return { kind: 'struct', fields }
}

type Simplify<T> = { [K in keyof T]: T[K] } & {}
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never

type RequiredProps<F extends Fields> = {
  [K in keyof F as F[K]['embedded'] extends true ? never : F[K]['node'] extends PointerNode ? never : K]: Infer<
    F[K]['node']
  >
}
type OptionalProps<F extends Fields> = {
  [K in keyof F as F[K]['embedded'] extends true ? never : F[K]['node'] extends PointerNode ? K : never]?: Infer<
    F[K]['node']
  >
}
type PromotedProps<F extends Fields> = UnionToIntersection<
  { [K in keyof F]: F[K]['embedded'] extends true ? InferNode<F[K]['node']> : never }[keyof F]
>

type InferStruct<F extends Fields> = Simplify<RequiredProps<F> & OptionalProps<F> & PromotedProps<F>>

type InferNode<N> = N extends StringNode
  ? string
  : N extends IntNode | UintNode
    ? number
    : N extends Int64Node
      ? bigint
      : N extends BoolNode
        ? boolean
        : N extends BytesNode
          ? Uint8Array
          : N extends PointerNode<infer T>
            ? InferNode<T> | undefined
            : N extends SliceNode<infer E>
              ? Array<InferNode<E>>
              : N extends MapNode<infer V>
                ? Record<string, InferNode<V>>
                : N extends StructNode<infer F>
                  ? InferStruct<F>
                  : never

/** The TypeScript type of values described by a schema node. */
export type Infer<N extends Node> = InferNode<N>

/** The value a Go zero value stands for: what decoding yields for a key that is absent. */
export function zeroValue(node: Node): unknown {
  switch (node.kind) {
    case 'string':
      return ''
    case 'int':
    case 'uint':
      return 0
    case 'int64':
      return 0n
    case 'bool':
      return false
    case 'bytes':
      return new Uint8Array()
    case 'pointer':
      return undefined
    case 'slice':
      return []
    case 'map':
      return {}
    case 'struct': {
      const out: Record<string, unknown> = {}
      for (const [name, field] of Object.entries(node.fields)) {
        if (field.embedded) Object.assign(out, zeroValue(field.node))
        else if (field.node.kind !== 'pointer') out[name] = zeroValue(field.node)
      }
      return out
    }
  }
}
